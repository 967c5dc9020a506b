/**
 * Two in-memory ByteLinks joined back to back, for machines without socat: the box's Modbus driver opens one
 * end (through DriverOptions.modbus.openPort), the simulated line serves the other. Bytes cross on the next
 * tick, as they would through a kernel buffer.
 */
import { EventEmitter } from 'node:events';
import { QinheError } from '../../../runtime/core/errors.js';
import type { ByteLink, LinkEvents } from '../../../drivers/transport/types.js';

class PairEnd implements ByteLink {
  readonly events = new EventEmitter();
  peer: PairEnd | undefined;
  private open_ = false;

  constructor(readonly path: string) {}

  get isOpen(): boolean {
    return this.open_;
  }

  async open(): Promise<void> {
    this.open_ = true;
  }

  async write(data: Buffer): Promise<void> {
    if (!this.open_) throw new QinheError('QH_SERIAL_GONE', `${this.path} is not open`);
    const peer = this.peer;
    const copy = Buffer.from(data);
    setImmediate(() => { if (peer?.isOpen) peer.events.emit('data', copy); });
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.open_ = false;
  }

  on<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): void {
    this.events.on(event, listener);
  }

  off<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): void {
    this.events.off(event, listener);
  }
}

/** Returns [boxEnd, simulatorEnd]. */
export function linkPair(path: string): [ByteLink, ByteLink] {
  const a = new PairEnd(path);
  const b = new PairEnd(`${path}.sim`);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
