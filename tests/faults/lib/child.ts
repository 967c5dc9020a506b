/**
 * Child processes of the suite (the box under test, writers, brokers' helpers): stdout split into lines,
 * a promise for the exit, and a registry so every child still alive is killed (by pid) when the suite exits.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const alive = new Set<ChildProcess>();
/** Grandchildren a child reported (pid → text its command line must contain, so a reused pid is left alone). */
const adopted = new Map<number, string>();

export function killAllChildren(): void {
  for (const c of alive) {
    try { c.kill('SIGKILL'); } catch { /* gone */ }
  }
  alive.clear();
  killAdopted();
}

/**
 * A process a child started and reported (e.g. the soak estate's socat): killed by killAdopted() or at the
 * suite's exit if still running, since it does not die with its parent when that is SIGKILLed.
 */
export function adoptPid(pid: number, cmdlineHas: string): void {
  adopted.set(pid, cmdlineHas);
}

/** Whether `pid` runs now with `cmdlineHas` in its command line. */
export function runningWith(pid: number, cmdlineHas: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(cmdlineHas);
  } catch {
    return false;
  }
}

/** SIGKILLs the adopted processes (all, or those of `pids`) still running; returns the pids it killed. */
export function killAdopted(pids?: Iterable<number>): number[] {
  const killed: number[] = [];
  for (const pid of pids ?? [...adopted.keys()]) {
    const has = adopted.get(pid);
    if (has === undefined) continue;
    adopted.delete(pid);
    if (!runningWith(pid, has)) continue;
    try { process.kill(pid, 'SIGKILL'); killed.push(pid); } catch { /* gone */ }
  }
  return killed;
}

export interface Child {
  proc: ChildProcess;
  lines: string[];
  stderr: string[];
  spawnedAt: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first line starting with `prefix` (or rejects on exit/timeout). */
  line(prefix: string, timeoutMs: number): Promise<string>;
  send(text: string): void;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnChild(cmd: string, args: string[], opts: SpawnOptions & { echo?: string } = {}): Child {
  const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
  alive.add(proc);
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters: Array<() => void> = [];
  let rest = '';
  proc.stdout!.on('data', (b: Buffer) => {
    const parts = (rest + b.toString()).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of [...waiters]) w();
  });
  let errRest = '';
  proc.stderr!.on('data', (b: Buffer) => {
    const parts = (errRest + b.toString()).split('\n');
    errRest = parts.pop() ?? '';
    stderr.push(...parts);
    if (stderr.length > 2000) stderr.splice(0, stderr.length - 2000);
    if (opts.echo) for (const p of parts) process.stderr.write(`[${opts.echo}] ${p}\n`);
  });
  proc.stdin!.on('error', () => undefined);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => {
      done = true;
      alive.delete(proc);
      for (const w of [...waiters]) w();
      resolve({ code, signal });
    });
  });
  const child: Child = {
    proc, lines, stderr, spawnedAt: Date.now(), exited,
    line(prefix, timeoutMs) {
      return new Promise((resolve, reject) => {
        let seen = 0;
        const check = () => {
          for (; seen < lines.length; seen++) {
            if (lines[seen]!.startsWith(prefix)) { finish(); resolve(lines[seen]!); return; }
          }
          if (done) { finish(); reject(new Error(`child exited before "${prefix}": ${stderr.slice(-5).join(' | ')}`)); }
        };
        const t = setTimeout(() => { finish(); reject(new Error(`timed out after ${timeoutMs} ms waiting for "${prefix}"`)); }, timeoutMs);
        const finish = () => { clearTimeout(t); const i = waiters.indexOf(check); if (i >= 0) waiters.splice(i, 1); };
        waiters.push(check);
        check();
      });
    },
    send(text) {
      proc.stdin!.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    async kill(signal = 'SIGKILL') {
      if (done) return;
      proc.kill(signal);
      await exited;
    },
  };
  return child;
}

const BOX = fileURLToPath(new URL('../box.ts', import.meta.url));

/** The box under test (tests/faults/box.ts) under node + tsx, with `env` added. */
export function spawnBox(env: Record<string, string>, extra: { preload?: string; echo?: string } = {}): Child {
  const full: NodeJS.ProcessEnv = { ...process.env, UV_USE_IO_URING: '0', ...env };
  if (extra.preload) full.LD_PRELOAD = extra.preload;
  return spawnChild(process.execPath, ['--import', 'tsx', BOX], { env: full, ...(extra.echo ? { echo: extra.echo } : {}) });
}

export function tsxScript(path: string, env: Record<string, string>, extra: { preload?: string } = {}): Child {
  const full: NodeJS.ProcessEnv = { ...process.env, UV_USE_IO_URING: '0', ...env };
  if (extra.preload) full.LD_PRELOAD = extra.preload;
  return spawnChild(process.execPath, ['--import', 'tsx', path], { env: full });
}
