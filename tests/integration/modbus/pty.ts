/**
 * socat PTY pairs for the integration tests: `socat pty,link=A pty,link=B` joins two pseudo-terminals, a
 * stand-in for an RS-485 adapter. Killing socat makes both ends fail with EIO, as an unplugged USB adapter
 * does; starting it again on the same link paths is the replug. Tests skip (with the reason) when socat or
 * Debian's python3-pymodbus is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's python: a pyenv python3 may be first on PATH and lack pymodbus. */
export const PYTHON = '/usr/bin/python3';

export function missingTools(): string | undefined {
  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0) return 'socat is not installed (apt-get install socat)';
  const py = spawnSync(PYTHON, ['-c', 'import pymodbus, serial_asyncio'], { stdio: 'ignore' });
  if (py.status !== 0) return `${PYTHON} lacks pymodbus/serial_asyncio (apt-get install python3-pymodbus python3-serial-asyncio)`;
  return undefined;
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'qinhe-modbus-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export class PtyPair {
  private proc: ChildProcess | undefined;

  constructor(readonly a: string, readonly b: string) {}

  async start(): Promise<void> {
    rmSync(this.a, { force: true });
    rmSync(this.b, { force: true });
    const proc = spawn('socat', [`pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: 'ignore' });
    this.proc = proc;
    for (let i = 0; i < 400; i++) {
      if (existsSync(this.a) && existsSync(this.b)) return;
      if (proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 10));
    }
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
