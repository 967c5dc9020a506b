/**
 * The line scheduler and the driver against Debian's python3-pymodbus slave over socat PTY pairs.
 * Skips, saying why, only when socat or pymodbus is missing.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isQinheError } from '../../../runtime/core/errors.js';
import { createModbusDriver, LineScheduler, type ModbusRequest } from '../../../drivers/modbus/index.js';
import { openSerialLink } from '../../../drivers/transport/serial.js';
import { systemClock, type Driver, type ResolvedDevice } from '../../../drivers/types.js';
import { lineConfig, point, profile, recorder, silentLogger } from '../../unit/modbus/helpers.js';
import { expected, PymodbusSlave } from './pymodbus.js';
import { missingTools, PtyPair, tempDir } from './pty.js';

const missing = missingTools();
if (missing) console.warn(`[modbus integration] skipped: ${missing}`);

function line(path: string, over: { timeoutMs?: number; retries?: number; staleGuardMs?: number } = {}): LineScheduler {
  return new LineScheduler({
    id: 'pty', link: { path, baud: 9600, parity: 'none', stopBits: 1, dataBits: 8 },
    timing: { timeoutMs: over.timeoutMs ?? 150, retries: over.retries ?? 1, interFrameGapMs: 0 },
    openLink: openSerialLink, logger: silentLogger, clock: systemClock,
    ...(over.staleGuardMs === undefined ? {} : { staleGuardMs: over.staleGuardMs }),
  });
}

async function code(p: Promise<unknown>): Promise<string> {
  try { await p; return 'resolved'; } catch (err) { return isQinheError(err) ? err.code : String(err); }
}

describe.skipIf(Boolean(missing))('Modbus RTU against a pymodbus slave over socat PTYs', () => {
  const tmp = tempDir();
  const pair = new PtyPair(join(tmp.dir, 'master'), join(tmp.dir, 'slave'));
  const slave = new PymodbusSlave(pair.b, [1, 2, 3]);
  const lines: LineScheduler[] = [];
  const drivers: Driver[] = [];

  beforeAll(async () => {
    await pair.start();
    await slave.start();
  });
  afterEach(async () => {
    await Promise.all(drivers.splice(0).map((d) => d.stop()));
    await Promise.all(lines.splice(0).map((l) => l.stop()));
    for (const u of [1, 2, 3]) { await slave.command(`answer ${u}`); await slave.command(`normal ${u}`); }
  });
  afterAll(async () => {
    await slave.stop();
    await pair.stop();
    tmp.remove();
  });

  it('reads all four tables and writes registers and coils', async () => {
    const l = line(pair.a);
    lines.push(l);
    await l.open();
    expect(await l.request({ unit: 2, fc: 3, address: 10, count: 3 })).toEqual({ kind: 'registers', values: [2010, 2011, 2012] });
    expect(await l.request({ unit: 3, fc: 4, address: 0, count: 2 })).toEqual({ kind: 'registers', values: [3500, 3501] });
    const bits = await l.request({ unit: 1, fc: 2, address: 0, count: 20 });
    expect(bits).toEqual({ kind: 'bits', values: Array.from({ length: 20 }, (_, a) => expected.discrete(1, a)) });
    expect(await l.request({ unit: 1, fc: 1, address: 3, count: 4 })).toEqual({ kind: 'bits', values: [3, 4, 5, 6].map((a) => expected.coil(1, a)) });
    await l.request({ unit: 2, fc: 6, address: 100, value: 4242 });
    await l.request({ unit: 2, fc: 16, address: 101, values: [7, 8] });
    await l.request({ unit: 2, fc: 5, address: 9, value: true });
    await l.request({ unit: 2, fc: 15, address: 10, values: [true, true, false] });
    expect(await l.request({ unit: 2, fc: 3, address: 100, count: 3 })).toEqual({ kind: 'registers', values: [4242, 7, 8] });
    expect(await l.request({ unit: 2, fc: 1, address: 9, count: 4 })).toEqual({ kind: 'bits', values: [true, true, true, false] });
  });

  it('times out a silent unit, reports exceptions, and keeps serving the other units', async () => {
    const l = line(pair.a, { timeoutMs: 100 });
    lines.push(l);
    await l.open();
    await slave.command('silent 2');
    await slave.command('exception 3');
    expect(await code(l.request({ unit: 2, fc: 3, address: 0, count: 1 }))).toBe('QH_MODBUS_TIMEOUT');
    expect(await code(l.request({ unit: 3, fc: 3, address: 0, count: 1 }))).toBe('QH_MODBUS_EXCEPTION');
    expect(await l.request({ unit: 1, fc: 3, address: 0, count: 1 })).toEqual({ kind: 'registers', values: [1000] });
    expect(l.health.counters).toMatchObject({ timeouts: 2, exceptions: 1 });
  });

  it('reports a unit that goes silent offline once, and online once when it answers again', async () => {
    const heat = profile([point({ name: 'temperature', table: 'input', address: 4, pollClass: 'fast' })]);
    const devices: ResolvedDevice[] = [1, 2, 3].map((u) => ({
      config: { id: `cp-${u}`, type: 'heat', profile: heat.model, zone: 'B3', address: `modbus-rtu://${pair.a}?unit=${u}` }, profile: heat,
    }));
    const facts = recorder();
    const d = createModbusDriver({ logger: silentLogger, facts, clock: systemClock, devices, credentials: () => undefined, dataDir: tmp.dir },
      [lineConfig({ path: pair.a, baud: 9600, timeoutMs: 100, fastPollMs: 100 })], { quarantine: { baseMs: 200, maxMs: 800 } });
    drivers.push(d);
    await d.start(new AbortController().signal);
    await vi.waitFor(() => expect(facts.states('cp-2')).toEqual(['online']), { timeout: 5_000 });
    await slave.command('silent 2');
    await vi.waitFor(() => expect(facts.states('cp-2')).toEqual(['online', 'offline']), { timeout: 5_000 });
    const okBefore = facts.readings.filter((r) => r.device === 'cp-1').length;
    await vi.waitFor(() => expect(facts.readings.filter((r) => r.device === 'cp-1').length).toBeGreaterThan(okBefore + 5), { timeout: 5_000 });
    await slave.command('answer 2');
    await vi.waitFor(() => expect(facts.states('cp-2')).toEqual(['online', 'offline', 'online']), { timeout: 5_000 });
    expect(facts.states('cp-1')).toEqual(['online']);
    expect(facts.readings.filter((r) => r.device === 'cp-2').every((r) => r.value === expected.input(2, 4))).toBe(true);
  });

  it('survives an unplug: units go offline while socat is gone and polling resumes within 5 s of the replug', async () => {
    const heat = profile([point({ name: 'temperature', table: 'holding', address: 1, pollClass: 'fast' })]);
    const devices: ResolvedDevice[] = [{
      config: { id: 'cp-1', type: 'heat', profile: heat.model, zone: 'B3', address: `modbus-rtu://${pair.a}?unit=1` }, profile: heat,
    }];
    const facts = recorder();
    const d = createModbusDriver({ logger: silentLogger, facts, clock: systemClock, devices, credentials: () => undefined, dataDir: tmp.dir },
      [lineConfig({ path: pair.a, baud: 9600, timeoutMs: 100, fastPollMs: 100 })]);
    drivers.push(d);
    await d.start(new AbortController().signal);
    await vi.waitFor(() => expect(facts.states('cp-1')).toEqual(['online']), { timeout: 5_000 });
    await pair.stop();
    await vi.waitFor(() => expect(facts.states('cp-1')).toEqual(['online', 'offline']), { timeout: 5_000 });
    expect(d.buses?.()[0]?.state).toBe('reopening');
    await pair.start();
    const readingsAtReplug = facts.readings.length;
    // The 5 s bound of the issue; pymodbus itself reconnects within 0.2 s.
    await vi.waitFor(() => expect(facts.states('cp-1')).toEqual(['online', 'offline', 'online']), { timeout: 5_000 });
    await vi.waitFor(() => expect(facts.readings.length).toBeGreaterThan(readingsAtReplug), { timeout: 5_000 });
    expect(facts.readings.every((r) => r.value === expected.holding(1, 1))).toBe(true);
    expect(d.buses?.()[0]).toMatchObject({ state: 'open', linkLost: 1 });
  });
});
