/**
 * Finds RTU frames in a byte stream. A frame has no length field in its header, so its length follows from
 * the function code (Modbus over Serial Line V1.02 §2.5.1; Application Protocol §6). The framer
 *   - discards leading garbage instead of throwing (idea from zwave-js's SerialAPIParser),
 *   - keeps an incomplete frame across chunks, and splits two frames that arrive in one chunk,
 *   - reports a complete frame with a bad CRC as `crc-error`, unless a valid frame follows it in the buffer.
 * On the master side `expect` narrows candidates to the awaited unit and function (or its exception), so
 * stray bytes rarely look like a header; the caller still checks every frame against its request.
 */
import { crcOk } from './crc.js';

export type FramerEvent =
  | { kind: 'frame'; frame: Buffer }
  | { kind: 'crc-error'; frame: Buffer }
  | { kind: 'garbage'; bytes: Buffer };

/** `reply`: frames a master receives; `request`: frames a slave (simulator, proxy) receives. */
export type FrameDirection = 'reply' | 'request';

type Length = number | 'more' | 'no';

/** Longest RTU frame (§2.5.1): 256 bytes. Anything buffered beyond twice that is dropped. */
const MAX_FRAME = 256;

export class RtuFramer {
  private buf: Buffer = Buffer.alloc(0);
  expect: { unit: number; fc: number } | undefined;

  constructor(private readonly direction: FrameDirection) {}

  get pending(): number {
    return this.buf.length;
  }

  /** Drops buffered bytes (after a timeout or before a new request); returns them for logs. */
  reset(): Buffer {
    const old = this.buf;
    this.buf = Buffer.alloc(0);
    return old;
  }

  push(chunk: Buffer): FramerEvent[] {
    let buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const events: FramerEvent[] = [];
    if (buf.length > 2 * MAX_FRAME) {
      events.push({ kind: 'garbage', bytes: buf.subarray(0, buf.length - MAX_FRAME) });
      buf = buf.subarray(buf.length - MAX_FRAME);
    }
    let i = 0;
    let garbageFrom = 0;
    const flushGarbage = (to: number): void => {
      if (to > garbageFrom) events.push({ kind: 'garbage', bytes: Buffer.from(buf.subarray(garbageFrom, to)) });
      garbageFrom = to;
    };
    while (i < buf.length) {
      const len = this.lengthAt(buf, i);
      if (len === 'no') { i++; continue; }
      if (len === 'more' || i + len > buf.length) {
        const later = this.validFrameAfter(buf, i + 1);
        if (later === -1) break;
        i = later;
        continue;
      }
      if (crcOk(buf, i, i + len)) {
        flushGarbage(i);
        events.push({ kind: 'frame', frame: Buffer.from(buf.subarray(i, i + len)) });
        i += len;
        garbageFrom = i;
        continue;
      }
      const later = this.validFrameAfter(buf, i + 1);
      if (later !== -1) { i = later; continue; }
      flushGarbage(i);
      events.push({ kind: 'crc-error', frame: Buffer.from(buf.subarray(i, i + len)) });
      i += len;
      garbageFrom = i;
    }
    flushGarbage(i);
    this.buf = Buffer.from(buf.subarray(i));
    return events;
  }

  private validFrameAfter(buf: Buffer, from: number): number {
    for (let j = from; j + 4 <= buf.length; j++) {
      const len = this.lengthAt(buf, j);
      if (typeof len === 'number' && j + len <= buf.length && crcOk(buf, j, j + len)) return j;
    }
    return -1;
  }

  private lengthAt(buf: Buffer, i: number): Length {
    return this.direction === 'reply' ? this.replyLengthAt(buf, i) : requestLengthAt(buf, i);
  }

  private replyLengthAt(buf: Buffer, i: number): Length {
    const unit = buf[i];
    if (unit === undefined) return 'more';
    if (unit < 1 || unit > 247 || (this.expect && unit !== this.expect.unit)) return 'no';
    const fc = buf[i + 1];
    if (fc === undefined) return 'more';
    if (this.expect && fc !== this.expect.fc && fc !== (this.expect.fc | 0x80)) return 'no';
    if (fc & 0x80) return KNOWN.has(fc & 0x7f) ? 5 : 'no';
    if (fc >= 1 && fc <= 4) {
      const count = buf[i + 2];
      if (count === undefined) return 'more';
      return count === 0 || count > 250 ? 'no' : 5 + count;
    }
    return fc === 5 || fc === 6 || fc === 15 || fc === 16 ? 8 : 'no';
  }
}

const KNOWN = new Set([1, 2, 3, 4, 5, 6, 15, 16]);

function requestLengthAt(buf: Buffer, i: number): Length {
  const unit = buf[i];
  if (unit === undefined) return 'more';
  if (unit > 247) return 'no';
  const fc = buf[i + 1];
  if (fc === undefined) return 'more';
  if (fc >= 1 && fc <= 6) return 8;
  if (fc === 15 || fc === 16) {
    const count = buf[i + 6];
    if (count === undefined) return 'more';
    return count === 0 || count > 246 ? 'no' : 9 + count;
  }
  return 'no';
}
