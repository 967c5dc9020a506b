/**
 * ModemSmsSender: the SMS fallback through a serial 4G modem (Quectel EC20/EC25 and SIMCom SIM7600 class,
 * which all speak 3GPP TS 27.005 text mode). Per message:
 *   AT → OK, ATE0 → OK (no echo), AT+CMGF=1 → OK (text mode), AT+CMGS="<number>" → `> `,
 *   <text> Ctrl-Z → +CMGS: <mr> OK   (or +CMS ERROR: <n>; on a missing prompt ESC cancels the input mode)
 * The port is opened on first use and reopened after an error; messages go one at a time. The constructor
 * does no I/O.
 */
import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import { QinheError } from '../core/errors.js';
import { systemTimers, type Timers } from '../clock/timers.js';
import { AtSession, type ModemPort } from './at-session.js';
import { asciiOnly, type SmsSender } from './sms.js';

export interface OpenedPort extends ModemPort { close(): Promise<void> }

export interface ModemSmsContext {
  path: string;
  logger: Logger;
  baudRate?: number;
  timers?: Timers;
  /** Per command (AT, CMGF, the prompt). */
  commandTimeoutMs?: number;
  /** For the network to accept the message after Ctrl-Z (TS 27.005 allows minutes; modems answer in seconds). */
  sendTimeoutMs?: number;
  /** Injectable for tests; defaults to serialport. */
  openPort?: (path: string, baudRate: number) => Promise<OpenedPort>;
}

const CTRL_Z = '\x1a';
const ESC = '\x1b';

export class ModemSmsSender implements SmsSender {
  private port: OpenedPort | null = null;
  private session: AtSession | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;

  constructor(private readonly ctx: ModemSmsContext) {
    this.log = ctx.logger.child({ component: 'sms', device: ctx.path });
  }

  send(to: string, text: string): Promise<void> {
    const run = () => this.sendOne(to, text);
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.session?.close();
    this.session = null;
    const port = this.port;
    this.port = null;
    await port?.close().catch(() => undefined);
  }

  private async sendOne(to: string, text: string): Promise<void> {
    if (!/^\+?[0-9]{5,16}$/.test(to)) throw new QinheError('QH_SMS_FAILED', `not a phone number: ${to}`);
    const cmdMs = this.ctx.commandTimeoutMs ?? 5000;
    try {
      const at = await this.open();
      await at.command('AT', cmdMs);
      await at.command('ATE0', cmdMs);
      await at.command('AT+CMGF=1', cmdMs);
      try {
        await at.prompt(`AT+CMGS="${to}"`, cmdMs);
      } catch (err) {
        this.port?.write(ESC); // leave the text-input mode in case the prompt came late
        throw err;
      }
      const lines = await at.raw('SMS text', asciiOnly(text).slice(0, 160) + CTRL_Z, this.ctx.sendTimeoutMs ?? 60_000);
      this.log.info({ to, reference: lines.find((l) => l.startsWith('+CMGS:')) }, 'SMS sent');
    } catch (err) {
      await this.close(); // a modem that misbehaved starts from a fresh port next time
      throw err;
    }
  }

  private async open(): Promise<AtSession> {
    if (this.session) return this.session;
    const baud = this.ctx.baudRate ?? 115200;
    try {
      this.port = await (this.ctx.openPort ?? openSerial)(this.ctx.path, baud);
    } catch (err) {
      throw new QinheError('QH_SERIAL_OPEN', `cannot open modem ${this.ctx.path}`, { cause: err });
    }
    this.session = new AtSession(this.port, this.ctx.timers ?? systemTimers, this.log);
    return this.session;
  }
}

function openSerial(path: string, baudRate: number): Promise<OpenedPort> {
  const sp = new SerialPort({ path, baudRate, autoOpen: false });
  return new Promise((resolve, reject) => {
    sp.open((err) => {
      if (err) return reject(err);
      resolve({
        write: (data) => { sp.write(data); },
        onData: (fn) => { sp.on('data', fn); return () => sp.off('data', fn); },
        close: () => new Promise((res) => { sp.close(() => res()); }),
      });
    });
  });
}
