/**
 * One AT command at a time over a serial line to a 4G modem (3GPP TS 27.005 text mode for SMS, V.250 for the
 * command syntax). Replies end with a final result code: `OK`, `ERROR`, `+CME ERROR: <n>` or
 * `+CMS ERROR: <n>`; `AT+CMGS` first answers with the `> ` prompt (no line ending) and waits for the text and
 * Ctrl-Z. Echoed commands and unsolicited lines (RING, +CMTI...) are kept as intermediate lines, never taken
 * for a result. Every wait has a timeout whose error names the command it waited for.
 */
import type { Logger } from 'pino';
import { QinheError } from '../core/errors.js';
import type { TimerHandle, Timers } from '../clock/timers.js';

export interface ModemPort {
  write(data: string | Buffer): void;
  /** Subscribes to incoming bytes; returns the unsubscribe function. */
  onData(fn: (chunk: Buffer) => void): () => void;
}

interface Waiter {
  command: string;
  prompt: boolean;
  lines: string[];
  resolve(lines: string[]): void;
  reject(err: Error): void;
  timer: TimerHandle;
}

const FINAL_ERROR = /^\+(CMS|CME) ERROR:\s*(.+)$/;

export class AtSession {
  private buffer = '';
  private waiter: Waiter | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly port: ModemPort, private readonly timers: Timers, private readonly logger: Logger) {
    this.unsubscribe = port.onData((chunk) => this.onData(chunk));
  }

  /** Sends `command` + CR and resolves with the intermediate lines once `OK` arrives. */
  command(command: string, timeoutMs: number): Promise<string[]> {
    return this.enqueue(() => this.exchange(command, `${command}\r`, false, timeoutMs));
  }

  /** Sends `command` + CR and resolves once the `> ` prompt arrives (AT+CMGS). */
  prompt(command: string, timeoutMs: number): Promise<string[]> {
    return this.enqueue(() => this.exchange(command, `${command}\r`, true, timeoutMs));
  }

  /** Writes raw bytes (the SMS text + Ctrl-Z) and waits for the final result code. */
  raw(label: string, data: string, timeoutMs: number): Promise<string[]> {
    return this.enqueue(() => this.exchange(label, data, false, timeoutMs));
  }

  close(): void {
    this.unsubscribe();
    this.fail(new QinheError('QH_SMS_FAILED', 'modem session closed'));
  }

  /** Commands run one at a time; on an idle session the command is written at once (no microtask hop). */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.inFlight === 0 ? fn() : this.queue.then(fn, fn);
    this.inFlight++;
    const settle = () => { this.inFlight--; };
    this.queue = next.then(settle, settle);
    return next;
  }

  private exchange(command: string, data: string, prompt: boolean, timeoutMs: number): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        this.waiter = null;
        reject(new QinheError('QH_SMS_TIMEOUT', `modem did not answer ${command} within ${timeoutMs} ms`, { details: { command } }));
      }, timeoutMs);
      this.buffer = '';
      this.waiter = { command, prompt, lines: [], resolve, reject, timer };
      this.port.write(data);
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer += chunk.toString('latin1');
    const w = this.waiter;
    if (!w) {
      this.buffer = this.buffer.slice(-256); // unsolicited chatter while idle: keep a little, never grow
      return;
    }
    if (w.prompt && /(^|\n)> ?$/.test(this.buffer.replace(/\r/g, ''))) return this.finish(w, null);
    let i: number;
    while ((i = this.buffer.search(/[\r\n]/)) >= 0) {
      const line = this.buffer.slice(0, i).trim();
      this.buffer = this.buffer.slice(i + 1);
      if (!line || line === w.command) continue;
      if (line === 'OK') return this.finish(w, null);
      if (line === 'ERROR') return this.finish(w, new QinheError('QH_SMS_FAILED', `modem answered ERROR to ${w.command}`, { details: { command: w.command } }));
      const m = FINAL_ERROR.exec(line);
      if (m) {
        return this.finish(w, new QinheError('QH_SMS_FAILED', `modem answered ${line} to ${w.command}`,
          { details: { command: w.command, type: m[1], code: m[2] } }));
      }
      w.lines.push(line);
    }
  }

  private finish(w: Waiter, err: Error | null): void {
    this.timers.clearTimeout(w.timer);
    this.waiter = null;
    if (err) {
      this.logger.warn({ command: w.command, err: err.message }, 'modem command failed');
      w.reject(err);
    } else {
      w.resolve(w.lines);
    }
  }

  private fail(err: Error): void {
    const w = this.waiter;
    if (!w) return;
    this.timers.clearTimeout(w.timer);
    this.waiter = null;
    w.reject(err);
  }
}
