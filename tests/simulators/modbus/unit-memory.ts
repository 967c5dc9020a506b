/** The four Modbus tables of one simulated unit. Unset registers read 0; only `limit` addresses exist. */
export type TableName = 'holding' | 'input' | 'coil' | 'discrete';

export interface UnitInit {
  holding?: Record<number, number>;
  input?: Record<number, number>;
  coil?: Record<number, boolean>;
  discrete?: Record<number, boolean>;
}

export class UnitMemory {
  readonly words = { holding: new Map<number, number>(), input: new Map<number, number>() };
  readonly bits = { coil: new Map<number, boolean>(), discrete: new Map<number, boolean>() };

  /** Addresses at or above `limit` answer "illegal data address" (exception 2). */
  constructor(init: UnitInit = {}, readonly limit = 10_000) {
    for (const [a, v] of Object.entries(init.holding ?? {})) this.words.holding.set(Number(a), v & 0xffff);
    for (const [a, v] of Object.entries(init.input ?? {})) this.words.input.set(Number(a), v & 0xffff);
    for (const [a, v] of Object.entries(init.coil ?? {})) this.bits.coil.set(Number(a), v);
    for (const [a, v] of Object.entries(init.discrete ?? {})) this.bits.discrete.set(Number(a), v);
  }

  set(table: TableName, address: number, value: number | boolean): void {
    if (table === 'holding' || table === 'input') this.words[table].set(address, Number(value) & 0xffff);
    else this.bits[table].set(address, Boolean(value));
  }

  get(table: TableName, address: number): number | boolean {
    if (table === 'holding' || table === 'input') return this.words[table].get(address) ?? 0;
    return this.bits[table].get(address) ?? false;
  }

  inRange(address: number, count: number): boolean {
    return address + count <= this.limit;
  }
}
