/**
 * A real mosquitto for tests: listens on 127.0.0.1 and a free port, temp config, no persistence. The same
 * port is kept across stop()/start() so clients can reconnect to it (broker-down scenarios, fault suite).
 *
 *   const broker = await Mosquitto.start();   // broker.url = mqtt://127.0.0.1:PORT
 *   await broker.stop(); await broker.start(); await broker.kill('SIGKILL'); await broker.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { canConnect, freePort } from '../../runtime/demo/broker.js';

export { freePort };

export const MOSQUITTO_BIN = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

export interface MosquittoOptions {
  port?: number;
  /** Extra lines for mosquitto.conf (e.g. TLS listener settings). */
  extraConfig?: string;
  /** Print the broker's output (debugging). */
  verbose?: boolean;
  /**
   * Keep sessions and queued QoS 1 messages across stop()/start() (mosquitto persistence in the temp
   * directory, saved at a clean stop: SIGTERM, not SIGKILL). Default false.
   */
  persistence?: boolean;
}

export class Mosquitto {
  private proc: ChildProcess | null = null;
  /** The broker's last output (errors and warnings), for failure messages. */
  output = '';
  private readonly dir: string;
  private readonly confFile: string;
  readonly url: string;

  private constructor(readonly port: number, private readonly opts: MosquittoOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'qinhe-mosq-'));
    this.confFile = join(this.dir, 'mosquitto.conf');
    this.url = `mqtt://127.0.0.1:${port}`;
    writeFileSync(this.confFile, [
      // Started as root, mosquitto drops to user `mosquitto` and could not read our temp files: stay who we are.
      `user ${userInfo().username}`,
      `listener ${port} 127.0.0.1`, 'allow_anonymous true',
      ...(opts.persistence ? ['persistence true', `persistence_location ${this.dir}/`] : ['persistence false']), 'log_dest stdout',
      'log_type error', 'log_type warning', 'max_queued_messages 100000',
      opts.extraConfig ?? '', '',
    ].join('\n'));
  }

  static async start(opts: MosquittoOptions = {}): Promise<Mosquitto> {
    const m = new Mosquitto(opts.port ?? (await freePort()), opts);
    try {
      await m.start();
    } catch (err) {
      await m.dispose();
      throw err;
    }
    return m;
  }

  get running(): boolean {
    return this.proc !== null;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Starts (again) on the same port; resolves once it accepts TCP connections. */
  async start(): Promise<void> {
    if (this.proc) return;
    const proc = spawn(MOSQUITTO_BIN, ['-c', this.confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    this.output = '';
    const out = (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-4000);
      if (this.opts.verbose) process.stderr.write(`[mosquitto] ${b.toString()}`);
    };
    proc.stdout?.on('data', out);
    proc.stderr?.on('data', out);
    proc.once('exit', () => { if (this.proc === proc) this.proc = null; });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (!this.proc) throw new Error(`mosquitto exited at start (port ${this.port}): ${this.output.trim()}`);
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    await this.kill('SIGKILL');
    throw new Error(`mosquitto did not listen on ${this.port} within 10 s`);
  }

  /** Sends a signal and waits for the process to exit (SIGTERM: clean stop; SIGKILL: crash). */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    this.proc = null;
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }

  /** Stops the broker and removes its temp directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
