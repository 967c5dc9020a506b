/**
 * A box in a test tube: the incident engine wired to fakes (outbox, outputs, evidence, SMS) that write into one
 * shared call log, so tests can assert the order of side effects; a ManualClock drives time.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { boxConfigSchema, deviceSchema, profileSchema, type BoxConfigInput, type ProfileConfig } from '../../../config/schema.js';
import type { OutputCommand, ResolvedDevice } from '../../../drivers/types.js';
import { ManualClock } from '../../../runtime/clock/manual-clock.js';
import type { ClockMonitor } from '../../../runtime/clock/clock-monitor.js';
import { EventBus } from '../../../runtime/core/bus.js';
import type { IncidentEventDraft, IncidentEventV1 } from '../../../runtime/core/contract.js';
import type { EvidencePort, OutboxPort, OutputPort } from '../../../runtime/core/ports.js';
import type { SmsSender } from '../../../runtime/escalation/sms.js';
import { IncidentEngine } from '../../../runtime/incidents/index.js';

export const logger = pino({ level: 'silent' });

export const PROFILES: Record<string, ProfileConfig> = {
  'cp-test': profileSchema.parse({
    model: 'cp-test', description: 'charging point', type: 'charging-point', protocol: 'modbus-rtu', output: { point: 'relay' },
    rules: [
      { id: 'charger-heating', type: 'rate-of-rise', point: 'temperature', perMinute: 5, windowS: 60, kind: 'fire-risk', severity: 'critical' },
      { id: 'charger-overheat', type: 'threshold', point: 'temperature', above: 65, hysteresis: 5, kind: 'fire-risk', severity: 'critical' },
      { id: 'gone', type: 'offline', afterS: 60, kind: 'device-offline', severity: 'minor' },
    ],
  }),
  'smoke-test': profileSchema.parse({
    model: 'smoke-test', description: 'smoke detector', type: 'smoke', protocol: 'gpio', gpio: { direction: 'in', eventKind: 'smoke' },
    rules: [{ id: 'smoke', type: 'event', match: 'smoke', kind: 'smoke', severity: 'major' }],
  }),
  'siren-test': profileSchema.parse({ model: 'siren-test', description: 'siren', type: 'siren', protocol: 'gpio', gpio: { direction: 'out' } }),
  'strobe-test': profileSchema.parse({ model: 'strobe-test', description: 'strobe', type: 'strobe', protocol: 'gpio', gpio: { direction: 'out' } }),
  'cam-test': profileSchema.parse({
    model: 'cam-test', description: 'camera', type: 'camera', protocol: 'onvif', evidence: { clip: true },
    rules: [{ id: 'intrusion', type: 'event', match: 'intrusion', kind: 'intrusion', severity: 'critical' }],
  }),
};

const DEVICES = [
  { id: 'cp-b3-07', type: 'charging-point', profile: 'cp-test', zone: 'B3', location: '3幢车棚 7号口', address: 'modbus-rtu:///dev/ttyUSB0?unit=7', linkedCameras: ['cam-b3-02'] },
  { id: 'cp-b3-08', type: 'charging-point', profile: 'cp-test', zone: 'B3', address: 'modbus-rtu:///dev/ttyUSB0?unit=8' },
  { id: 'smoke-b3-01', type: 'smoke', profile: 'smoke-test', zone: 'B3', address: 'gpio://gpiochip0/5' },
  { id: 'siren-b3', type: 'siren', profile: 'siren-test', zone: 'B3', address: 'gpio://gpiochip0/17' },
  { id: 'strobe-b3', type: 'strobe', profile: 'strobe-test', zone: 'B3', address: 'gpio://gpiochip0/18' },
  { id: 'cam-b3-02', type: 'camera', profile: 'cam-test', zone: 'B3', address: 'onvif://10.0.3.2' },
  { id: 'smoke-a1-01', type: 'smoke', profile: 'smoke-test', zone: 'A1', address: 'gpio://gpiochip0/6' },
  { id: 'siren-a1', type: 'siren', profile: 'siren-test', zone: 'A1', address: 'gpio://gpiochip0/19' },
  { id: 'cam-a1-01', type: 'camera', profile: 'cam-test', zone: 'A1', address: 'onvif://10.0.1.1' },
];

export function devices(): ResolvedDevice[] {
  return DEVICES.map((d) => {
    const profile = PROFILES[d.profile];
    if (!profile) throw new Error(`no profile ${d.profile}`);
    return { config: deviceSchema.parse(d), profile };
  });
}

export type Call =
  | { type: 'output'; cmd: OutputCommand }
  | { type: 'append'; draft: IncidentEventDraft }
  | { type: 'snapshot'; camera: string }
  | { type: 'clip'; camera: string }
  | { type: 'sms'; to: string; text: string };

export interface Harness {
  engine: IncidentEngine;
  bus: EventBus;
  clock: ManualClock;
  calls: Call[];
  events: IncidentEventV1[];
  dataDir: string;
  outputs(): OutputCommand[];
  appended(): IncidentEventDraft[];
  /** Lets queued promise callbacks (outbox commits, evidence) run. */
  flush(): Promise<void>;
}

