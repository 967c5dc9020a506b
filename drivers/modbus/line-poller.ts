/**
 * Polls the devices of one line: fast points (alarms) every fastPollMs, slow points (telemetry) every
 * slowPollMs. A cycle enqueues every due unit at once; the scheduler serialises them, a unit's own blocks run
 * one after another and stop at its first failure, so a dead unit costs one timeout per probe, not one per
 * block. A cycle still running when the next is due is not doubled up: the next one starts as soon as it ends.
 */
import type { Logger } from 'pino';
import type { ProfileConfig, SerialLineConfig } from '../../config/schema.js';
import { isQinheError } from '../../runtime/core/errors.js';
import type { Clock, FactSink, PointValue } from '../types.js';
import { decodePoint } from './codec.js';
import type { LineScheduler } from './line-scheduler.js';
import { round } from './line-health.js';
import type { Priority } from './job-queue.js';
import type { ModbusReply } from './pdu.js';
import { planBlocks, type Block } from './plan.js';
import { UnitTracker, type QuarantinePolicy } from './unit-tracker.js';

type PollClass = 'fast' | 'slow';

export interface PolledDevice {
  id: string;
  unit: number;
  profile: ProfileConfig;
}

interface Entry {
  device: PolledDevice;
  blocks: Block[];
  tracker: UnitTracker;
}

export interface CycleStats {
  count: number;
  lastMs: number | null;
  avgMs: number | null;
}

export class LinePoller {
  private readonly entries = new Map<string, Entry>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<PollClass, Promise<void>>();
  private readonly overdue = new Set<PollClass>();
  private readonly stats: Record<PollClass, { count: number; last: number; sum: number }> = {
    fast: { count: 0, last: 0, sum: 0 }, slow: { count: 0, last: 0, sum: 0 },
  };
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly args: {
    line: LineScheduler;
    config: SerialLineConfig;
    devices: PolledDevice[];
    facts: FactSink;
    clock: Clock;
    logger: Logger;
    quarantine?: Partial<QuarantinePolicy>;
  }) {
    const policy: QuarantinePolicy = {
      baseMs: args.quarantine?.baseMs ?? 2 * args.config.fastPollMs,
      maxMs: args.quarantine?.maxMs ?? 30_000,
    };
    const log = args.logger.child({ bus: args.config.id });
    for (const device of args.devices) {
      const tracker = new UnitTracker(device.id, device.unit, device.profile.offlineAfterS * 1000, policy, args.facts, args.clock, log);
      this.entries.set(device.id, { device, blocks: planBlocks(device.unit, device.profile.points), tracker });
    }
  }

  start(): void {
    this.stopped = false;
    this.unsubscribe = this.args.line.onLinkChange((up, err) => {
      for (const e of this.entries.values()) {
        if (up) e.tracker.linkUp();
        else e.tracker.linkDown(`serial port gone: ${err?.message ?? 'closed'}`);
      }
      if (up) this.kick();
    });
    this.kick();
    this.timers.push(setInterval(() => this.cycle('fast'), this.args.config.fastPollMs));
    this.timers.push(setInterval(() => this.cycle('slow'), this.args.config.slowPollMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.overdue.clear();
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.allSettled([...this.running.values()]);
  }

  device(id: string): PolledDevice | undefined {
    return this.entries.get(id)?.device;
  }

  cycleStats(): Record<PollClass, CycleStats> {
    const view = (s: { count: number; last: number; sum: number }): CycleStats =>
      ({ count: s.count, lastMs: s.count ? round(s.last) : null, avgMs: s.count ? round(s.sum / s.count) : null });
    return { fast: view(this.stats.fast), slow: view(this.stats.slow) };
  }

  /** Reads every point of a device now (command priority), bypassing quarantine. */
  async readDevice(id: string, priority: Priority = 'command'): Promise<Record<string, PointValue>> {
    const entry = this.entries.get(id);
    if (!entry) return {};
    const values: Record<string, PointValue> = {};
    for (const block of entry.blocks) {
      const reply = await this.args.line.request(readOf(block), { priority });
      Object.assign(values, this.decode(block, reply));
    }
    entry.tracker.ok();
    return values;
  }

  private kick(): void {
    void this.cycle('fast');
    void this.cycle('slow');
  }

  private cycle(cls: PollClass): Promise<void> {
    const existing = this.running.get(cls);
    if (existing) {
      // Overran its period: run once more right after, rather than losing a whole period or piling up.
      this.overdue.add(cls);
      return existing;
    }
    if (this.stopped || !this.args.line.isUp) return Promise.resolve();
    const started = this.args.clock.mono();
    const run = Promise.all([...this.entries.values()].map((e) => this.pollUnit(e, cls))).then(() => {
      const ms = this.args.clock.mono() - started;
      const s = this.stats[cls];
      s.count += 1;
      s.last = ms;
      s.sum += ms;
    }).finally(() => {
      this.running.delete(cls);
      if (this.overdue.delete(cls)) void this.cycle(cls);
    });
    this.running.set(cls, run);
    return run;
  }

  private async pollUnit(entry: Entry, cls: PollClass): Promise<void> {
    const blocks = entry.blocks.filter((b) => b.pollClass === cls);
    const { tracker } = entry;
    if (blocks.length === 0) return;
    if (!tracker.due()) { tracker.checkOffline(); return; }
    // A quarantined unit gets one attempt per probe, no retries: that keeps a dead unit's cost to one timeout.
    const retries = tracker.quarantined ? 0 : undefined;
    let degraded: string | undefined;
    for (const block of blocks) {
      if (this.stopped) return;
      try {
        const reply = await this.args.line.request(readOf(block), { priority: 'poll', ...(retries === undefined ? {} : { retries }) });
        this.emit(entry, block, reply);
      } catch (err) {
        if (isQinheError(err, 'QH_MODBUS_EXCEPTION')) { degraded = err.message; continue; }
        if (isQinheError(err, 'QH_SERIAL_GONE') || isQinheError(err, 'QH_MODBUS_LINE_STOPPED')) return;
        tracker.fail(err);
        return;
      }
    }
    tracker.ok(degraded);
  }

  private emit(entry: Entry, block: Block, reply: ModbusReply): void {
    const at = this.args.clock.now();
    const mono = this.args.clock.mono();
    for (const [point, value] of Object.entries(this.decode(block, reply))) {
      const unit = block.points.find((p) => p.name === point)?.unit;
      this.args.facts.reading({ device: entry.device.id, point, value, ...(unit ? { unit } : {}), at, mono });
    }
  }

  private decode(block: Block, reply: ModbusReply): Record<string, PointValue> {
    const data = reply.kind === 'written' ? [] : reply.values;
    return Object.fromEntries(block.points.map((p) => [p.name, decodePoint(p, block.address, data)]));
  }
}

export function readOf(block: Block) {
  return { unit: block.unit, fc: block.fc, address: block.address, count: block.count };
}
