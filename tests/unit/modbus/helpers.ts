import { pino } from 'pino';
import { modbusPointSchema, profileSchema, serialLineSchema, type ModbusPoint, type ProfileConfig, type SerialLineConfig } from '../../../config/schema.js';
import { LineScheduler, type LineSchedulerOptions } from '../../../drivers/modbus/line-scheduler.js';
import { MockLink } from '../../../drivers/transport/mock.js';
import type { LinkOptions } from '../../../drivers/transport/types.js';
import { systemClock, type AvailabilityFact, type FactSink, type ReadingFact } from '../../../drivers/types.js';
import { ModbusSlave } from '../../simulators/modbus/slave.js';
import { UnitMemory, type UnitInit } from '../../simulators/modbus/unit-memory.js';

export const silentLogger = pino({ level: 'silent' });

export interface Recorder extends FactSink {
  readings: ReadingFact[];
  offOn: AvailabilityFact[];
  states(device: string): string[];
}

export function recorder(): Recorder {
  const readings: ReadingFact[] = [];
  const offOn: AvailabilityFact[] = [];
  return {
    readings,
    offOn,
    reading: (f) => { readings.push(f); },
    event: () => undefined,
    availability: (f) => { offOn.push(f); },
    states: (device) => offOn.filter((a) => a.device === device).map((a) => a.state),
  };
}

export function lineConfig(over: Partial<SerialLineConfig> = {}): SerialLineConfig {
  return serialLineSchema.parse({ id: 'rs485-1', path: '/dev/ttyMOCK0', baud: 115200, timeoutMs: 40, retries: 1, interFrameGapMs: 0, fastPollMs: 50, slowPollMs: 200, ...over });
}

export function point(p: Partial<ModbusPoint> & Pick<ModbusPoint, 'name' | 'table' | 'address'>): ModbusPoint {
  return modbusPointSchema.parse(p);
}

export function profile(points: ModbusPoint[], over: Partial<ProfileConfig> = {}): ProfileConfig {
  return profileSchema.parse({ model: 'test-model', description: 'test', type: 'heat', protocol: 'modbus-rtu', offlineAfterS: 0.001, points, ...over });
}

/** A slave serving `units`, answering through a MockLink on the next tick. */
export function mockBus(units: Record<number, UnitInit>) {
  const slave = new ModbusSlave(new Map(Object.entries(units).map(([u, init]) => [Number(u), new UnitMemory(init)])));
  const links: MockLink[] = [];
  const perUnit = new Map<number, number>();
  const adapter = { present: true, drop: 0, dropFc: 0 };
  const openLink = (options: LinkOptions) => {
    const link = new MockLink(options);
    link.present = adapter.present;
    link.respond = (frame, l) => {
      perUnit.set(frame[0] ?? 0, (perUnit.get(frame[0] ?? 0) ?? 0) + 1);
      const reply = slave.handle(frame);
      if (adapter.drop > 0 && (adapter.dropFc === 0 || frame[1] === adapter.dropFc)) { adapter.drop -= 1; return; }
      if (reply) setImmediate(() => l.inject(reply));
    };
    links.push(link);
    return link;
  };
  return {
    slave, links, openLink, requestsTo: (unit: number) => perUnit.get(unit) ?? 0,
    /** The adapter disappears: the open link fails and reopening fails with ENOENT until replug(). */
    unplug(): void { adapter.present = false; links.at(-1)?.unplug(); },
    replug(): void { adapter.present = true; },
    /** The next `n` requests (of function `fc`, else any) are executed by the slave but their replies are lost. */
    loseReplies(n: number, fc = 0): void { adapter.drop = n; adapter.dropFc = fc; },
  };
}

export function scheduler(openLink: LineSchedulerOptions['openLink'], over: Partial<LineSchedulerOptions> = {}): LineScheduler {
  const cfg = lineConfig();
  return new LineScheduler({
    id: cfg.id, link: cfg, timing: cfg, openLink, logger: silentLogger, clock: systemClock,
    staleGuardMs: 20, retryBackoffMs: 1, reopenMinMs: 10, reopenMaxMs: 40, ...over,
  });
}
