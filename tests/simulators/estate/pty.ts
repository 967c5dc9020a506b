/**
 * A pair of pseudo-terminals joined by socat: what one end writes the other reads, as over an RS-485 line
 * (PTYs have no baud rate: the simulator delays replies by their wire time instead). `boxPath` is the link the
 * box opens as its serial port; `simPath` is the simulator's end.
 *
 *   socat pty,raw,echo=0,link=DIR/ttyQH0 pty,raw,echo=0,link=DIR/ttyQH0.sim
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

export const SOCAT_BIN = process.env.SOCAT_BIN ?? 'socat';

/** True when socat can be run on this machine. */
export function socatAvailable(bin = SOCAT_BIN): boolean {
  const r = spawnSync(bin, ['-V'], { stdio: 'ignore' });
  return r.status === 0;
}

export class PtyPair {
  private proc: ChildProcess | undefined;

  constructor(readonly boxPath: string, readonly simPath: string, private readonly bin = SOCAT_BIN) {}

  /** Starts socat and resolves once both links exist (rejects after timeoutMs). */
  async start(timeoutMs = 5000): Promise<void> {
    for (const p of [this.boxPath, this.simPath]) rmSync(p, { force: true });
    const pty = (link: string) => `pty,raw,echo=0,link=${link}`;
    const proc = spawn(this.bin, [pty(this.boxPath), pty(this.simPath)], { stdio: 'ignore' });
    this.proc = proc;
    let exited: string | undefined;
    proc.once('exit', (code, signal) => { exited = `socat exited (${signal ?? code})`; });
    proc.once('error', (err) => { exited = `socat: ${err.message}`; });
    const until = Date.now() + timeoutMs;
    while (!(existsSync(this.boxPath) && existsSync(this.simPath))) {
      if (exited) throw new Error(exited);
      if (Date.now() > until) throw new Error(`socat did not create ${this.boxPath} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Kills socat (its links disappear with it). Idempotent. */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => { proc.kill('SIGKILL'); resolve(); }, 2000);
      proc.once('exit', () => { clearTimeout(t); resolve(); });
      proc.kill('SIGTERM');
    });
  }
}
