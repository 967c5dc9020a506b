/**
 * Running the system's ffmpeg (config path, else PATH) without leaking camera passwords:
 * - never in argv: the RTSP URL with credentials goes into an ffconcat file (mode 0600, in a 0700
 *   directory) that ffmpeg reads as its input list (`-f concat`, per-file `option rtsp_transport tcp`), so
 *   `ps` and /proc/PID/cmdline show only the file name; the file is removed once ffmpeg has opened it;
 * - never in logs: ffmpeg prints its input URL on errors, so stderr is masked before anything is logged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { QinheError } from '../../runtime/core/errors.js';
import { maskUrlCredentials } from '../../runtime/core/logger.js';

export function findFfmpeg(configured?: string): string {
  const candidates = configured ? [configured] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'ffmpeg'));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch { /* next */ }
  }
  throw new QinheError('QH_FFMPEG', configured ? `ffmpeg not executable at ${configured}` : 'ffmpeg not found on PATH');
}

/** `rtsp://host/path` + credentials → the URL with them (for the private input file only). */
export function withCredentials(rtspUrl: string, creds: { username: string; password: string } | undefined): string {
  const u = new URL(rtspUrl);
  if (creds) {
    u.username = encodeURIComponent(creds.username);
    u.password = encodeURIComponent(creds.password);
  }
  return u.href;
}

/** Writes the private input list; returns the ffmpeg input arguments that read it. */
export async function privateRtspInput(dir: string, name: string, urlWithCredentials: string): Promise<{ args: string[]; file: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${name}.ffconcat`);
  const quoted = urlWithCredentials.replace(/'/g, "'\\''");
  await writeFile(file, `ffconcat version 1.0\nfile '${quoted}'\noption rtsp_transport tcp\noption timeout 10000000\n`, { mode: 0o600 });
  return { file, args: ['-f', 'concat', '-safe', '0', '-protocol_whitelist', 'file,rtsp,rtp,tcp,udp', '-i', file] };
}

export function maskStderr(text: string): string {
  return maskUrlCredentials(text).replace(/(\/\/)[^/\s@'"]+@/g, '$1***@');
}

export interface FfmpegRun {
  child: ChildProcess;
  /** Last 2 kB of stderr, masked. */
  stderrTail(): string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startFfmpeg(binary: string, args: string[]): FfmpegRun {
  const child = spawn(binary, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  child.stderr?.on('data', (c: Buffer) => { tail = (tail + c.toString('utf8')).slice(-2048); });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', () => resolve({ code: -1, signal: null }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, stderrTail: () => maskStderr(tail), done };
}

/** Runs ffmpeg to completion within timeoutMs; a non-zero exit or a timeout is QH_FFMPEG. */
export async function runFfmpeg(binary: string, args: string[], timeoutMs: number): Promise<void> {
  const run = startFfmpeg(binary, args);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await run.done;
  clearTimeout(timer);
  if (code !== 0) {
    throw new QinheError('QH_FFMPEG', `ffmpeg ${signal ? `killed (${signal}, over ${timeoutMs} ms)` : `exited ${code}`}: ${run.stderrTail().trim().slice(-300)}`);
  }
}
