/**
 * ByteLink over serialport 13. serialport opens and configures the port (termios); the bytes then move
 * through its binding directly, not through its stream: a Modbus master moves a few bytes every few
 * milliseconds on four lines, and the stream path costs, per chunk, two reads on libuv's threadpool (the
 * second one failing with EAGAIN, an exception) plus the stream machinery. Here the binding's poller (epoll)
 * says "readable" and we read the non-blocking fd at once; writes go straight to the fd (an RTU frame always
 * fits the tty buffer; a full buffer falls back to the binding's own waiting write). Drain and flush stay on
 * the binding (tcdrain, tcflush).
 *
 * A disappearing USB adapter shows up as a read or write error (EIO, ENXIO, EBADF), a hung-up tty reading
 * end-of-file, or a `close` event with `disconnected: true`; each becomes one `lost` event.
 *
 * bindings-cpp keeps every port's poller forever: its native object holds its callback (bound to the JS
 * poller) in a strong reference, and `destroy()` never deletes it (node-serialport #1582; the N-API port left
 * `delete obj` commented out). That is about 0.4 KB per open (0.17 KB of JS heap, measured), one per unplug.
 * Breaking the cycle from here (dropping the JS poller's native handle) is not safe: the native destructor
 * would then run at some later GC and call uv_poll_stop on an fd number that a newer port may have reused,
 * removing that port's epoll registration. So nothing of ours may stay on an ended link's poller: our only
 * listener is a `once('readable')`, which the binding's close answers with "Canceled".
 */
import { EventEmitter } from 'node:events';
import { readSync, writeSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { QinheError } from '../../runtime/core/errors.js';
import type { ByteLink, LinkEvents, LinkOptions, OpenLink } from './types.js';

/** What serialport's Linux/macOS binding (bindings-cpp) has beyond its public interface. */
interface PollerBinding {
  fd: number;
  poller: { once(event: 'readable', cb: (err: Error | null) => void): unknown };
  write(data: Buffer): Promise<void>;
  drain(): Promise<void>;
  flush(): Promise<void>;
}

const RETRY = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);
const READ_CHUNK = 512; // twice the longest RTU frame

export class SerialLink implements ByteLink {
  private port: SerialPort | undefined;
  private binding: PollerBinding | undefined;
  private readonly events = new EventEmitter();
  private readonly readBuf = Buffer.alloc(READ_CHUNK);
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
    port.on('close', (err: Error | null) => this.onClose(err));
    port.on('error', (err: Error) => this.onClose(err));
    this.port = port;
    const binding = port.port as unknown as Partial<PollerBinding> | undefined;
    if (typeof binding?.fd === 'number' && binding.poller) {
      this.binding = binding as PollerBinding;
      this.awaitReadable(this.binding);
    } else {
      // A binding without a poller (Windows): the stream path.
      port.on('data', (chunk: Buffer) => this.events.emit('data', chunk));
    }
  }

  private awaitReadable(b: PollerBinding): void {
    b.poller.once('readable', (err) => this.onReadable(b, err));
  }

  private onReadable(b: PollerBinding, err: Error | null): void {
    if (this.closing || this.binding !== b) return; // our own close cancels the poller: not a loss
    if (err) { this.onClose(err); return; }
    for (;;) {
      let n: number;
      try {
        n = readSync(b.fd, this.readBuf, 0, READ_CHUNK, null);
      } catch (e) {
        if (RETRY.has((e as NodeJS.ErrnoException).code ?? '')) break;
        this.onClose(e as Error);
        return;
      }
      // VMIN=1 non-blocking: no data is EAGAIN, so end-of-file means the tty was hung up (adapter gone).
      if (n === 0) { this.onClose(new Error('end of file (hung up)')); return; }
      this.events.emit('data', Buffer.from(this.readBuf.subarray(0, n)));
      if (n < READ_CHUNK || this.binding !== b) break;
    }
    // A `data` listener may have closed the link (its binding's poller already stopped and destroyed): arming
    // that poller again crashed the process (SIGSEGV) and kept this link alive through it.
    if (this.binding === b) this.awaitReadable(b);
  }

  private onClose(err: Error | null): void {
    if (this.closing || this.port === undefined) return;
    const port = this.port;
    this.port = undefined;
    this.binding = undefined;
    const reason = err ?? new Error('port closed');
    if (port.isOpen) port.close(() => undefined); // a read/write error leaves the fd open: release it
    this.events.emit('lost', new QinheError('QH_SERIAL_GONE', `${this.options.path}: ${reason.message}`, { cause: reason }));
  }

  async write(data: Buffer): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) throw new QinheError('QH_SERIAL_GONE', `${this.options.path} is not open`);
    const b = this.binding;
    await (b ? this.writeDirect(b, data) : new Promise<void>((resolve, reject) => {
      port.write(data, (err) => (err ? reject(err) : port.drain((e) => (e ? reject(e) : resolve()))));
    })).catch((err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      this.onClose(e);
      throw new QinheError('QH_SERIAL_GONE', `write to ${this.options.path} failed: ${e.message}`, { cause: e });
    });
  }

  private async writeDirect(b: PollerBinding, data: Buffer): Promise<void> {
    let sent = 0;
    try {
      sent = writeSync(b.fd, data);
    } catch (e) {
      if (!RETRY.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
    if (sent < data.length) await b.write(data.subarray(sent)); // waits for "writable" itself
    await b.drain();
  }

  async flush(): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return;
    // tcflush on a PTY whose peer vanished may fail; the read side reports that, not flush.
    await (this.binding ? this.binding.flush().catch(() => undefined) : new Promise<void>((resolve) => port.flush(() => resolve())));
  }

  async close(): Promise<void> {
    const port = this.port;
    this.closing = true;
    this.port = undefined;
    this.binding = undefined;
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