export interface HarnessOptions {
  config?: Partial<BoxConfigInput>;
  clock?: ManualClock;
  dataDir?: string;
  clockMonitor?: ClockMonitor;
  sms?: boolean;
  /** A real sender (the modem) instead of the recording fake. */
  smsSender?: SmsSender;
  evidence?: boolean;
  outbox?: OutboxPort;
}

export function makeHarness(opts: HarnessOptions = {}): Harness {
  const clock = opts.clock ?? new ManualClock();
  const calls: Call[] = [];
  const events: IncidentEventV1[] = [];
  let seq = 0;
  const outbox: OutboxPort = opts.outbox ?? {
    appendIncident: async (draft) => {
      calls.push({ type: 'append', draft: structuredClone(draft) });
      const ev = { ...structuredClone(draft), seq: ++seq, buffered: false };
      events.push(ev);
      return ev;
    },
    append: async () => {},
  };
  const outputs: OutputPort = { output: async (cmd) => { calls.push({ type: 'output', cmd: { ...cmd } }); } };
  let evidenceSeq = 0;
  const evidence: EvidencePort = {
    snapshot: async (camera) => {
      calls.push({ type: 'snapshot', camera });
      return { id: `ev-${++evidenceSeq}`, file: '/tmp/x.jpg', bytes: 1000, sha256: 'ab'.repeat(32), mime: 'image/jpeg' };
    },
    clip: async (camera) => {
      calls.push({ type: 'clip', camera });
      return { id: `ev-${++evidenceSeq}`, file: '/tmp/x.mp4', bytes: 90_000, sha256: 'cd'.repeat(32), mime: 'video/mp4' };
    },
  };
  const sms: SmsSender = { send: async (to, text) => { calls.push({ type: 'sms', to, text }); } };
  const config = boxConfigSchema.parse({
    version: 1, estate: { id: 'caima' }, box: { id: 'caima-01' }, uplink: { url: 'mqtt://127.0.0.1' },
    ...opts.config,
    incidents: { smsNumbers: ['+8613800000001'], ...opts.config?.incidents },
  });
  const bus = new EventBus(logger);
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'qinhe-inc-'));
  const engine = new IncidentEngine({
    bus, outbox, outputs, config, devices: devices(), clock, timers: clock, logger, dataDir,
    ...(opts.evidence === false ? {} : { evidence }),
    ...(opts.smsSender ? { sms: opts.smsSender } : opts.sms ? { sms } : {}),
    ...(opts.clockMonitor ? { clockMonitor: opts.clockMonitor } : {}),
  });
  return {
    engine, bus, clock, calls, events, dataDir,
    outputs: () => calls.flatMap((c) => (c.type === 'output' ? [c.cmd] : [])),
    appended: () => calls.flatMap((c) => (c.type === 'append' ? [c.draft] : [])),
    flush: async () => {
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      await engine.idle();
    },
  };
}

/** Emits a reading fact at the clock's current time. */
export function read(h: Harness, device: string, point: string, value: number | boolean, unit?: string): void {
  h.bus.emit('reading', { device, point, value, at: h.clock.now(), mono: h.clock.mono(), ...(unit ? { unit } : {}) });
}

export function event(h: Harness, device: string, kind: string, active = true): void {
  h.bus.emit('event', { device, topic: kind, kind, active, at: h.clock.now(), mono: h.clock.mono() });
}

/** A charging point heating at `perMin` °C/min, one reading every `everyS`, for `seconds`. Stops at the first call that returns true. */
export function heat(h: Harness, device: string, opts: { from: number; perMin: number; everyS: number; seconds: number },
  until?: () => boolean): number {
  let t = 0;
  for (; t <= opts.seconds; t += opts.everyS) {
    read(h, device, 'temperature', opts.from + (opts.perMin * t) / 60, '°C');
    if (until?.()) return t;
    h.clock.advance(opts.everyS * 1000);
  }
  return t;
}
