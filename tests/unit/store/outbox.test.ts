import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import BetterSqlite3 from '../../../runtime/core/sqlite.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HWM_FILE, openStore, Outbox, type Store } from '../../../runtime/store/index.js';
import { draft, FakeClock, silentLogger, storageConfig, tempDir, useTestOutbox } from './fixtures.js';

describe('Outbox appends', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let outbox: Outbox;
  const open = () => {
    store = openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger() }).store;
    outbox = new Outbox(store);
  };
  beforeEach(() => { tmp = tempDir(); open(); });
  afterEach(() => { outbox.close(); store.close(); tmp.cleanup(); });

  it('assigns gapless seqs in append order and the event is committed when the promise resolves', async () => {
    const events = await Promise.all(Array.from({ length: 50 }, (_, i) => outbox.appendIncident(draft({ summary: `n${i}` }))));
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(events.every((e) => e.buffered === false && e.v === 1)).toBe(true);
    // Another connection sees the rows: they were committed, not just queued.
    const reader = new BetterSqlite3(join(tmp.dir, 'outbox.db'), { readonly: true });
    const rows = reader.prepare('SELECT seq, payload FROM outbox ORDER BY id').all() as Array<{ seq: number; payload: Buffer }>;
    reader.close();
    expect(rows.map((r) => r.seq)).toEqual(events.map((e) => e.seq));
    expect(JSON.parse(rows[7]!.payload.toString())).toMatchObject({ seq: 8, summary: 'n7' });
  });

  it('groups the appends of one tick into one transaction', async () => {
    await outbox.appendIncident(draft()); // first commit also runs the (rate-limited) TTL sweep
    const spy = vi.spyOn(store.db, 'transaction');
    const all = [];
    for (let i = 0; i < 300; i++) all.push(outbox.appendIncident(draft()));
    for (let i = 0; i < 100; i++) all.push(outbox.append({ lane: 'telemetry', topic: 'telemetry', payload: { v: 1, readings: [] } }));
    await Promise.all(all);
    expect(spy).toHaveBeenCalledTimes(1);
    await Promise.all([outbox.appendIncident(draft())]);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('lets other lanes wait up to groupMs for company, and commits them at once with an incident event', async () => {
    const o2 = new Outbox(store, { groupMs: 40 });
    await o2.appendIncident(draft());
    const spy = vi.spyOn(store.db, 'transaction');
    const t0 = performance.now();
    const replies = Array.from({ length: 5 }, (_, i) => o2.append({ lane: 'reply', topic: 'reply', payload: { n: i } }));
    await new Promise((r) => setTimeout(r, 5));
    replies.push(o2.append({ lane: 'reply', topic: 'reply', payload: { n: 5 } }));
    await Promise.all(replies);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
    expect(spy).toHaveBeenCalledTimes(1); // six replies over two ticks, one commit
    const t1 = performance.now();
    const mixed = [o2.append({ lane: 'health', topic: 'health', payload: {} }), o2.appendIncident(draft())];
    await Promise.all(mixed);
    expect(performance.now() - t1).toBeLessThan(35); // the incident did not wait, nor did the health row with it
    expect(spy).toHaveBeenCalledTimes(2);
    expect(o2.stats().byLane.reply.pending).toBe(6);
    o2.close();
  });

  it('continues seq after a reopen, without a gap', async () => {
    await Promise.all([1, 2, 3].map(() => outbox.appendIncident(draft())));
    outbox.close(); store.close();
    open();
    expect((await outbox.appendIncident(draft())).seq).toBe(4);
  });

  it('raises the high-water file before using seqs beyond it', async () => {
    await outbox.appendIncident(draft());
    const hwm = () => Number(/"hwm":(\d+)/.exec(readFileSync(join(tmp.dir, HWM_FILE), 'utf8'))![1]);
    expect(hwm()).toBeGreaterThanOrEqual(1);
    const first = hwm();
    await Promise.all(Array.from({ length: first + 5 }, () => outbox.appendIncident(draft())));
    expect(hwm()).toBeGreaterThanOrEqual(outbox.lastCommittedSeq());
    expect(hwm()).toBeGreaterThan(first);
  });

  it('commits what is pending on close and refuses appends after it', async () => {
    const p = outbox.appendIncident(draft());
    outbox.close();
    await expect(p).resolves.toMatchObject({ seq: 1 });
    await expect(outbox.appendIncident(draft())).rejects.toMatchObject({ code: 'QH_STORE_IO' });
  });
});

