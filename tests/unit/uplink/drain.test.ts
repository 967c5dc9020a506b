import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MqttClient } from 'mqtt';
import { openStore, Outbox, type Store } from '../../../runtime/store/index.js';
import { Drainer } from '../../../runtime/uplink/index.js';
import { LARGE_BYTES } from '../../../runtime/uplink/drain.js';
import { draft, silentLogger, storageConfig, tempDir } from '../store/fixtures.js';
import { ManualTimers } from './manual-timers.js';

class FakeClient {
  readonly pubs: Array<{ topic: string; payload: Buffer; qos: number; retain: boolean }> = [];
  readonly waiting: Array<(err?: Error) => void> = [];
  autoAck = true;
  refuse: (payload: Buffer) => boolean = () => false;
  publish(topic: string, payload: Buffer, opts: { qos: number; retain: boolean }, cb: (err?: Error) => void): void {
    this.pubs.push({ topic, payload, qos: opts.qos, retain: opts.retain });
    if (this.refuse(payload)) queueMicrotask(() => cb(new Error('Not authorized (0x87)')));
    else if (this.autoAck) queueMicrotask(() => cb());
    else this.waiting.push(cb);
  }
}

const ticks = async (n = 20) => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); };

describe('Drainer', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let outbox: Outbox;
  let timers: ManualTimers;
  let wall: number;
  const clock = { now: () => wall + timers.now, mono: () => timers.now };
  beforeEach(() => {
    tmp = tempDir();
    timers = new ManualTimers();
    wall = Date.UTC(2026, 10, 26);
    store = openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger(), clock }).store;
    outbox = new Outbox(store);
  });
  afterEach(() => { outbox.close(); store.close(); tmp.cleanup(); });

  const drainer = (drainPerS: number, window: number) => new Drainer({ outbox, logger: silentLogger(), clock, timers,
    root: 'qinhe/caima/caima-01', drainPerS, window, bufferedAfterMs: 2000 });

  it('says it is uploading while a large row (≥ 64 KiB) is unacknowledged, and not once it is', async () => {
    await outbox.append({ lane: 'evidence', topic: 'evidence/inc-1/ev-1', payload: Buffer.alloc(LARGE_BYTES, 1) });
    await outbox.append({ lane: 'evidence', topic: 'evidence/inc-1/ev-2', payload: Buffer.alloc(1000, 1) });
    const client = new FakeClient();
    client.autoAck = false;
    const d = drainer(1000, 10);
    d.attach(client as unknown as MqttClient);
    await ticks();
    expect(client.pubs).toHaveLength(2);
    expect(d.uploading()).toBe(true);
    client.waiting[0]!(); // the large one's PUBACK
    await ticks();
    expect(d.uploading()).toBe(false);
    d.detach();
  });

  it('paces a backlog at drainPerS, deleting each row after its acknowledgement', async () => {
    await Promise.all(Array.from({ length: 100 }, () => outbox.appendIncident(draft({ severity: 'major' }))));
    const client = new FakeClient();
    const d = drainer(10, 5);
    d.attach(client as unknown as MqttClient);
    await ticks();
    expect(client.pubs).toHaveLength(5); // the burst: min(window, rate)
    for (let s = 0; s < 10; s++) {
      await timers.advance(1000);
      await ticks();
    }
    expect(client.pubs.length).toBeGreaterThanOrEqual(100);
    expect(client.pubs.length).toBeLessThanOrEqual(106);
    expect(client.pubs.map((p) => JSON.parse(p.payload.toString()).seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    await ticks();
    expect(outbox.stats().pending).toBe(0);
    d.detach();
  });

  it('paces only the backlog: events appended while connected go out at once, bounded by the window', async () => {
    await Promise.all(Array.from({ length: 30 }, () => outbox.appendIncident(draft({ severity: 'major' }))));
    const client = new FakeClient();
    const d = drainer(1, 1000); // one backlog message a second
    d.attach(client as unknown as MqttClient);
    await ticks();
    const backlogSent = client.pubs.length;
    expect(backlogSent).toBe(1);
    // Live traffic: 50 events appended after the connection, with no time passing.
    await Promise.all(Array.from({ length: 50 }, () => outbox.appendIncident(draft({ severity: 'critical' }))));
    await ticks();
    const live = client.pubs.slice(backlogSent).map((p) => JSON.parse(p.payload.toString()) as { seq: number; buffered: boolean });
    expect(live.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 31 + i));
    expect(live.every((e) => e.buffered === false)).toBe(true);
    // The backlog still waits for its tokens.
    expect(outbox.stats().pending).toBe(29);
    await timers.advance(1000);
    await ticks();
    expect(outbox.stats().pending).toBe(28);
    d.detach();
  });

  it('never paces critical incidents, even in the backlog', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => outbox.appendIncident(draft({ severity: i < 10 ? 'critical' : 'major' }))));
    const client = new FakeClient();
    const d = drainer(1, 1000);
    d.attach(client as unknown as MqttClient);
    await ticks();
    const sent = client.pubs.map((p) => JSON.parse(p.payload.toString()) as { severity: string });
    expect(sent.filter((e) => e.severity === 'critical')).toHaveLength(10);
    expect(sent.filter((e) => e.severity === 'major')).toHaveLength(1); // the paced backlog: one token
    d.detach();
  });

  it('bursts a tenth of a second of the rate, at least 20 and at most the window', async () => {
    await Promise.all(Array.from({ length: 300 }, () => outbox.appendIncident(draft({ severity: 'major' }))));
    const client = new FakeClient();
    client.autoAck = false;
    const d = drainer(200, 1000);
    d.attach(client as unknown as MqttClient);
    await ticks();
    expect(client.pubs).toHaveLength(20);
    d.detach();
    const fast = new FakeClient();
    fast.autoAck = false;
    const f = drainer(2000, 1000);
    f.attach(fast as unknown as MqttClient);
    await ticks();
    expect(fast.pubs).toHaveLength(200);
    f.detach();
  });

  it('keeps at most `window` messages unacknowledged, capped by the broker receiveMaximum', async () => {
    await Promise.all(Array.from({ length: 50 }, () => outbox.appendIncident(draft())));
    const client = new FakeClient();
    client.autoAck = false;
    const d = drainer(1000, 20);
    d.attach(client as unknown as MqttClient, 8);
    for (let i = 0; i < 5; i++) { await timers.advance(1000); await ticks(); }
    expect(client.pubs).toHaveLength(8);
    client.waiting.splice(0, 3).forEach((cb) => cb());
    await ticks();
    expect(client.pubs).toHaveLength(11);
    expect(outbox.stats().pending).toBe(47);
    d.detach();
  });

  it('sends unacknowledged rows again after a reconnect, marked buffered', async () => {
    const client = new FakeClient();
    client.autoAck = false;
    const d = drainer(1000, 20);
    d.attach(client as unknown as MqttClient);
    const live = await outbox.appendIncident(draft());
    await ticks();
    expect(JSON.parse(client.pubs[0]!.payload.toString())).toMatchObject({ seq: live.seq, buffered: false });
    d.detach(); // the connection dropped before the PUBACK
    const again = new FakeClient();
    d.attach(again as unknown as MqttClient);
    await ticks();
    expect(JSON.parse(again.pubs[0]!.payload.toString())).toMatchObject({ seq: live.seq, buffered: true });
    await ticks();
    expect(outbox.stats().pending).toBe(0);
    d.detach();
  });

  it('marks an event buffered when it waited longer than the in-flight window while connected', async () => {
    const client = new FakeClient();
    client.autoAck = false;
    const d = drainer(1000, 1);
    d.attach(client as unknown as MqttClient);
    await outbox.appendIncident(draft()); // takes the only in-flight slot
    await outbox.appendIncident(draft()); // waits behind it
    await ticks();
    await timers.advance(3000);
    client.waiting.shift()!();
    await ticks();
    const sent = client.pubs.map((p) => JSON.parse(p.payload.toString()) as { seq: number; buffered: boolean });
    expect(sent.map((e) => [e.seq, e.buffered])).toEqual([[1, false], [2, true]]);
    d.detach();
  });

  it('sends a critical appended mid-drain at once, after the older events it must follow (unpaced), before the rest of the backlog', async () => {
    const backlog = await Promise.all(Array.from({ length: 40 }, (_, i) =>
      outbox.appendIncident(draft({ severity: 'major', ...(i === 30 ? { incidentId: 'INC-X' } : {}) }))));
    const client = new FakeClient();
    const d = drainer(1, 1000); // one backlog message a second
    d.attach(client as unknown as MqttClient);
    await ticks();
    expect(client.pubs).toHaveLength(1);
    // INC-X rose to critical: its raised event (backlog[30]) must go first, and the major events before that one
    // too (seq order within a severity); none of them waits for the bucket. backlog[31..] still does.
    const critical = await outbox.appendIncident(draft({ severity: 'critical', incidentId: 'INC-X' }));
    await ticks();
    const seqs = client.pubs.map((p) => (JSON.parse(p.payload.toString()) as { seq: number }).seq);
    expect(seqs).toEqual([...backlog.slice(0, 31).map((e) => e.seq), critical.seq]);
    await timers.advance(1000);
    await ticks();
    expect(client.pubs).toHaveLength(33);
    d.detach();
  });

  it('reads the backlog in batches, not once per acknowledgement', async () => {
    await Promise.all(Array.from({ length: 300 }, () => outbox.appendIncident(draft({ severity: 'major' }))));
    const peeks = vi.spyOn(outbox, 'peek');
    const client = new FakeClient();
    const d = drainer(10_000, 5);
    d.attach(client as unknown as MqttClient);
    for (let i = 0; i < 200 && client.pubs.length < 300; i++) { await timers.advance(10); await ticks(2); }
    expect(client.pubs.map((p) => (JSON.parse(p.payload.toString()) as { seq: number }).seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(peeks.mock.calls.length).toBeLessThan(10);
    d.detach();
  });

  it('does not read an outbox it has read to the end again until something is appended', async () => {
    const client = new FakeClient();
    const d = drainer(10_000, 20);
    d.attach(client as unknown as MqttClient);
    await ticks();
    const peeks = vi.spyOn(outbox, 'peek');
    // Live traffic one message at a time (a reply per command): one read per append, none per PUBACK.
    for (let i = 0; i < 50; i++) {
      await outbox.append({ lane: 'reply', topic: 'reply', payload: { n: i } });
      await ticks(3);
    }
    expect(client.pubs).toHaveLength(50);
    expect(peeks.mock.calls.length).toBeLessThanOrEqual(50);
    await ticks();
    expect(outbox.stats().pending).toBe(0);
    d.detach();
  });

  it('publishes other lanes as stored, with their QoS and retain flag', async () => {
    await outbox.append({ lane: 'health', topic: 'health', payload: { v: 1 }, retain: true });
    await outbox.append({ lane: 'telemetry', topic: 'telemetry', payload: { v: 1, readings: [] } });
    const client = new FakeClient();
    const d = drainer(1000, 10);
    d.attach(client as unknown as MqttClient);
    await ticks();
    expect(client.pubs.map((p) => [p.topic, p.qos, p.retain])).toEqual([
      ['qinhe/caima/caima-01/health', 1, true], ['qinhe/caima/caima-01/telemetry', 0, false]]);
    d.detach();
  });

  it('holds a message the broker refuses until the next connection, without a retry loop', async () => {
    await outbox.append({ lane: 'evidence', topic: 'evidence/i/e', payload: Buffer.from('too big') });
    await outbox.appendIncident(draft());
    const client = new FakeClient();
    client.refuse = (p) => p.toString() === 'too big';
    const d = drainer(1000, 10);
    d.attach(client as unknown as MqttClient);
    for (let i = 0; i < 5; i++) { await timers.advance(1000); await ticks(); }
    expect(client.pubs.map((p) => p.topic)).toEqual(['qinhe/caima/caima-01/incident', 'qinhe/caima/caima-01/evidence/i/e']);
    expect(outbox.stats().byLane.evidence.pending).toBe(1);
    d.detach();
    const again = new FakeClient();
    d.attach(again as unknown as MqttClient);
    await ticks();
    expect(again.pubs.map((p) => p.payload.toString())).toEqual(['too big']);
    await ticks();
    expect(outbox.stats().pending).toBe(0);
    d.detach();
  });
});
