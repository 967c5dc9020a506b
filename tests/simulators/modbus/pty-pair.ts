/**
 * A socat PTY pair: `socat pty,link=A pty,link=B` joins two pseudo-terminals, a stand-in for an RS-485
 * adapter and its line. Killing socat makes both ends fail with EIO, as an unplugged USB adapter does;
 * starting it again on the same link paths is the replug. Used by the demo, the bench and the tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

export class PtyPair {
  private proc: ChildProcess | undefined;

  /** `onSpawn`: told of every socat started (the first and each replug), for owners that must account for them. */
  constructor(readonly a: string, readonly b: string, private readonly onSpawn?: (proc: ChildProcess) => void) {}

  /** The pid of the running socat (undefined when stopped). */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(): Promise<void> {
    rmSync(this.a, { force: true });
    rmSync(this.b, { force: true });
    const proc = spawn('socat', [`pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: 'ignore' });
    this.proc = proc;
    this.onSpawn?.(proc);
    for (let i = 0; i < 400; i++) {
      if (existsSync(this.a) && existsSync(this.b)) return;
      if (proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    this.proc = undefined;
    throw new Error(`socat did not create ${this.a} and ${this.b}`);
  }

  /** Kills socat (the "unplug"); resolves once it has exited. */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  }
}
