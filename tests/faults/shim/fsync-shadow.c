/*
 * fsync-shadow: an LD_PRELOAD shim that emulates "a power cut loses everything not fsynced".
 *
 * For files under $SHADOW_SRC, every successful fsync/fdatasync copies the file's whole content to
 * $SHADOW_DST/.ino/<inode> and to $SHADOW_DST/<name> (write to a temp file, then rename, so a kill in the
 * middle of a copy leaves the previous synced state). An fsync of the directory $SHADOW_SRC itself makes
 * its current names durable: every name whose inode has a synced copy gets that copy, and shadow names no
 * longer in the directory are removed (renames and unlinks persist only at a directory fsync). A new name
 * becomes durable at its first file fsync (lenient, like ext4's ordered mode usually is).
 * After kill -9, $SHADOW_DST is what the disk would hold after the power came back.
 *
 * Built by the fault suite: gcc -shared -fPIC -O2 -o fsync-shadow.so fsync-shadow.c -ldl
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

static const char *src_dir(void) { return getenv("SHADOW_SRC"); }
static const char *dst_dir(void) { return getenv("SHADOW_DST"); }

static int copy_fd_to(int in, const char *path) {
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s.shadow-tmp", path);
  int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (out < 0) return -1;
  char buf[65536];
  off_t off = 0;
  for (;;) {
    ssize_t n = pread(in, buf, sizeof buf, off);
    if (n < 0) { if (errno == EINTR) continue; close(out); unlink(tmp); return -1; }
    if (n == 0) break;
    ssize_t done = 0;
    while (done < n) {
      ssize_t w = write(out, buf + done, (size_t)(n - done));
      if (w < 0) { if (errno == EINTR) continue; close(out); unlink(tmp); return -1; }
      done += w;
    }
    off += n;
  }
  close(out);
  return rename(tmp, path);
}

static int copy_path_to(const char *from, const char *to) {
  int in = open(from, O_RDONLY);
  if (in < 0) return -1;
  int r = copy_fd_to(in, to);
  close(in);
  return r;
}

static void sync_dir(const char *src, const char *dst) {
  char p[PATH_MAX], q[PATH_MAX];
  DIR *d = opendir(src);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' && (e->d_name[1] == 0 || (e->d_name[1] == '.' && e->d_name[2] == 0))) continue;
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", src, e->d_name);
    if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    snprintf(q, sizeof q, "%s/.ino/%lu", dst, (unsigned long)st.st_ino);
    if (access(q, F_OK) != 0) continue;
    snprintf(p, sizeof p, "%s/%s", dst, e->d_name);
    copy_path_to(q, p);
  }
  closedir(d);
  d = opendir(dst);
  if (!d) return;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (strstr(e->d_name, ".shadow-tmp")) continue;
    snprintf(p, sizeof p, "%s/%s", src, e->d_name);
    if (access(p, F_OK) != 0) {
      snprintf(q, sizeof q, "%s/%s", dst, e->d_name);
      unlink(q);
    }
  }
  closedir(d);
}

static void shadow(int fd) {
  const char *src = src_dir(), *dst = dst_dir();
  if (!src || !dst) return;
  int saved = errno;
  char link[64], path[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) { errno = saved; return; }
  path[n] = 0;
  size_t sl = strlen(src);
  struct stat st;
  if (fstat(fd, &st) != 0) { errno = saved; return; }
  if (S_ISDIR(st.st_mode)) {
    if (strcmp(path, src) == 0) sync_dir(src, dst);
  } else if (S_ISREG(st.st_mode) && strncmp(path, src, sl) == 0 && path[sl] == '/' && !strchr(path + sl + 1, '/')) {
    char ino[PATH_MAX], named[PATH_MAX];
    snprintf(ino, sizeof ino, "%s/.ino", dst);
    mkdir(ino, 0700);
    snprintf(ino, sizeof ino, "%s/.ino/%lu", dst, (unsigned long)st.st_ino);
    if (copy_fd_to(fd, ino) == 0) {
      snprintf(named, sizeof named, "%s/%s", dst, path + sl + 1);
      copy_path_to(ino, named);
    }
  }
  errno = saved;
}

int fsync(int fd) {
  if (!real_fsync) real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  int r = real_fsync(fd);
  if (r == 0) shadow(fd);
  return r;
}

int fdatasync(int fd) {
  if (!real_fdatasync) real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  int r = real_fdatasync(fd);
  if (r == 0) shadow(fd);
  return r;
}
