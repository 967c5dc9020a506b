/**
 * Profile points ↔ raw Modbus data. 32-bit types span two registers; `wordOrder: big` puts the high word first
 * (the Modbus convention for most meters), `little` the low word first. Scaled value = raw × scale + offset.
 */
import type { ModbusPoint } from '../../config/schema.js';
import type { PointValue } from '../types.js';

export type Table = ModbusPoint['table'];

export function isBitTable(table: Table): boolean {
  return table === 'coil' || table === 'discrete';
}

/** Registers (or bits) a point occupies. */
export function pointWidth(point: Pick<ModbusPoint, 'table' | 'type'>): number {
  if (isBitTable(point.table)) return 1;
  return point.type === 'int32' || point.type === 'uint32' || point.type === 'float32' ? 2 : 1;
}

/** Decodes a point from the registers (or bits) of a block that starts at `blockAddress`. */
export function decodePoint(point: ModbusPoint, blockAddress: number, data: number[] | boolean[]): PointValue {
  const i = point.address - blockAddress;
  if (isBitTable(point.table)) {
    const bit = Boolean(data[i]);
    return point.type === 'bool' ? bit : scaled(point, bit ? 1 : 0);
  }
  const words = data as number[];
  const w0 = words[i] ?? 0;
  if (point.type === 'bool') return w0 !== 0;
  if (point.type === 'uint16') return scaled(point, w0);
  if (point.type === 'int16') return scaled(point, w0 >= 0x8000 ? w0 - 0x10000 : w0);
  const w1 = words[i + 1] ?? 0;
  const [hi, lo] = point.wordOrder === 'big' ? [w0, w1] : [w1, w0];
  const buf = Buffer.alloc(4);
  buf.writeUInt16BE(hi, 0);
  buf.writeUInt16BE(lo, 2);
  if (point.type === 'uint32') return scaled(point, buf.readUInt32BE(0));
  if (point.type === 'int32') return scaled(point, buf.readInt32BE(0));
  return scaled(point, buf.readFloatBE(0));
}

function scaled(point: ModbusPoint, raw: number): number {
  if (point.scale === 1 && point.offset === 0) return raw;
  // toPrecision trims binary noise such as 23.500000000000004 from 235 × 0.1.
  return Number((raw * point.scale + point.offset).toPrecision(12));
}

/** Raw registers (or one bit) that make a point read back as `value`. */
export function encodePoint(point: ModbusPoint, value: PointValue): { bits: boolean[] } | { words: number[] } {
  if (isBitTable(point.table)) return { bits: [toBool(value)] };
  if (point.type === 'bool') return { words: [toBool(value) ? 1 : 0] };
  const numeric = typeof value === 'number' ? value : toBool(value) ? 1 : 0;
  const raw = (numeric - point.offset) / point.scale;
  if (point.type === 'uint16' || point.type === 'int16') return { words: [Math.round(raw) & 0xffff] };
  const buf = Buffer.alloc(4);
  if (point.type === 'float32') buf.writeFloatBE(raw, 0);
  else if (point.type === 'int32') buf.writeInt32BE(Math.round(raw), 0);
  else buf.writeUInt32BE(Math.round(raw) >>> 0, 0);
  const hi = buf.readUInt16BE(0);
  const lo = buf.readUInt16BE(2);
  return { words: point.wordOrder === 'big' ? [hi, lo] : [lo, hi] };
}

function toBool(value: PointValue): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return ['1', 'true', 'on'].includes(value.toLowerCase());
}
