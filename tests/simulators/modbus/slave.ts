/**
 * A Modbus RTU slave core: one request frame in, one reply frame (or silence) out, for many units, with
 * injectable faults per unit: silent, exception, bad CRC. Used by SimulatedModbusLine (over a PTY) and by unit
 * tests (over a MockLink).
 */
import { withCrc } from '../../../drivers/modbus/crc.js';
import { packBits } from '../../../drivers/modbus/pdu.js';
import { UnitMemory, type TableName } from './unit-memory.js';

export interface UnitFaults {
  silent?: boolean;
  /** Answer every request with this exception code. */
  exception?: number;
  badCrc?: boolean;
}

const READ_TABLE: Record<number, TableName> = { 1: 'coil', 2: 'discrete', 3: 'holding', 4: 'input' };

export class ModbusSlave {
  readonly faults = new Map<number, UnitFaults>();
  requests = 0;

  constructor(readonly units: Map<number, UnitMemory>) {}

  fault(unit: number, faults: UnitFaults): void {
    this.faults.set(unit, { ...this.faults.get(unit), ...faults });
  }

  /** The reply to a CRC-valid request frame, or undefined for silence (unknown or silent unit, broadcast). */
  handle(frame: Buffer): Buffer | undefined {
    this.requests += 1;
    const unit = frame[0] ?? 0;
    const fc = frame[1] ?? 0;
    const mem = this.units.get(unit);
    const faults = this.faults.get(unit) ?? {};
    if (!mem || unit === 0 || faults.silent) return undefined;
    const body = faults.exception ? [unit, fc | 0x80, faults.exception] : this.execute(mem, frame);
    const out = withCrc(Uint8Array.from(body));
    if (faults.badCrc) out[out.length - 1] = (out[out.length - 1] ?? 0) ^ 0x5a;
    return out;
  }

  private execute(mem: UnitMemory, frame: Buffer): number[] {
    const unit = frame[0] ?? 0;
    const fc = frame[1] ?? 0;
    const address = frame.readUInt16BE(2);
    const exception = (code: number) => [unit, fc | 0x80, code];
    const table = READ_TABLE[fc];
    if (table) {
      const count = frame.readUInt16BE(4);
      if (!mem.inRange(address, count)) return exception(2);
      if (fc <= 2) {
        const bits = Array.from({ length: count }, (_, i) => Boolean(mem.get(table, address + i)));
        const bytes = packBits(bits);
        return [unit, fc, bytes.length, ...bytes];
      }
      const data = Array.from({ length: count }, (_, i) => Number(mem.get(table, address + i)));
      return [unit, fc, count * 2, ...data.flatMap((v) => [v >> 8, v & 0xff])];
    }
    if (fc === 5 || fc === 6) {
      if (!mem.inRange(address, 1)) return exception(2);
      const value = frame.readUInt16BE(4);
      if (fc === 5) mem.set('coil', address, value === 0xff00);
      else mem.set('holding', address, value);
      return [...frame.subarray(0, 6)];
    }
    if (fc === 15 || fc === 16) {
      const count = frame.readUInt16BE(4);
      if (!mem.inRange(address, count)) return exception(2);
      for (let i = 0; i < count; i++) {
        if (fc === 15) mem.set('coil', address + i, (((frame[7 + (i >> 3)] ?? 0) >> (i & 7)) & 1) === 1);
        else mem.set('holding', address + i, frame.readUInt16BE(7 + i * 2));
      }
      return [...frame.subarray(0, 6)];
    }
    return exception(1);
  }
}
