/**
 * One box per data directory. Two daemons on one store would both hand out `seq`s, both drive the same serial
 * lines and sirens: the second one must refuse to start and say who holds the directory.
 *
 * `qinhe.lock` in the data directory holds the owner's pid, created with O_EXCL. A lock whose pid is gone (a
 * kill -9, a power cut) is stale and taken over; a pid that lives but is not a node process (the pid was reused
 * after a reboot) is stale too. Released on a clean exit.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { QinheError } from '../core/errors.js';

export const LOCK_FILE = 'qinhe.lock';

export interface InstanceLock {
  readonly file: string;
  release(): void;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return /node|qinhe/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc: trust the signal probe
  }
}

function holder(file: string): { pid: number; since: string } | undefined {
  try {
    const [pid, since] = readFileSync(file, 'utf8').split('\n');
    return { pid: Number(pid), since: since ?? '' };
  } catch {
    return undefined;
  }
}

/** Takes the data directory for this process, or throws QH_BOX_LOCKED naming the process that has it. */
export function acquireInstanceLock(dataDir: string, now = new Date()): InstanceLock {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const h = holder(file);
      if (h && h.pid !== process.pid && alive(h.pid)) {
        throw new QinheError('QH_BOX_LOCKED', `another qinhe (pid ${h.pid}, since ${h.since || 'unknown'}) is using the data directory `
          + `${dataDir}; stop it first (systemctl stop qinhe) or give this one another storage.dataDir`, { details: { pid: h.pid, file } });
      }
      try { unlinkSync(file); } catch { /* raced with another taker: try again */ }
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n${now.toISOString()}\n`);
    } finally {
      closeSync(fd);
    }
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      process.removeListener('exit', release);
      if (holder(file)?.pid === process.pid) {
        try { unlinkSync(file); } catch { /* already gone */ }
      }
    };
    process.on('exit', release);
    return { file, release };
  }
  throw new QinheError('QH_BOX_LOCKED', `could not take ${file} (another process keeps creating it)`, { details: { file } });
}
