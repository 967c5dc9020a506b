import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BoxConfig } from '../../../config/schema.js';
import { openStore, Outbox, type Store } from '../../../runtime/store/index.js';
import { HealthReporter, Uplink, type Timers } from '../../../runtime/uplink/index.js';
import { Mosquitto } from '../../helpers/mosquitto.js';
import { draft, silentLogger, storageConfig, tempDir } from '../../unit/store/fixtures.js';
import { uplinkConfig } from './config.js';
import { Observer, waitFor } from './observer.js';


describe('uplink against a real mosquitto', () => {
  let broker: Mosquitto;
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let outbox: Outbox;
  let uplink: Uplink | undefined;
  let observer: Observer | undefined;
  let connectedAt = 0;

  beforeEach(async () => {
    connectedAt = 0;
    broker = await Mosquitto.start();
    tmp = tempDir();
    store = openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger() }).store;
    outbox = new Outbox(store);
  });
  afterEach(async () => {
    await uplink?.stop();
    await observer?.close();
    outbox.close();
    store.close();
    await broker.dispose();
    tmp.cleanup();
    uplink = undefined;
    observer = undefined;
  });

  const makeUplink = (over: Partial<BoxConfig['uplink']> = {}, events: boolean[] = [], timers?: Timers) => new Uplink({
    config: uplinkConfig(broker.url, over), estate: 'caima', box: 'caima-01', secrets: {}, outbox, logger: silentLogger(),
    version: '0.1.0', stateDevices: () => ({ total: 5, online: 4 }), onConnectionChange: (e) => {
      events.push(e.connected);
      if (e.connected && connectedAt === 0) connectedAt = performance.now();
    },
    ...(timers ? { timers } : {}),
  });

  it('delivers 1,000 incidents stored while the broker was down: gapless, in order, buffered', async () => {
    await broker.stop();
    const events: boolean[] = [];
    // Reconnect attempts wait for the gate, so the observer is subscribed before the box can publish.
    let openGate!: () => void;
    const gate = new Promise<void>((r) => { openGate = r; });
    const gated: Timers = { setTimeout: (fn, ms) => setTimeout(() => void gate.then(fn), ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    uplink = makeUplink({}, events, gated);
    await uplink.start();
    const stored = await Promise.all(Array.from({ length: 1000 }, (_, i) =>
      outbox.appendIncident(draft({ severity: i % 3 === 0 ? 'critical' : 'major' }))));
    expect(outbox.stats().pending).toBe(1000);
    expect(uplink.isConnected()).toBe(false);
    await broker.start();
    observer = await Observer.connect(broker.url);
    const t0 = performance.now();
    openGate();
    await observer.until(() => observer!.count('/incident') >= 1000, '1000 incidents');
    const seconds = (performance.now() - t0) / 1000;
    const drainS = (performance.now() - connectedAt) / 1000;
    const got = observer.json('/incident');
    const seqs = got.map((e) => e.seq as number);
    expect(new Set(seqs).size).toBe(1000);
    expect([...seqs].sort((a, b) => a - b)).toEqual(stored.map((e) => e.seq));
    // Lane order: every critical before every major (all were waiting), seq order within a severity.
    const crit = got.filter((e) => e.severity === 'critical').map((e) => e.seq as number);
    const major = got.filter((e) => e.severity === 'major').map((e) => e.seq as number);
    expect(crit).toEqual([...crit].sort((a, b) => a - b));
    expect(major).toEqual([...major].sort((a, b) => a - b));
    expect(seqs.slice(0, crit.length)).toEqual(crit);
    expect(got.every((e) => e.buffered === true)).toBe(true);
    expect(events).toContain(true);
    await waitFor(() => outbox.stats().pending === 0, 'outbox empty after PUBACKs');
    console.log(`[figures] 1000 buffered incidents delivered in ${seconds.toFixed(2)} s after the broker came up (drain after connect ${drainS.toFixed(2)} s = ${(1000 / drainS).toFixed(0)} msg/s, drainPerS 2000)`);
  });

  it('publishes live incidents unbuffered, R/state online on connect and stopped on stop, both retained', async () => {
    observer = await Observer.connect(broker.url);
    uplink = makeUplink();
    await uplink.start();
    await observer.until(() => observer!.json('/state').length >= 1, 'state online');
    expect(observer.json('/state')[0]).toEqual({ v: 1, online: true, version: '0.1.0', startedAt: expect.any(String), devices: { total: 5, online: 4 } });
    const ev = await outbox.appendIncident(draft({ severity: 'minor' }));
    await observer.until(() => observer!.json('/incident').length >= 1, 'live incident');
    expect(observer.json('/incident')[0]).toMatchObject({ seq: ev.seq, buffered: false });
    await outbox.append({ lane: 'evidence', topic: 'evidence/inc1/ev1', payload: Buffer.from([0xff, 0xd8, 0xff]),
      properties: { contentType: 'image/jpeg', userProperties: { sha256: 'abc', capturedAt: 'T', deviceId: 'cam-1' } } });
    await observer.until(() => observer!.seen.some((s) => s.topic.endsWith('/evidence/inc1/ev1')), 'evidence');
    const evid = observer.seen.find((s) => s.topic === 'qinhe/caima/caima-01/evidence/inc1/ev1')!;
    expect(evid.payload).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(evid.properties).toMatchObject({ contentType: 'image/jpeg', userProperties: { sha256: 'abc', deviceId: 'cam-1' } });
    await uplink.stop();
    await uplink.stop();
    await observer.until(() => observer!.json('/state').some((s) => s.reason === 'stopped'), 'state stopped');
    // A late subscriber gets the retained state: stopped.
    const late = await Observer.connect(broker.url, 'qinhe/caima/caima-01/state');
    await late.until(() => late.seen.length >= 1, 'retained state');
    expect(late.seen[0]!.retain).toBe(true);
    expect(JSON.parse(late.seen[0]!.payload.toString())).toEqual({ v: 1, online: false, reason: 'stopped' });
    await late.close();
  });

  it('reconnects after the broker is killed and restarted, and R/state comes back online', async () => {
    const events: boolean[] = [];
    uplink = makeUplink({}, events);
    await uplink.start();
    observer = await Observer.connect(broker.url);
    await observer.until(() => events.includes(true), 'first connect');
    await broker.kill('SIGKILL');
    await observer.close();
    await broker.start();
    observer = await Observer.connect(broker.url, 'qinhe/caima/caima-01/state');
    await observer.until(() => observer!.json('/state').some((s) => s.online === true), 'state online again');
    expect(events.filter((e) => e === true).length).toBeGreaterThanOrEqual(2);
    expect(events).toContain(false);
  });

  it('publishes R/health retained through the outbox with the store figures', async () => {
    uplink = makeUplink();
    await uplink.start();
    const health = new HealthReporter({ outbox, intervalS: 300, logger: silentLogger(), provider: () => ({ v: 1, at: new Date().toISOString(),
      uptimeS: 5, clockSynced: true, store: { pending: 0, oldestPendingAt: null, bytes: 0 },
      devices: { total: 5, online: 4, offline: 1, degraded: 0 }, unhealthy: [], buses: [] }) });
    await health.start();
    await waitFor(() => outbox.stats().byLane.health.pending === 0, 'health delivered');
    await health.stop();
    observer = await Observer.connect(broker.url, 'qinhe/caima/caima-01/health');
    await observer.until(() => observer!.seen.length >= 1, 'retained health');
    expect(observer.seen[0]!.retain).toBe(true);
    expect(observer.json('/health')[0]).toMatchObject({ v: 1, devices: { total: 5, online: 4 },
      store: { pending: expect.any(Number), bytes: expect.any(Number), evictions: expect.objectContaining({ telemetry: 0 }) } });
  });
});
