/**
 * Poll plan: the points of a unit become as few reads as possible. Points of one unit, table and poll class
 * whose registers are adjacent (or overlap) are read in one request, up to the spec limits (125 registers,
 * 2000 bits). Gaps are not bridged: many devices answer "illegal data address" for unmapped registers.
 */
import type { ModbusPoint } from '../../config/schema.js';
import { isBitTable, pointWidth, type Table } from './codec.js';
import { MAX_READ_BITS, MAX_READ_REGISTERS, type ReadFc } from './pdu.js';

export interface Block {
  unit: number;
  table: Table;
  fc: ReadFc;
  address: number;
  count: number;
  pollClass: ModbusPoint['pollClass'];
  points: ModbusPoint[];
}

export const READ_FC: Record<Table, ReadFc> = { coil: 1, discrete: 2, holding: 3, input: 4 };

export function planBlocks(unit: number, points: ModbusPoint[]): Block[] {
  const groups = new Map<string, ModbusPoint[]>();
  for (const p of points) {
    const key = `${p.pollClass}/${p.table}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const blocks: Block[] = [];
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => a.address - b.address);
    let current: Block | undefined;
    for (const p of sorted) {
      const end = p.address + pointWidth(p);
      const max = isBitTable(p.table) ? MAX_READ_BITS : MAX_READ_REGISTERS;
      if (current && p.address <= current.address + current.count && end - current.address <= max) {
        current.count = Math.max(current.count, end - current.address);
        current.points.push(p);
        continue;
      }
      current = { unit, table: p.table, fc: READ_FC[p.table], address: p.address, count: end - p.address, pollClass: p.pollClass, points: [p] };
      blocks.push(current);
    }
  }
  return blocks.sort((a, b) => (a.pollClass === b.pollClass ? a.fc - b.fc || a.address - b.address : a.pollClass === 'fast' ? -1 : 1));
}
