/**
 * A fault proxy between two PTY pairs: master ⇄ [a1|a2] proxy [b1|b2] ⇄ slave. Requests pass untouched;
 * each reply frame gets a fault drawn from a seeded schedule: delayed (arrives after the master's timeout),
 * corrupted (one byte flipped → bad CRC), truncated, garbled (noise around it), or duplicated. It records
 * what it did so a test can prove the faults happened.
 */
import { RtuFramer } from '../../../drivers/modbus/rtu-framer.js';
import { SerialLink } from '../../../drivers/transport/serial.js';
import type { ByteLink } from '../../../drivers/transport/types.js';
import { mulberry32 } from '../estate/scenario.js';

export type Fault = 'pass' | 'delay' | 'corrupt' | 'truncate' | 'garble' | 'duplicate';

export interface FaultProxyOptions {
  /** Relative weights of each fault. */
  weights: Partial<Record<Fault, number>>;
  /** Delay range for 'delay' (ms). */
  delayMs: [number, number];
  seed?: number;
}

export class FaultProxy {
  readonly applied: Record<Fault, number> = { pass: 0, delay: 0, corrupt: 0, truncate: 0, garble: 0, duplicate: 0 };
  private master: ByteLink | undefined;
  private slave: ByteLink | undefined;
  private readonly framer = new RtuFramer('reply');
  private readonly timers = new Set<NodeJS.Timeout>();
  private rng: () => number;

  constructor(private readonly options: FaultProxyOptions) {
    this.rng = mulberry32(options.seed ?? 1);
  }

  /** masterSide: the PTY end facing the master (a2); slaveSide: the end facing the slave (b1). */
  async attach(masterSide: string, slaveSide: string): Promise<void> {
    const opts = { baud: 9600, parity: 'none' as const, stopBits: 1 as const, dataBits: 8 as const };
    this.master = new SerialLink({ path: masterSide, ...opts });
    this.slave = new SerialLink({ path: slaveSide, ...opts });
    await this.master.open();
    await this.slave.open();
    this.master.on('data', (chunk) => { void this.slave?.write(chunk).catch(() => undefined); });
    this.slave.on('data', (chunk) => {
      for (const ev of this.framer.push(chunk)) if (ev.kind === 'frame') this.forward(ev.frame);
    });
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.master?.close();
    await this.slave?.close();
  }

  private forward(frame: Buffer): void {
    const fault = this.pick();
    this.applied[fault] += 1;
    const send = (b: Buffer, after = 0) => {
      const go = () => { void this.master?.write(b).catch(() => undefined); };
      if (after <= 0) { go(); return; }
      const t = setTimeout(() => { this.timers.delete(t); go(); }, after);
      this.timers.add(t);
    };
    const [lo, hi] = this.options.delayMs;
    switch (fault) {
      case 'pass': send(frame); break;
      case 'delay': send(frame, lo + this.rng() * (hi - lo)); break;
      case 'corrupt': {
        const bad = Buffer.from(frame);
        const i = 3 + Math.floor(this.rng() * (bad.length - 3));
        bad[i] = (bad[i] ?? 0) ^ (1 + Math.floor(this.rng() * 255));
        send(bad);
        break;
      }
      case 'truncate': send(frame.subarray(0, Math.max(1, frame.length - 1 - Math.floor(this.rng() * 3)))); break;
      case 'garble': send(Buffer.concat([this.noise(), frame, this.noise()])); break;
      case 'duplicate': send(Buffer.concat([frame, frame])); break;
    }
  }

  private noise(): Buffer {
    return Buffer.from(Array.from({ length: 1 + Math.floor(this.rng() * 6) }, () => Math.floor(this.rng() * 256)));
  }

  private pick(): Fault {
    const entries = Object.entries(this.options.weights) as [Fault, number][];
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.rng() * total;
    for (const [fault, w] of entries) {
      r -= w;
      if (r < 0) return fault;
    }
    return 'pass';
  }
}

