/** The pymodbus slave (tests/simulators/modbus/pymodbus_slave.py) as a child process the test can command. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { PYTHON } from './pty.js';

const SCRIPT = fileURLToPath(new URL('../../simulators/modbus/pymodbus_slave.py', import.meta.url));

/** The value the slave holds in each table, by unit and address (see the script's docstring). */
export const expected = {
  holding: (unit: number, a: number) => (unit * 1000 + a) & 0xffff,
  input: (unit: number, a: number) => (unit * 1000 + 500 + a) & 0xffff,
  coil: (unit: number, a: number) => (unit + a) % 2 === 1,
  discrete: (unit: number, a: number) => (unit + a) % 3 === 0,
};

export class PymodbusSlave {
  private proc: ChildProcess | undefined;
  private readonly waiting: (() => void)[] = [];
  stderr = '';

  constructor(private readonly port: string, private readonly units: number[]) {}

  async start(): Promise<void> {
    const proc = spawn(PYTHON, [SCRIPT, '--port', this.port, '--units', this.units.join(',')], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stderr?.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    const lines = createInterface({ input: proc.stdout! });
    let ready: () => void = () => undefined;
    const isReady = new Promise<void>((resolve, reject) => {
      ready = resolve;
      proc.once('exit', (code) => reject(new Error(`pymodbus slave exited (${code}): ${this.stderr}`)));
    });
    lines.on('line', (line) => {
      if (line === 'ready') ready();
      else if (line === 'ok') this.waiting.shift()?.();
    });
    await isReady;
    // "ready" is printed just before the port is opened; give it a moment to be serving.
    await new Promise((r) => setTimeout(r, 300));
  }

  /** `silent 2`, `answer 2`, `exception 2`, `normal 2`; resolves when the slave has applied it. */
  command(cmd: string): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.proc?.stdin?.write(`${cmd}\n`);
    });
  }

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
