/**
 * The demo's (and the bench's) local MQTT 5 broker on 127.0.0.1: a mosquitto child process with a config in
 * the data dir, on port 1883 when free, else any free port.
 *
 * Why not aedes in-process: aedes 1.x accepts MQTT 3.1/3.1.1 only and refuses the uplink's MQTT 5 CONNECT
 * ("Unacceptable protocol version", lib/handlers/connect.js), and the upstream contract is MQTT 5.0.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { QinheError } from '../core/errors.js';

const CANDIDATES = [process.env.MOSQUITTO_BIN, '/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/opt/homebrew/sbin/mosquitto'];

/** The mosquitto binary, or undefined. */
export function findMosquitto(): string | undefined {
  for (const c of CANDIDATES) if (c && existsSync(c)) return c;
  const r = spawnSync('mosquitto', ['-h'], { stdio: 'ignore' });
  return r.error ? undefined : 'mosquitto';
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export interface LocalBrokerOptions {
  dir: string;
  /** Preferred port (default 1883; 0: any free port); another free port when it is taken. */
  port?: number;
  /** Exact port, even if the preferred one is free (bench restarts on the same port). */
  fixedPort?: number;
  extraConfig?: string[];
}

export class LocalBroker {
  private proc: ChildProcess | undefined;
  private port_ = 0;
  private readonly confFile: string;

  constructor(private readonly opts: LocalBrokerOptions) {
    this.confFile = join(opts.dir, 'mosquitto.conf');
  }

  get port(): number {
    return this.port_;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port_}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(): Promise<void> {
    if (this.proc) return;
    const bin = findMosquitto();
    if (!bin) throw new QinheError('QH_UPLINK_DOWN', 'no MQTT 5 broker: install mosquitto (apt install mosquitto) or pass --broker URL');
    if (this.port_ === 0) {
      const preferred = this.opts.fixedPort ?? this.opts.port ?? 1883;
      this.port_ = this.opts.fixedPort !== undefined || (preferred > 0 && await portFree(preferred)) ? preferred : await freePort();
    }
    mkdirSync(this.opts.dir, { recursive: true });
    writeFileSync(this.confFile, [
      `listener ${this.port_} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error',
      'max_inflight_messages 0', 'max_queued_messages 200000', ...(this.opts.extraConfig ?? []), '',
    ].join('\n'));
    const proc = spawn(bin, ['-c', this.confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    let stderr = '';
    proc.stderr?.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-2000); });
    const until = Date.now() + 5000;
    while (!(await canConnect(this.port_))) {
      if (proc.exitCode !== null) throw new QinheError('QH_UPLINK_DOWN', `mosquitto exited: ${stderr.trim() || `code ${proc.exitCode}`}`);
      if (Date.now() > until) throw new QinheError('QH_TIMEOUT', `mosquitto did not listen on ${this.port_} within 5 s`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  /** Stops the broker (SIGTERM, then SIGKILL after 2 s); `kill` simulates an outage. Idempotent. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => { proc.kill('SIGKILL'); }, 2000);
      proc.once('exit', () => { clearTimeout(t); resolve(); });
      proc.kill(signal);
    });
  }
}
