/**
 * An in-memory ByteLink for tests and the bench: the test plays the device side. `respond` sees every written
 * frame and may `inject` bytes back (now or later); `unplug()` and `present` simulate a USB adapter going away.
 */
import { EventEmitter } from 'node:events';
import { QinheError } from '../../runtime/core/errors.js';
import type { ByteLink, LinkEvents, LinkOptions } from './types.js';

export class MockLink implements ByteLink {
  private readonly events = new EventEmitter();
  private open_ = false;
  /** False while the adapter is "unplugged": open() fails with ENOENT. */
  present = true;
  readonly written: Buffer[] = [];
  flushes = 0;
  respond: ((frame: Buffer, link: MockLink) => void) | undefined;

  constructor(readonly options: LinkOptions) {}

  get isOpen(): boolean {
    return this.open_;
  }

  async open(): Promise<void> {
    if (!this.present) throw new QinheError('QH_SERIAL_OPEN', `cannot open ${this.options.path}: ENOENT`);
    this.open_ = true;
  }

  async write(data: Buffer): Promise<void> {
    if (!this.open_) throw new QinheError('QH_SERIAL_GONE', `${this.options.path} is not open`);
    this.written.push(Buffer.from(data));
    this.respond?.(Buffer.from(data), this);
  }

  async flush(): Promise<void> {
    this.flushes += 1;
  }

  async close(): Promise<void> {
    this.open_ = false;
  }

  /** Device → master bytes. Ignored while closed, as a real port would. */
  inject(chunk: Buffer | number[]): void {
    if (this.open_) this.events.emit('data', Buffer.from(chunk));
  }

  unplug(): void {
    this.present = false;
    if (!this.open_) return;
    this.open_ = false;
    this.events.emit('lost', new QinheError('QH_SERIAL_GONE', `${this.options.path}: EIO (unplugged)`));
  }

  replug(): void {
    this.present = true;
  }

  on<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): void {
    this.events.on(event, listener);
  }

  off<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): void {
    this.events.off(event, listener);
  }
}
