import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, Outbox, type Store } from '../../../runtime/store/index.js';
import { draft, FakeClock, silentLogger, storageConfig, tempDir } from './fixtures.js';

const KB = 1024;

describe('outbox quota and TTL', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let outbox: Outbox;
  let clock: FakeClock;
  beforeEach(() => {
    tmp = tempDir();
    clock = new FakeClock();
    store = openStore({ dataDir: tmp.dir, storage: storageConfig({ quotaMb: 1 }), logger: silentLogger(), clock }).store;
    outbox = new Outbox(store);
  });
  afterEach(() => { outbox.close(); store.close(); tmp.cleanup(); });

  const fill = (lane: 'telemetry' | 'evidence' | 'health', n: number, size: number) =>
    Promise.all(Array.from({ length: n }, () => outbox.append({ lane, topic: lane, payload: Buffer.alloc(size) })));

  it('evicts telemetry first, then evidence, then health, and never young incidents', async () => {
    const incidents = await Promise.all(Array.from({ length: 20 }, () => outbox.appendIncident(draft({ summary: 'x'.repeat(2000) }))));
    await fill('health', 10, 20 * KB);      // 200 KB
    await fill('evidence', 10, 40 * KB);    // 400 KB
    await fill('telemetry', 10, 30 * KB);   // 300 KB: total about 950 KB, under 1 MB
    expect(outbox.stats().evictions).toEqual({ critical: 0, incident: 0, reply: 0, health: 0, evidence: 0, telemetry: 0 });

    await fill('evidence', 5, 40 * KB);     // +200 KB: telemetry must go first
    let s = outbox.stats();
    expect(s.bytes).toBeLessThanOrEqual(1024 * KB);
    expect(s.evictions.telemetry).toBeGreaterThan(0);
    expect(s.evictions.evidence).toBe(0);
    expect(s.evictions.health).toBe(0);

    await fill('evidence', 10, 40 * KB);    // telemetry exhausted: the oldest evidence goes next
    s = outbox.stats();
    expect(s.byLane.telemetry.pending).toBe(0);
    expect(s.evictions.telemetry).toBe(10);
    expect(s.evictions.evidence).toBeGreaterThan(0);
    expect(s.evictions.health).toBe(0);
    expect(s.bytes).toBeLessThanOrEqual(1024 * KB);

    await Promise.all(Array.from({ length: 40 }, () => outbox.appendIncident(draft({ summary: 'y'.repeat(20_000) }))));
    s = outbox.stats();
    expect(s.byLane.evidence.pending).toBe(0);
    expect(s.evictions.health).toBeGreaterThan(0);
    expect(s.evictions.critical).toBe(0);
    expect(s.byLane.critical.pending).toBe(60);
    expect(outbox.peek(100).filter((r) => r.lane === 'critical').map((r) => r.seq))
      .toEqual([...incidents.map((e) => e.seq), ...Array.from({ length: 40 }, (_, i) => 21 + i)]);
  });

  it('persists eviction counts across a reopen', async () => {
    await fill('telemetry', 40, 30 * KB);
    const before = outbox.stats().evictions.telemetry;
    expect(before).toBeGreaterThan(0);
    outbox.close(); store.close();
    store = openStore({ dataDir: tmp.dir, storage: storageConfig({ quotaMb: 1 }), logger: silentLogger(), clock }).store;
    outbox = new Outbox(store);
    expect(outbox.stats().evictions.telemetry).toBe(before);
  });

  it('drops telemetry past its TTL but keeps incidents of the same age', async () => {
    await fill('telemetry', 3, 10);
    await outbox.appendIncident(draft());
    clock.advance(7 * 3_600_000); // telemetry TTL is 6 h
    await fill('health', 1, 10);   // an append runs the sweep
    const s = outbox.stats();
    expect(s.byLane.telemetry.pending).toBe(0);
    expect(s.evictions.telemetry).toBe(3);
    expect(s.byLane.critical.pending).toBe(1);
    expect(s.byLane.health.pending).toBe(1);
  });

  it('does not expire rows when the wall clock jumps ahead (TTLs run on monotonic time)', async () => {
    await fill('telemetry', 3, 10);
    clock.wall += 10 * 365 * 24 * 3_600_000; // NTP's first sync, or a bad manual set: +10 years, no time passed
    clock.monoMs += 61_000;                    // past the sweep's rate limit
    await fill('health', 1, 10);
    expect(outbox.stats().byLane.telemetry.pending).toBe(3);
    clock.monoMs += 7 * 3_600_000;             // real time passing still expires them
    await fill('health', 1, 10);
    expect(outbox.stats().byLane.telemetry.pending).toBe(0);
  });

  it('evicts an incident past its TTL only when over quota', async () => {
    await outbox.appendIncident(draft({ summary: 'z'.repeat(300 * KB) }));
    clock.advance(31 * 24 * 3_600_000);
    await fill('telemetry', 1, 10);
    expect(outbox.stats().byLane.critical.pending).toBe(1); // old but the store is not full
    await Promise.all(Array.from({ length: 3 }, () => outbox.appendIncident(draft({ summary: 'w'.repeat(300 * KB) }))));
    const s = outbox.stats();
    expect(s.evictions.critical).toBe(1);
    expect(s.byLane.critical.pending).toBe(3);
  });
});
