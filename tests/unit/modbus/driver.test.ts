import { afterEach, describe, expect, it, vi } from 'vitest';
import { createModbusDriver } from '../../../drivers/modbus/index.js';
import { systemClock, type Driver, type DriverContext, type ResolvedDevice } from '../../../drivers/types.js';
import type { ProfileConfig } from '../../../config/schema.js';
import { lineConfig, mockBus, point, profile, recorder, silentLogger, type Recorder } from './helpers.js';

const heat = profile([
  point({ name: 'temperature', table: 'input', address: 0, type: 'int16', scale: 0.1, unit: '°C', pollClass: 'fast' }),
  point({ name: 'current', table: 'input', address: 1, scale: 0.01, unit: 'A', pollClass: 'slow' }),
]);
const siren = profile([point({ name: 'relay', table: 'coil', address: 0, type: 'bool', writable: true })], { type: 'siren', output: { point: 'relay' } });

function device(id: string, path: string, unit: number, p: ProfileConfig): ResolvedDevice {
  return { config: { id, type: p.type, profile: p.model, zone: 'B3', address: `modbus-rtu://${path}?unit=${unit}` }, profile: p };
}

function context(devices: ResolvedDevice[], facts: Recorder): DriverContext {
  return { logger: silentLogger, facts, clock: systemClock, devices, credentials: () => undefined, dataDir: '/tmp' };
}

const drivers: Driver[] = [];
afterEach(async () => { await Promise.all(drivers.splice(0).map((d) => d.stop())); });

