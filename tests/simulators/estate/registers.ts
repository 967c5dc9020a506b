/**
 * Register maps for simulated units, written in engineering units and encoded with the profile's own point
 * definitions (scale, offset, type), so the simulator and the driver agree by construction.
 */
import type { ModbusPoint, ProfileConfig } from '../../../config/schema.js';
import type { UnitInit } from '../modbus/unit-memory.js';

/** Normal (quiet) values by point name; anything not listed rests at 0 / false. */
const NORMAL: Record<string, number | boolean> = {
  current: 2.4, power: 520, temperature: 24, state: 1, faultBits: 0, enable: true,
  alarm: false, obscuration: 0.05, lel: 0, level: 40,
};

/** The raw 16-bit words (one, or two for 32-bit types) of an engineering value. */
export function encodeWords(point: ModbusPoint, value: number): number[] {
  const raw = Math.round((value - point.offset) / point.scale);
  switch (point.type) {
    case 'int16': return [raw & 0xffff];
    case 'uint16': return [Math.max(0, raw) & 0xffff];
    case 'int32':
    case 'uint32': {
      const hi = Math.floor(raw / 0x10000) & 0xffff;
      const lo = raw & 0xffff;
      return point.wordOrder === 'big' ? [hi, lo] : [lo, hi];
    }
    case 'float32': {
      const b = Buffer.alloc(4);
      b.writeFloatBE(value);
      const hi = b.readUInt16BE(0);
      const lo = b.readUInt16BE(2);
      return point.wordOrder === 'big' ? [hi, lo] : [lo, hi];
    }
    default: return [raw & 0xffff];
  }
}

export function isBitTable(point: ModbusPoint): boolean {
  return point.table === 'coil' || point.table === 'discrete';
}

/** The initial memory of one unit of this profile. */
export function normalUnit(profile: ProfileConfig): UnitInit {
  const init: Required<UnitInit> = { holding: {}, input: {}, coil: {}, discrete: {} };
  for (const p of profile.points) {
    const v = NORMAL[p.name] ?? (isBitTable(p) ? false : 0);
    if (p.table === 'coil' || p.table === 'discrete') {
      init[p.table][p.address] = Boolean(v);
    } else {
      encodeWords(p, Number(v)).forEach((w, i) => { init[p.table as 'holding' | 'input'][p.address + i] = w; });
    }
  }
  return init;
}
