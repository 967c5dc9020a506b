import { describe, expect, it } from 'vitest';
import { crc16, crcOk, withCrc } from '../../../drivers/modbus/crc.js';
import { RtuFramer, type FramerEvent } from '../../../drivers/modbus/rtu-framer.js';

// Reference frame from the Modbus spec (Application Protocol §6.3): read 3 holding registers from 0x006B of
// unit 0x11 → `11 03 00 6B 00 03` + CRC `76 87`.
const SPEC_REQUEST = Buffer.from('1103006b00037687', 'hex');

function reply(unit: number, values: number[]): Buffer {
  const body = [unit, 3, values.length * 2, ...values.flatMap((v) => [v >> 8, v & 0xff])];
  return withCrc(Uint8Array.from(body));
}

const frames = (events: FramerEvent[]) => events.filter((e) => e.kind === 'frame').map((e) => (e.kind === 'frame' ? e.frame.toString('hex') : ''));

describe('CRC-16/MODBUS', () => {
  it('matches the CRC of the spec example request', () => {
    expect(crc16(SPEC_REQUEST, 0, 6)).toBe(0x8776);
    expect(crcOk(SPEC_REQUEST)).toBe(true);
  });

  it('rejects a frame with one flipped bit', () => {
    const bad = Buffer.from(SPEC_REQUEST);
    bad[3] = (bad[3] ?? 0) ^ 0x01;
    expect(crcOk(bad)).toBe(false);
  });
});

describe('RtuFramer (replies)', () => {
  it('yields one frame from one chunk', () => {
    const f = new RtuFramer('reply');
    const r = reply(7, [0x1234, 0xabcd]);
    expect(frames(f.push(r))).toEqual([r.toString('hex')]);
    expect(f.pending).toBe(0);
  });

  it('joins a frame split across chunks, byte by byte', () => {
    const f = new RtuFramer('reply');
    const r = reply(7, [1, 2, 3]);
    const out: FramerEvent[] = [];
    for (const b of r) out.push(...f.push(Buffer.from([b])));
    expect(frames(out)).toEqual([r.toString('hex')]);
  });

  it('splits two frames that arrive in one chunk', () => {
    const f = new RtuFramer('reply');
    const a = reply(1, [10]);
    const b = reply(2, [20, 21]);
    expect(frames(f.push(Buffer.concat([a, b])))).toEqual([a.toString('hex'), b.toString('hex')]);
  });

  it('discards leading garbage, even garbage that looks like a header', () => {
    const f = new RtuFramer('reply');
    const r = reply(5, [42]);
    // 0x05 0x03 0xF0 claims a 245-byte frame; the real frame after it must still be found.
    const events = f.push(Buffer.concat([Buffer.from([0x00, 0xff, 0x05, 0x03, 0xf0]), r]));
    expect(frames(events)).toEqual([r.toString('hex')]);
    expect(events[0]?.kind).toBe('garbage');
  });

  it('reports a complete frame with a bad CRC as crc-error, not as a frame', () => {
    const f = new RtuFramer('reply');
    const r = reply(5, [42]);
    r[4] = (r[4] ?? 0) ^ 0xff;
    const events = f.push(r);
    expect(frames(events)).toEqual([]);
    expect(events.map((e) => e.kind)).toEqual(['crc-error']);
  });

  it('parses an exception reply (5 bytes)', () => {
    const f = new RtuFramer('reply');
    const ex = withCrc(Uint8Array.from([9, 0x83, 2]));
    expect(frames(f.push(ex))).toEqual([ex.toString('hex')]);
  });

  it('with an expectation, skips a valid frame of another unit as garbage', () => {
    const f = new RtuFramer('reply');
    f.expect = { unit: 2, fc: 3 };
    const stale = reply(1, [99]);
    const mine = reply(2, [7]);
    const events = f.push(Buffer.concat([stale, mine]));
    expect(frames(events)).toEqual([mine.toString('hex')]);
  });

  it('keeps an incomplete frame until the rest arrives', () => {
    const f = new RtuFramer('reply');
    const r = reply(3, [1, 2]);
    expect(f.push(r.subarray(0, 4))).toEqual([]);
    expect(f.pending).toBe(4);
    expect(frames(f.push(r.subarray(4)))).toEqual([r.toString('hex')]);
  });
});

describe('RtuFramer (requests)', () => {
  it('frames the spec example request and a write-multiple request', () => {
    const f = new RtuFramer('request');
    const fc16 = withCrc(Uint8Array.from([1, 16, 0, 1, 0, 2, 4, 0, 10, 1, 2]));
    expect(frames(f.push(Buffer.concat([SPEC_REQUEST, fc16])))).toEqual([SPEC_REQUEST.toString('hex'), fc16.toString('hex')]);
  });
});
