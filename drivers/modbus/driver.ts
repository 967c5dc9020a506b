/**
 * The Modbus RTU driver: one LineScheduler + LinePoller per configured serial line. Devices are matched to
 * lines by the path in their address; a device whose path has no line is reported offline with the reason.
 * Emits readings and availability; never decides alarms.
 */
import { parseAddress } from '../../config/address.js';
import type { SerialLineConfig } from '../../config/schema.js';
import { QinheError, errorMessage } from '../../runtime/core/errors.js';
import type { BusHealth, Driver, DriverContext, OutputCommand, PointValue } from '../types.js';
import { openSerialLink } from '../transport/serial.js';
import type { OpenLink } from '../transport/types.js';
import { LinePoller, type PolledDevice } from './line-poller.js';
import { LineScheduler } from './line-scheduler.js';
import { ModbusOutputs, type OutputTarget } from './outputs.js';
import type { QuarantinePolicy } from './unit-tracker.js';

export interface ModbusDriverOptions {
  /** Opens a serial port; tests and the bench pass a mock or a PTY. */
  openPort?: OpenLink;
  quarantine?: Partial<QuarantinePolicy>;
  /** See LineSchedulerOptions.staleGuardMs. */
  staleGuardMs?: number;
}

interface Line {
  config: SerialLineConfig;
  scheduler: LineScheduler;
  poller: LinePoller;
}

export function createModbusDriver(ctx: DriverContext, lines: SerialLineConfig[], opts: ModbusDriverOptions = {}): Driver {
  return new ModbusDriver(ctx, lines, opts);
}

export class ModbusDriver implements Driver {
  readonly name = 'modbus';
  private readonly lines: Line[] = [];
  private readonly orphans: { id: string; reason: string }[] = [];
  private readonly outputs: ModbusOutputs;
  private started = false;

  constructor(private readonly ctx: DriverContext, configs: SerialLineConfig[], opts: ModbusDriverOptions) {
    const byPath = new Map<string, PolledDevice[]>();
    for (const { config, profile } of ctx.devices) {
      const parsed = parseAddress(config.address);
      if (!parsed.ok || parsed.address.protocol !== 'modbus-rtu') {
        if (profile.protocol === 'modbus-rtu') this.orphans.push({ id: config.id, reason: `bad address: ${parsed.ok ? 'not modbus-rtu' : parsed.reason}` });
        continue;
      }
      const list = byPath.get(parsed.address.path) ?? [];
      list.push({ id: config.id, unit: parsed.address.unit, profile });
      byPath.set(parsed.address.path, list);
    }
    const targets = new Map<string, OutputTarget>();
    for (const config of configs) {
      const scheduler = new LineScheduler({
        id: config.id, link: config, timing: config, openLink: opts.openPort ?? openSerialLink,
        logger: ctx.logger, clock: ctx.clock, ...(opts.staleGuardMs === undefined ? {} : { staleGuardMs: opts.staleGuardMs }),
      });
      const devices = byPath.get(config.path) ?? [];
      byPath.delete(config.path);
      const poller = new LinePoller({
        line: scheduler, config, devices, facts: ctx.facts, clock: ctx.clock, logger: ctx.logger,
        ...(opts.quarantine ? { quarantine: opts.quarantine } : {}),
      });
      this.lines.push({ config, scheduler, poller });
      for (const d of devices) {
        const pointName = d.profile.output?.point;
        const point = d.profile.points.find((p) => p.name === pointName);
        if (point) targets.set(d.id, { device: d.id, unit: d.unit, point, line: scheduler });
      }
    }
    for (const [path, devices] of byPath) {
      for (const d of devices) this.orphans.push({ id: d.id, reason: `no serial line is configured for ${path}` });
    }
    this.outputs = new ModbusOutputs(targets, ctx.logger.child({ driver: 'modbus' }));
  }

  async start(signal: AbortSignal): Promise<void> {
    if (this.started) return;
    this.started = true;
    signal.addEventListener('abort', () => void this.stop(), { once: true });
    for (const o of this.orphans) {
      this.ctx.logger.error({ device: o.id, code: 'QH_MODBUS_NO_LINE' }, o.reason);
      this.ctx.facts.availability({ device: o.id, state: 'offline', error: o.reason, at: this.ctx.clock.now(), mono: this.ctx.clock.mono() });
    }
    for (const line of this.lines) {
      try {
        await line.scheduler.start();
        line.poller.start();
      } catch (err) {
        this.ctx.logger.error({ bus: line.config.id, err: errorMessage(err) }, 'Modbus line failed to start');
      }
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.outputs.allOff();
    await Promise.allSettled(this.lines.map((l) => l.poller.stop()));
    await Promise.allSettled(this.lines.map((l) => l.scheduler.stop()));
  }

  output(cmd: OutputCommand): Promise<void> {
    return this.outputs.output(cmd);
  }

  async readNow(deviceId: string): Promise<Record<string, PointValue>> {
    const line = this.lines.find((l) => l.poller.device(deviceId));
    if (!line) throw new QinheError('QH_MODBUS_UNKNOWN_DEVICE', `no Modbus device "${deviceId}" on a configured line`);
    return line.poller.readDevice(deviceId);
  }

  buses(): BusHealth[] {
    return this.lines.map(({ config, scheduler, poller }) => {
      const c = scheduler.health.counters;
      const cycles = poller.cycleStats();
      return {
        id: config.id, path: config.path, state: scheduler.isUp ? 'open' : 'reopening',
        txOk: c.txOk, timeouts: c.timeouts, crcErrors: c.crcErrors, exceptions: c.exceptions,
        badReplies: c.badReplies, discardedBytes: c.discardedBytes, linkLost: c.linkLost,
        cycleMs: cycles.fast.lastMs, cycles, latencyByUnit: scheduler.health.latencyByUnit(),
      };
    });
  }

  /** The schedulers, for the bench and the technician tools. */
  schedulers(): LineScheduler[] {
    return this.lines.map((l) => l.scheduler);
  }
}
