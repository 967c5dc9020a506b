import { describe, expect, it } from 'vitest';
import { decodePoint, encodePoint } from '../../../drivers/modbus/codec.js';
import { writeRequest } from '../../../drivers/modbus/outputs.js';
import { planBlocks } from '../../../drivers/modbus/plan.js';
import { point } from './helpers.js';

describe('point codec', () => {
  it('decodes int16 as signed and uint16 as unsigned, then scales and offsets', () => {
    expect(decodePoint(point({ name: 't', table: 'input', address: 0, type: 'int16', scale: 0.1 }), 0, [0xff9c])).toBe(-10);
    expect(decodePoint(point({ name: 't', table: 'input', address: 0, type: 'uint16' }), 0, [0xff9c])).toBe(65436);
    expect(decodePoint(point({ name: 't', table: 'input', address: 1, scale: 0.1, offset: -40 }), 0, [0, 635])).toBe(23.5);
  });

  it('honours the word order of 32-bit values', () => {
    const big = point({ name: 'e', table: 'holding', address: 2, type: 'uint32' });
    const little = point({ name: 'e', table: 'holding', address: 2, type: 'uint32', wordOrder: 'little' });
    expect(decodePoint(big, 2, [0x0001, 0x0002])).toBe(0x00010002);
    expect(decodePoint(little, 2, [0x0001, 0x0002])).toBe(0x00020001);
    expect(decodePoint(point({ name: 'e', table: 'holding', address: 0, type: 'int32' }), 0, [0xffff, 0xfffe])).toBe(-2);
    expect(decodePoint(point({ name: 'f', table: 'holding', address: 0, type: 'float32' }), 0, [0x41bc, 0x0000])).toBe(23.5);
  });

  it('encodes what it decodes', () => {
    for (const p of [
      point({ name: 'a', table: 'holding', address: 0, type: 'float32', wordOrder: 'little' }),
      point({ name: 'b', table: 'holding', address: 0, type: 'int32', scale: 0.5 }),
      point({ name: 'c', table: 'holding', address: 0, type: 'int16', scale: 0.5, offset: 3 }),
    ]) {
      const raw = encodePoint(p, -12.5);
      expect('words' in raw ? decodePoint(p, 0, raw.words) : undefined).toBe(-12.5);
    }
  });

  it('reads bits as booleans and writes a coil with FC5, a register with FC6 and a 32-bit one with FC16', () => {
    expect(decodePoint(point({ name: 'd', table: 'discrete', address: 3, type: 'bool' }), 0, [false, false, false, true])).toBe(true);
    expect(writeRequest(1, point({ name: 'r', table: 'coil', address: 4, type: 'bool' }), true)).toEqual({ unit: 1, fc: 5, address: 4, value: true });
    expect(writeRequest(1, point({ name: 'r', table: 'holding', address: 4 }), 1)).toEqual({ unit: 1, fc: 6, address: 4, value: 1 });
    expect(writeRequest(1, point({ name: 'r', table: 'holding', address: 4, type: 'uint32' }), 65536)).toEqual({ unit: 1, fc: 16, address: 4, values: [1, 0] });
  });
});

describe('poll plan', () => {
  it('coalesces adjacent registers of one table and class into one read, but not across a gap', () => {
    const blocks = planBlocks(7, [
      point({ name: 'a', table: 'input', address: 0, pollClass: 'fast' }),
      point({ name: 'b', table: 'input', address: 1, type: 'uint32', pollClass: 'fast' }),
      point({ name: 'c', table: 'input', address: 3, pollClass: 'fast' }),
      point({ name: 'd', table: 'input', address: 10, pollClass: 'fast' }),
      point({ name: 'e', table: 'input', address: 4, pollClass: 'slow' }),
      point({ name: 'f', table: 'holding', address: 4, pollClass: 'fast' }),
    ]);
    expect(blocks.map((b) => [b.pollClass, b.fc, b.address, b.count, b.points.map((p) => p.name).join('')])).toEqual([
      ['fast', 3, 4, 1, 'f'], ['fast', 4, 0, 4, 'abc'], ['fast', 4, 10, 1, 'd'], ['slow', 4, 4, 1, 'e'],
    ]);
  });

  it('reads a DI module as one bit block (FC2) and coils with FC1', () => {
    const inputs = Array.from({ length: 16 }, (_, i) => point({ name: `in${i}`, table: 'discrete', address: i, type: 'bool', pollClass: 'fast' }));
    const blocks = planBlocks(2, [...inputs, point({ name: 'relay', table: 'coil', address: 0, type: 'bool' })]);
    expect(blocks.map((b) => [b.fc, b.address, b.count])).toEqual([[2, 0, 16], [1, 0, 1]]);
  });

  it('splits a run longer than 125 registers', () => {
    const many = Array.from({ length: 130 }, (_, i) => point({ name: `r${i}`, table: 'holding', address: i }));
    expect(planBlocks(1, many).map((b) => b.count)).toEqual([125, 5]);
  });
});
