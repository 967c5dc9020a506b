import { describe, expect, it } from 'vitest';
import { modbusPointSchema } from '../../../config/schema.js';
import { loadProfiles } from '../../../config/profiles.js';
import { decodePoint } from '../../../drivers/modbus/codec.js';
import { encodeWords, normalUnit } from '../../../tests/simulators/estate/registers.js';

const point = (p: Record<string, unknown>) => modbusPointSchema.parse({ name: 'x', table: 'holding', address: 0, ...p });

describe('simulated registers', () => {
  it('encode what the driver decodes, for every 16/32-bit type, scale and word order', () => {
    const cases: Array<[Record<string, unknown>, number]> = [
      [{ type: 'int16', scale: 0.1 }, -12.5], [{ type: 'int16', scale: 0.1 }, 71.5], [{ type: 'uint16', scale: 0.01 }, 6.5],
      [{ type: 'uint32' }, 123_456], [{ type: 'int32', wordOrder: 'little' }, 70_000], [{ type: 'float32' }, 3.25],
      [{ type: 'uint16', offset: -40, scale: 0.5 }, 20],
    ];
    for (const [def, value] of cases) {
      const p = point(def);
      expect(decodePoint(p, 0, encodeWords(p, value))).toBeCloseTo(value, 5);
    }
  });

  it('starts a charging point quiet: ambient temperature, no fault bits, port enabled', () => {
    const cp = loadProfiles().profiles.get('charging-point');
    if (!cp) throw new Error('charging-point profile missing');
    const unit = normalUnit(cp);
    const temp = cp.points.find((p) => p.name === 'temperature');
    if (!temp) throw new Error('no temperature point');
    expect(decodePoint(temp, 0, Object.assign([], unit.holding) as number[])).toBe(24);
    expect(unit.holding?.[4]).toBe(0);
    expect(unit.coil?.[0]).toBe(true);
  });
});
