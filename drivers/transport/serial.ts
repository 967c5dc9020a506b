/**
 * ByteLink over serialport 13. A disappearing USB adapter shows up as a `close` event with
 * `disconnected: true`, or as EIO on write; both become one `lost` event.
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { QinheError } from '../../runtime/core/errors.js';
import type { ByteLink, LinkEvents, LinkOptions, OpenLink } from './types.js';

export class SerialLink implements ByteLink {
  private port: SerialPort | undefined;
  private readonly events = new EventEmitter();
  private closing = false;

  constructor(private readonly options: LinkOptions) {}

  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    this.closing = false;
    const { path, baud, parity, stopBits, dataBits } = this.options;
    const port = new SerialPort({ path, baudRate: baud, parity, stopBits, dataBits, autoOpen: false, hupcl: false });
    await new Promise<void>((resolve, reject) => {
      port.open((err) => {
        if (err) reject(new QinheError('QH_SERIAL_OPEN', `cannot open ${path}: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
    port.on('data', (chunk: Buffer) => this.events.emit('data', chunk));
    port.on('close', (err: Error | null) => this.onClose(err));
    port.on('error', (err: Error) => this.onClose(err));
    this.port = port;
  }

  private onClose(err: Error | null): void {
    if (this.closing || this.port === undefined) return;
    this.port = undefined;
    const reason = err ?? new Error('port closed');
    this.events.emit('lost', new QinheError('QH_SERIAL_GONE', `${this.options.path}: ${reason.message}`, { cause: reason }));
  }

  async write(data: Buffer): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) throw new QinheError('QH_SERIAL_GONE', `${this.options.path} is not open`);
    await new Promise<void>((resolve, reject) => {
      port.write(data, (err) => (err ? reject(err) : port.drain((e) => (e ? reject(e) : resolve()))));
    }).catch((err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      this.onClose(e);
      throw new QinheError('QH_SERIAL_GONE', `write to ${this.options.path} failed: ${e.message}`, { cause: e });
    });
  }

  async flush(): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return;
    // tcflush on a PTY whose peer vanished may fail; the close event reports that, not flush.
    await new Promise<void>((resolve) => port.flush(() => resolve()));
  }

  async close(): Promise<void> {
    const port = this.port;
    this.closing = true;
    this.port = undefined;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  on<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): void {
    this.events.on(event, listener);
  }

  off<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): void {
    this.events.off(event, listener);
  }
}

export const openSerialLink: OpenLink = (options) => new SerialLink(options);
