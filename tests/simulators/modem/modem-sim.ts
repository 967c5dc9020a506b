/**
 * A simulated serial 4G modem on a pseudo-terminal pair (socat), answering the AT commands of the SMS fallback
 * as a Quectel/SIMCom modem does (V.250 echo and result codes, 3GPP TS 27.005 text mode and `> ` prompt).
 * Misbehaviour is injectable: ERROR on a command, +CMS ERROR after the text, silence (no answer at all).
 *
 *   const sim = await ModemSimulator.start();   // sim.path is the box's end of the PTY pair
 *   ...; await sim.stop();                      // kills its own socat
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { SerialPort } from 'serialport';

export interface ModemBehaviour {
  /** What AT+CMGS text submission ends with. */
  send: 'ok' | 'cms-error' | 'silent';
  /** Commands answered with ERROR (e.g. 'AT+CMGF=1'). */
  errorOn: string[];
  /** No answer at all (a modem hung or powered off). */
  silent: boolean;
}

export class ModemSimulator {
  readonly messages: Array<{ to: string; text: string }> = [];
  readonly commands: string[] = [];
  behaviour: ModemBehaviour = { send: 'ok', errorOn: [], silent: false };
  private echo = true;
  private buffer = '';
  private textFor: string | null = null;
  private reference = 0;

  private constructor(readonly path: string, private readonly socat: ChildProcess, private readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => this.onData(chunk.toString('latin1')));
  }

  static async start(): Promise<ModemSimulator> {
    const socat = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const ptys = await new Promise<string[]>((resolve, reject) => {
      const found: string[] = [];
      let err = '';
      socat.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        for (const m of err.matchAll(/PTY is (\S+)/g)) if (m[1] && !found.includes(m[1])) found.push(m[1]);
        if (found.length === 2) resolve(found);
      });
      socat.on('error', reject);
      socat.on('exit', (code) => reject(new Error(`socat exited (${code}): ${err}`)));
    });
    const [modemEnd, boxEnd] = ptys as [string, string];
    const port = new SerialPort({ path: modemEnd, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    return new ModemSimulator(boxEnd, socat, port);
  }

  async stop(): Promise<void> {
    await new Promise<void>((res) => { if (this.port.isOpen) this.port.close(() => res()); else res(); });
    if (this.socat.exitCode === null) {
      const exited = new Promise((res) => this.socat.once('exit', res));
      this.socat.kill('SIGTERM');
      await exited;
    }
  }

  private reply(text: string): void {
    if (!this.behaviour.silent) this.port.write(text);
  }

  private onData(data: string): void {
    for (const ch of data) {
      if (this.textFor !== null) {
        this.onText(ch);
        continue;
      }
      if (this.echo && !this.behaviour.silent) this.port.write(ch);
      if (ch === '\r') {
        const line = this.buffer.trim();
        this.buffer = '';
        if (line) this.onCommand(line);
      } else if (ch !== '\n') {
        this.buffer += ch;
      }
    }
  }

  private onCommand(line: string): void {
    this.commands.push(line);
    if (this.behaviour.errorOn.includes(line)) return this.reply('\r\nERROR\r\n');
    const cmgs = /^AT\+CMGS="(\+?[0-9]+)"$/i.exec(line);
    if (cmgs?.[1]) {
      this.textFor = cmgs[1];
      this.buffer = '';
      return this.reply('\r\n> ');
    }
    switch (line.toUpperCase()) {
      case 'AT': return this.reply('\r\nOK\r\n');
      case 'ATE0': this.echo = false; return this.reply('\r\nOK\r\n');
      case 'ATE1': this.echo = true; return this.reply('\r\nOK\r\n');
      case 'AT+CMGF=1': return this.reply('\r\nOK\r\n');
      default: return this.reply('\r\nERROR\r\n');
    }
  }

  private onText(ch: string): void {
    if (ch === '\x1b') { // ESC: abandon the message
      this.textFor = null;
      this.buffer = '';
      return this.reply('\r\nOK\r\n');
    }
    if (ch !== '\x1a') {
      this.buffer += ch;
      return;
    }
    const to = this.textFor ?? '';
    const text = this.buffer;
    this.textFor = null;
    this.buffer = '';
    if (this.behaviour.send === 'silent') return;
    if (this.behaviour.send === 'cms-error') return this.reply('\r\n+CMS ERROR: 500\r\n');
    this.messages.push({ to, text });
    this.reply(`\r\n+CMGS: ${++this.reference}\r\n\r\nOK\r\n`);
  }
}
