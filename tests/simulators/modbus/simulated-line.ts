/**
 * A simulated RS-485 line for the demo, the bench and tests: many units served from register maps over a
 * ByteLink (a socat PTY end via attach(path), or a MockLink via connect()). Values are settable from code so a
 * scenario can heat a charging point; faults (silent unit, exception, bad CRC) are injectable per unit.
 * `turnaroundMs` and `baud` make replies take realistic time (PTYs have no baud rate of their own).
 *
 *   const line = new SimulatedModbusLine({ units: new Map([[7, { input: { 0: 235 } }]]) });
 *   await line.attach('/tmp/qinhe-sim-b');   line.setRegister(7, 'input', 0, 612);   line.setSilent(7, true);
 */
import { RtuFramer } from '../../../drivers/modbus/rtu-framer.js';
import { wireMs } from '../../../drivers/modbus/timing.js';
import { SerialLink } from '../../../drivers/transport/serial.js';
import type { ByteLink } from '../../../drivers/transport/types.js';
import { ModbusSlave } from './slave.js';
import { UnitMemory, type TableName, type UnitInit } from './unit-memory.js';

export interface SimulatedLineOptions {
  units: Map<number, UnitInit>;
  /** Slave processing time before a reply (default 0). */
  turnaroundMs?: number;
  /** Emulated baud rate: replies are delayed by their wire time (default: none). */
  baud?: number;
  /** Addresses ≥ limit answer exception 2 (default 10000). */
  limit?: number;
}

export class SimulatedModbusLine {
  readonly slave: ModbusSlave;
  private link: ByteLink | undefined;
  private readonly framer = new RtuFramer('request');
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: SimulatedLineOptions) {
    const units = new Map<number, UnitMemory>();
    for (const [unit, init] of options.units) units.set(unit, new UnitMemory(init, options.limit));
    this.slave = new ModbusSlave(units);
  }

  /** Opens a serial device (a PTY end) and serves on it. */
  async attach(path: string): Promise<void> {
    const link = new SerialLink({ path, baud: this.options.baud ?? 9600, parity: 'none', stopBits: 1, dataBits: 8 });
    await link.open();
    this.connect(link);
  }

  connect(link: ByteLink): void {
    this.link = link;
    link.on('data', (chunk) => {
      for (const ev of this.framer.push(chunk)) if (ev.kind === 'frame') this.reply(ev.frame);
    });
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.link?.close();
    this.link = undefined;
  }

  setRegister(unit: number, table: TableName, address: number, value: number | boolean): void {
    this.memory(unit).set(table, address, value);
  }

  getRegister(unit: number, table: TableName, address: number): number | boolean {
    return this.memory(unit).get(table, address);
  }

  setSilent(unit: number, silent: boolean): void {
    this.slave.fault(unit, { silent });
  }

  /** Every request to the unit gets this exception code (undefined: normal answers). */
  setException(unit: number, code: number | undefined): void {
    const f = this.slave.faults.get(unit) ?? {};
    delete f.exception;
    this.slave.faults.set(unit, code === undefined ? f : { ...f, exception: code });
  }

  setBadCrc(unit: number, bad: boolean): void {
    this.slave.fault(unit, { badCrc: bad });
  }

  private memory(unit: number): UnitMemory {
    const mem = this.slave.units.get(unit);
    if (!mem) throw new Error(`simulated line has no unit ${unit}`);
    return mem;
  }

  private reply(frame: Buffer): void {
    const out = this.slave.handle(frame);
    if (!out) return;
    const baud = this.options.baud;
    // Emulated wire: the request took its time to arrive, then the slave thinks, then the reply takes its time.
    const wire = (bytes: number) => (baud ? wireMs(bytes, { baud, dataBits: 8, parity: 'none', stopBits: 1 }) : 0);
    const delay = (this.options.turnaroundMs ?? 0) + wire(frame.length) + wire(out.length);
    const send = () => { void this.link?.write(out).catch(() => undefined); };
    if (delay <= 0) { send(); return; }
    const t = setTimeout(() => { this.timers.delete(t); send(); }, delay);
    this.timers.add(t);
  }
}
