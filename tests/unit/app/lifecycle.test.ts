import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Box, type Composition, type Service } from '../../../runtime/app/box.js';
import { DriverSupervisor } from '../../../runtime/app/supervisor.js';
import { DeviceRegistry } from '../../../runtime/app/device-registry.js';
import { createLogger } from '../../../runtime/core/logger.js';
import type { LoadedConfig } from '../../../config/load.js';
import type { Driver, ResolvedDevice } from '../../../drivers/types.js';
import { profileSchema, deviceSchema } from '../../../config/schema.js';

function memLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write(c: Buffer, _e, cb) { lines.push(JSON.parse(c.toString()) as Record<string, unknown>); cb(); } });
  return { logger: createLogger({ destination: stream, level: 'debug' }), lines };
}

const loaded = { file: 'x', config: { estate: { id: 'e' }, box: { id: 'b' }, devices: [] }, profiles: new Map(), secrets: { cameras: {} }, secretsFile: undefined } as unknown as LoadedConfig;

function recorder(events: string[], name: string, fail = false): Service {
  return {
    name,
    start: async () => { events.push(`start ${name}`); if (fail) throw new Error(`${name} broke`); },
    stop: async () => { events.push(`stop ${name}`); },
  };
}

describe('Box lifecycle', () => {
  it('starts storage → uplink → drivers → rules, and stops in reverse with outputs safe first', async () => {
    const events: string[] = [];
    const comp: Composition = {
      core: [recorder(events, 'storage'), recorder(events, 'uplink')], coreKey: 'k',
      edge: [recorder(events, 'drivers'), recorder(events, 'rules')], handle: null,
      safeOutputs: async () => { events.push('safe outputs'); },
    };
    const box = new Box(() => comp, memLogger().logger);
    await box.start(loaded);
    await box.stop();
    expect(events).toEqual(['start storage', 'start uplink', 'start drivers', 'start rules',
      'safe outputs', 'stop rules', 'stop drivers', 'stop uplink', 'stop storage']);
  });

  it('keeps running when one part fails to start, and says which', async () => {
    const events: string[] = [];
    const { logger, lines } = memLogger();
    const comp: Composition = { core: [recorder(events, 'storage'), recorder(events, 'uplink', true)], coreKey: 'k', edge: [recorder(events, 'drivers')], handle: null, safeOutputs: async () => {} };
    const box = new Box(() => comp, logger);
    await box.start(loaded);
    expect(events).toEqual(['start storage', 'start uplink', 'start drivers']);
    expect(lines.some((l) => l.service === 'uplink' && l.reason === 'uplink broke')).toBe(true);
  });

  it('rejects a reload from a broken file and keeps the running composition', async () => {
    const events: string[] = [];
    const { logger } = memLogger();
    let composed = 0;
    const box = new Box(() => { composed++; return { core: [], coreKey: 'k', edge: [recorder(events, 'drivers')], handle: null, safeOutputs: async () => {} }; }, logger);
    await box.start(loaded);
    const r = await box.reload('/nonexistent/qinhe.yaml');
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toContain('cannot read config');
    expect(composed).toBe(1);
    expect(events).toEqual(['start drivers']);
  });
});

describe('DriverSupervisor', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('restarts a failing driver with backoff while the others keep running', async () => {
    vi.useFakeTimers();
    const { logger } = memLogger();
    let attempts = 0;
    const flaky: Driver = { name: 'flaky', start: async () => { attempts++; if (attempts < 3) throw new Error('port busy'); }, stop: async () => {} };
    let healthyStops = 0;
    const healthy: Driver = { name: 'healthy', start: async () => {}, stop: async () => { healthyStops++; } };
    const sup = new DriverSupervisor(logger, { baseMs: 1000, capMs: 60_000 });
    await sup.startAll([flaky, healthy]);
    expect(sup.status().map((s) => [s.name, s.state])).toEqual([['flaky', 'failed'], ['healthy', 'running']]);
    await vi.advanceTimersByTimeAsync(999);
    expect(attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toBe(2);
    await vi.advanceTimersByTimeAsync(2000); // second retry waits twice as long
    expect(attempts).toBe(3);
    expect(sup.status()[0]).toMatchObject({ state: 'running', restarts: 2, lastError: 'port busy' });
    expect(healthyStops).toBe(0);
    await sup.stopAll();
    expect(healthyStops).toBe(1);
  });
});

describe('DeviceRegistry', () => {
  it('logs a device going down once and coming back once, with the outage length', () => {
    const { logger, lines } = memLogger();
    let now = 1_000_000;
    const clock = { now: () => now, mono: () => now };
    const profile = profileSchema.parse({ model: 'p', description: 'd', type: 'smoke', protocol: 'modbus-rtu', points: [{ name: 'a', table: 'holding', address: 0 }] });
    const config = deviceSchema.parse({ id: 'smoke-1', type: 'smoke', profile: 'p', zone: 'B1', address: 'modbus-rtu:///dev/x?unit=1' });
    const reg = new DeviceRegistry([{ config, profile } satisfies ResolvedDevice], clock, logger);
    reg.availability({ device: 'smoke-1', state: 'online', at: now, mono: now });
    for (let i = 0; i < 50; i++) {
      now += 1000;
      reg.availability({ device: 'smoke-1', state: 'offline', error: 'timeout', at: now, mono: now });
    }
    now += 253_000 - 50_000; // offline since t0+1 s, back at t0+253 s
    reg.availability({ device: 'smoke-1', state: 'online', at: now, mono: now });
    const msgs = lines.filter((l) => l.device === 'smoke-1').map((l) => l.msg);
    expect(msgs).toEqual(['device offline', 'device recovered after 4m12s']);
    expect(reg.get('smoke-1')).toMatchObject({ state: 'online', errors: 50, lastError: 'timeout' });
    expect(reg.get('smoke-1')?.changes.list().map((c) => c.state)).toEqual(['online', 'offline', 'online']);
  });
});