describe('Outbox drain order', () => {
  const t = useTestOutbox();

  it('drains critical, incident, reply, health, evidence, telemetry; FIFO inside a lane', async () => {
    await t.outbox.append({ lane: 'telemetry', topic: 'telemetry', payload: { n: 1 } });
    await t.outbox.append({ lane: 'evidence', topic: 'evidence/i/e', payload: Buffer.from('jpeg') });
    await t.outbox.append({ lane: 'health', topic: 'health', payload: { n: 1 }, retain: true });
    await t.outbox.appendIncident(draft({ severity: 'major', summary: 'm1' }));
    await t.outbox.append({ lane: 'reply', topic: 'reply', payload: { n: 1 } });
    await t.outbox.appendIncident(draft({ severity: 'minor', summary: 'm2' }));
    await t.outbox.appendIncident(draft({ severity: 'critical', summary: 'c1' }));
    const rows = t.outbox.peek(10);
    expect(rows.map((r) => r.lane)).toEqual(['critical', 'incident', 'incident', 'reply', 'health', 'evidence', 'telemetry']);
    expect(rows.filter((r) => r.lane === 'incident').map((r) => JSON.parse(r.payload.toString()).summary)).toEqual(['m1', 'm2']);
    expect(rows.find((r) => r.lane === 'telemetry')!.qos).toBe(0);
    expect(rows.find((r) => r.lane === 'health')!.retain).toBe(true);
  });

  it('lets a new critical incident overtake a backlog being drained', async () => {
    await Promise.all(Array.from({ length: 20 }, () => t.outbox.appendIncident(draft({ severity: 'major' }))));
    const first = t.outbox.peek(5);
    const inFlight = new Set(first.map((r) => r.id));
    const crit = await t.outbox.appendIncident(draft({ severity: 'critical' }));
    const next = t.outbox.peek(5, inFlight);
    expect(next[0]!.seq).toBe(crit.seq);
    expect(next.slice(1).map((r) => r.seq)).toEqual([6, 7, 8, 9]);
  });

  it('sends older events of the same incident before its critical event, and older events of their severity before those', async () => {
    const other = await t.outbox.appendIncident(draft({ severity: 'major' }));
    const raised = await t.outbox.appendIncident(draft({ severity: 'major', incidentId: 'inc-x' }));
    const later = await t.outbox.appendIncident(draft({ severity: 'major' }));
    const escalated = await t.outbox.appendIncident(draft({ severity: 'critical', incidentId: 'inc-x', event: 'escalated' }));
    const rows = t.outbox.peek(10);
    // Per incident: raised before escalated. Per severity (major): other before raised before later.
    expect(rows.map((r) => r.seq)).toEqual([other.seq, raised.seq, escalated.seq, later.seq]);
    expect(rows.map((r) => r.urgent === true)).toEqual([true, true, false, false]);
  });

  it('pulls the prefix once for several critical events and skips rows in flight', async () => {
    const a = await t.outbox.appendIncident(draft({ severity: 'major', incidentId: 'inc-a' }));
    const b = await t.outbox.appendIncident(draft({ severity: 'major', incidentId: 'inc-b' }));
    const c = await t.outbox.appendIncident(draft({ severity: 'major' }));
    const critB = await t.outbox.appendIncident(draft({ severity: 'critical', incidentId: 'inc-b' }));
    const critA = await t.outbox.appendIncident(draft({ severity: 'critical', incidentId: 'inc-a' }));
    expect(t.outbox.peek(10).map((r) => r.seq)).toEqual([a.seq, b.seq, critB.seq, critA.seq, c.seq]);
    expect(t.outbox.peek(10, new Set([t.outbox.peek(1)[0]!.id])).map((r) => r.seq)).toEqual([b.seq, critB.seq, critA.seq, c.seq]);
  });

  it('deletes a row once acknowledged and does not offer it again', async () => {
    const a = await t.outbox.appendIncident(draft());
    const b = await t.outbox.appendIncident(draft());
    const [row] = t.outbox.peek(1);
    t.outbox.ack(row!.id);
    expect(t.outbox.peek(10).map((r) => r.seq)).toEqual([b.seq]);
    await new Promise((r) => setImmediate(r));
    expect(t.outbox.stats().pending).toBe(1);
    expect(a.seq).toBe(row!.seq);
    expect(t.store.db.pragma('synchronous', { simple: true })).toBe(2); // appends stay FULL after a delete
  });

  it('reports pending, bytes and the oldest pending time per lane', async () => {
    const clock = new FakeClock();
    const o2 = new Outbox(t.store, { clock });
    await o2.append({ lane: 'health', topic: 'health', payload: Buffer.alloc(100) });
    clock.advance(1000);
    await o2.appendIncident(draft());
    const s = o2.stats();
    expect(s.pending).toBe(2);
    expect(s.byLane.health).toEqual({ pending: 1, bytes: 106, oldestAt: new Date(clock.wall - 1000).toISOString() });
    expect(s.oldestPendingAt).toBe(new Date(clock.wall - 1000).toISOString());
    expect(s.bytes).toBe(106 + s.byLane.critical.bytes);
    o2.close();
  });
});