describe('Modbus driver', () => {
  it('emits scaled readings for every point of every answering device', async () => {
    const bus = mockBus({ 1: { input: { 0: 235, 1: 1250 } }, 2: { input: { 0: 0xffec, 1: 0 } } });
    const facts = recorder();
    const d = createModbusDriver(context([device('cp-1', '/dev/ttyMOCK0', 1, heat), device('cp-2', '/dev/ttyMOCK0', 2, heat)], facts),
      [lineConfig()], { openPort: bus.openLink });
    drivers.push(d);
    await d.start(new AbortController().signal);
    await vi.waitFor(() => {
      expect(facts.readings.find((r) => r.device === 'cp-1' && r.point === 'current')?.value).toBe(12.5);
      expect(facts.readings.find((r) => r.device === 'cp-2' && r.point === 'temperature')?.value).toBe(-2);
    });
    expect(facts.readings.find((r) => r.device === 'cp-1' && r.point === 'temperature')).toMatchObject({ value: 23.5, unit: '°C' });
    expect(facts.states('cp-1')).toEqual(['online']);
  });

  it('quarantines a dead unit: polled far less often, offline once, online once when it answers again', async () => {
    const bus = mockBus({ 1: { input: { 0: 1 } }, 2: { input: { 0: 2 } }, 3: { input: { 0: 3 } } });
    bus.slave.fault(2, { silent: true });
    const facts = recorder();
    const d = createModbusDriver(context([1, 2, 3].map((u) => device(`cp-${u}`, '/dev/ttyMOCK0', u, heat)), facts),
      [lineConfig({ fastPollMs: 50, slowPollMs: 100_000 })], { openPort: bus.openLink, staleGuardMs: 5, quarantine: { baseMs: 100, maxMs: 400 } });
    drivers.push(d);
    await d.start(new AbortController().signal);
    await vi.waitFor(() => expect(bus.requestsTo(1)).toBeGreaterThan(40), { timeout: 10_000 });
    expect(bus.requestsTo(2)).toBeLessThan(bus.requestsTo(1) / 3);
    expect(facts.states('cp-2')).toEqual(['offline']);
    expect(facts.readings.some((r) => r.device === 'cp-2')).toBe(false);
    bus.slave.fault(2, { silent: false });
    await vi.waitFor(() => expect(facts.states('cp-2')).toEqual(['offline', 'online']), { timeout: 5_000 });
    await vi.waitFor(() => expect(facts.readings.some((r) => r.device === 'cp-2' && r.value === 0.2)).toBe(true));
    const bus0 = d.buses?.()[0];
    expect(bus0?.timeouts).toBeGreaterThan(0);
    expect(bus0?.cycleMs).not.toBeNull();
  });

  it('marks a unit answering exceptions degraded, not offline', async () => {
    const bus = mockBus({ 4: {} });
    bus.slave.fault(4, { exception: 2 });
    const facts = recorder();
    const d = createModbusDriver(context([device('cp-4', '/dev/ttyMOCK0', 4, heat)], facts), [lineConfig()], { openPort: bus.openLink });
    drivers.push(d);
    await d.start(new AbortController().signal);
    await vi.waitFor(() => expect(facts.states('cp-4')).toEqual(['degraded']));
    expect(facts.offOn.find((a) => a.device === 'cp-4')?.error).toMatch(/illegal data address/);
  });

  it('reports a device whose port has no configured line as offline with the reason', async () => {
    const bus = mockBus({});
    const facts = recorder();
    const d = createModbusDriver(context([device('cp-9', '/dev/ttyUSB9', 9, heat)], facts), [lineConfig()], { openPort: bus.openLink });
    drivers.push(d);
    await d.start(new AbortController().signal);
    expect(facts.offOn).toMatchObject([{ device: 'cp-9', state: 'offline', error: expect.stringMatching(/\/dev\/ttyUSB9/) }]);
  });

  it('switches an output on, then off after its maximum on-time, and reads a device on demand', async () => {
    const bus = mockBus({ 5: { coil: { 0: false } }, 1: { input: { 0: 300, 1: 5 } } });
    const facts = recorder();
    const d = createModbusDriver(context([device('siren-1', '/dev/ttyMOCK0', 5, siren), device('cp-1', '/dev/ttyMOCK0', 1, heat)], facts),
      [lineConfig()], { openPort: bus.openLink });
    drivers.push(d);
    await d.start(new AbortController().signal);
    await d.output?.({ deviceId: 'siren-1', pattern: 'fire', seconds: 0.2 });
    expect(bus.slave.units.get(5)?.get('coil', 0)).toBe(true);
    await vi.waitFor(() => expect(bus.slave.units.get(5)?.get('coil', 0)).toBe(false));
    expect(await d.readNow?.('cp-1')).toEqual({ temperature: 30, current: 0.05 });
    await expect(d.output?.({ deviceId: 'cp-1', pattern: 'fire', seconds: 1 })).rejects.toMatchObject({ code: 'QH_MODBUS_UNKNOWN_DEVICE' });
  });

  it('still switches an output off after its on-time when the reply to "on" was lost', async () => {
    const bus = mockBus({ 5: { coil: { 0: false } } });
    const d = createModbusDriver(context([device('siren-1', '/dev/ttyMOCK0', 5, siren)], recorder()), [lineConfig()], { openPort: bus.openLink });
    drivers.push(d);
    await d.start(new AbortController().signal);
    bus.loseReplies(2, 5);
    await expect(d.output?.({ deviceId: 'siren-1', pattern: 'fire', seconds: 0.2 })).rejects.toMatchObject({ code: 'QH_MODBUS_TIMEOUT' });
    expect(bus.slave.units.get(5)?.get('coil', 0)).toBe(true);
    await vi.waitFor(() => expect(bus.slave.units.get(5)?.get('coil', 0)).toBe(false));
  });

  it('keeps trying to switch an output off while its unit does not answer', async () => {
    const bus = mockBus({ 5: { coil: { 0: false } } });
    const d = createModbusDriver(context([device('siren-1', '/dev/ttyMOCK0', 5, siren)], recorder()), [lineConfig()], { openPort: bus.openLink });
    drivers.push(d);
    await d.start(new AbortController().signal);
    await d.output?.({ deviceId: 'siren-1', pattern: 'fire', seconds: 0.05 });
    bus.slave.fault(5, { silent: true });
    await vi.waitFor(() => expect(bus.requestsTo(5)).toBeGreaterThan(3));
    expect(bus.slave.units.get(5)?.get('coil', 0)).toBe(true);
    bus.slave.fault(5, { silent: false });
    await vi.waitFor(() => expect(bus.slave.units.get(5)?.get('coil', 0)).toBe(false), { timeout: 5_000 });
  });

  it('switches active outputs off at stop', async () => {
    const bus = mockBus({ 5: { coil: { 0: false } } });
    const d = createModbusDriver(context([device('siren-1', '/dev/ttyMOCK0', 5, siren)], recorder()), [lineConfig()], { openPort: bus.openLink });
    await d.start(new AbortController().signal);
    await d.output?.({ deviceId: 'siren-1', pattern: 'continuous', seconds: 60 });
    expect(bus.slave.units.get(5)?.get('coil', 0)).toBe(true);
    await d.stop();
    await d.stop();
    expect(bus.slave.units.get(5)?.get('coil', 0)).toBe(false);
  });

  it('marks units offline while the adapter is gone and resumes polling when it is back', async () => {
    const bus = mockBus({ 1: { input: { 0: 10 } } });
    const facts = recorder();
    const d = createModbusDriver(context([device('cp-1', '/dev/ttyMOCK0', 1, heat)], facts), [lineConfig()], { openPort: bus.openLink });
    drivers.push(d);
    await d.start(new AbortController().signal);
    await vi.waitFor(() => expect(facts.states('cp-1')).toEqual(['online']));
    bus.links[0]?.unplug();
    await vi.waitFor(() => expect(facts.states('cp-1')).toEqual(['online', 'offline']));
    expect(d.buses?.()[0]?.state).toBe('reopening');
    bus.links[0]?.replug();
    await vi.waitFor(() => expect(facts.states('cp-1')).toEqual(['online', 'offline', 'online']), { timeout: 5_000 });
    expect(bus.links.length).toBeGreaterThanOrEqual(2);
  });
});
