/**
 * Durable throughput and drain, each beside raw mqtt.js QoS 1 publishing to the same local mosquitto.
 *
 * - durable: N incident events appended (group commit per tick, as the engine does) and acknowledged by the
 *   broker (the row deleted after PUBACK) vs raw: events/s. Target ≥ 0.7 × raw.
 * - drain: 100,000 events buffered while the broker is down, then the broker comes back: msgs/s to empty the
 *   outbox vs raw (target ≥ 0.8 × raw), and how long a new critical incident, raised 1 s into the drain,
 *   waits until the center has it (target ≤ 1 s).
 * The uplink paces only the backlog after an outage, at uplink.drainPerS; live traffic (the durable figure) is
 * bounded by the in-flight window alone. For the drain figure the bench sets drainPerS to the schema maximum
 * (100,000/s: what an operator sets to let a box flush as fast as its broker takes it) and says so in the
 * notes, because the default (200/s) is a deliberate limit, not a speed.
 * Like the baseline's payloads, the events are built before the clock starts (a ULID costs ~40 µs here, and
 * making events is the engine's work, not the durable path's).
 */
import mqtt from 'mqtt';
import type { Logger } from 'pino';
import { LocalBroker } from '../../runtime/demo/broker.js';
import { draft, rawPublishRate, UplinkRig } from './uplink-rig.js';
import { figure, missing, type Figure, type Target } from './stats.js';

const DRAIN_PER_S = 100_000;
const T_DURABLE: Target = { of: 'ratio', op: '>=', limit: 0.7 };
const T_DRAIN: Target = { of: 'ratio', op: '>=', limit: 0.8 };
const T_CRITICAL: Target = { of: 'value', op: '<=', limit: 1000 };

export interface ThroughputOptions { dir: string; logger: Logger; durableN: number; drainN: number }

function payloadsLike(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => Buffer.from(JSON.stringify({ ...draft(i), seq: i + 1, buffered: false })));
}

export async function durableThroughput(o: ThroughputOptions): Promise<Figure[]> {
  const broker = new LocalBroker({ dir: o.dir, port: 0 });
  await broker.start();
  const rig = new UplinkRig(broker.url, o.logger, DRAIN_PER_S);
  try {
    const raw = await rawPublishRate(broker.url, 'qinhe/bench/raw/incident', payloadsLike(o.durableN));
    rig.open();
    await rig.connect();
    await waitConnected(rig);
    const drafts = Array.from({ length: o.durableN }, (_, i) => draft(i));
    const t0 = performance.now();
    // The engine appends as facts arrive: here 50 events per tick, each tick one group commit.
    for (let i = 0; i < o.durableN; i += 50) {
      for (let j = i; j < Math.min(o.durableN, i + 50); j++) void rig.outbox.appendIncident(drafts[j]!);
      await new Promise((r) => setImmediate(r));
    }
    await rig.waitAcked(o.durableN, 120_000);
    const rate = o.durableN / ((performance.now() - t0) / 1000);
    return [figure('durable throughput (persisted + PUBACK)', rate, 'events/s', { baseline: raw, target: T_DURABLE,
      note: `${o.durableN} incident events; baseline: raw mqtt.js QoS 1 to the same mosquitto; live traffic is not paced, ${rig.windowNote()}` })];
  } finally {
    await rig.close();
    await broker.stop();
  }
}

/** The best ratio the pacing allows against this baseline. */
function ceiling(raw: number): string {
  return (DRAIN_PER_S / raw).toFixed(2);
}

async function waitConnected(rig: UplinkRig, timeoutMs = 10_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!rig.uplink?.isConnected()) {
    if (performance.now() > until) throw new Error('uplink did not connect to the bench broker');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function drain(o: ThroughputOptions): Promise<Figure[]> {
  const broker = new LocalBroker({ dir: o.dir, port: 0 });
  await broker.start();
  const port = broker.port;
  const rig = new UplinkRig(broker.url, o.logger, DRAIN_PER_S);
  const center = mqtt.connect(broker.url, { protocolVersion: 5, clientId: `bench-center-${process.pid}`, clean: true });
  try {
    const raw = await rawPublishRate(broker.url, 'qinhe/bench/raw/incident', payloadsLike(Math.min(o.drainN, 20_000)));
    await broker.stop(); // the outage
    rig.open();
    for (let i = 0; i < o.drainN; i += 1000) {
      await Promise.all(Array.from({ length: Math.min(1000, o.drainN - i) }, (_, j) => rig.outbox.appendIncident(draft(i + j, 'major'))));
    }
    const restarted = new LocalBroker({ dir: o.dir, fixedPort: port });
    await restarted.start();
    await new Promise<void>((resolve, reject) => {
      center.once('connect', () => center.subscribe('qinhe/bench/bench-01/incident', { qos: 1 }, (e) => (e ? reject(e) : resolve())));
      center.once('error', reject);
    });
    let criticalId = '';
    let criticalSentAt = 0;
    let criticalWaitMs: number | undefined;
    center.on('message', (_t, p) => {
      if (criticalId && criticalWaitMs === undefined && p.includes(criticalId)) criticalWaitMs = performance.now() - criticalSentAt;
    });
    await rig.connect();
    await waitConnected(rig);
    const t0 = performance.now();
    const critical = new Promise<void>((resolve) => setTimeout(() => {
      const d = draft(-1, 'critical');
      criticalId = d.eventId;
      criticalSentAt = performance.now();
      void rig.outbox.appendIncident(d).then(() => resolve());
    }, 1000));
    await critical;
    await rig.waitAcked(o.drainN + 1, 600_000);
    const rate = (o.drainN + 1) / ((performance.now() - t0) / 1000);
    await restarted.stop();
    return [
      figure('drain after an outage', rate, 'msgs/s', { baseline: raw, target: T_DRAIN,
        note: `${o.drainN} buffered incident events; uplink drainPerS ${DRAIN_PER_S} (ceiling ratio ${ceiling(raw)}), ${rig.windowNote()}; baseline raw mqtt.js QoS 1` }),
      criticalWaitMs === undefined
        ? missing('critical incident wait during drain', 'ms', 'the critical event was not seen by the subscriber', T_CRITICAL)
        : figure('critical incident wait during drain', criticalWaitMs, 'ms', { target: T_CRITICAL, note: 'append → center receipt, raised 1 s into the drain' }),
    ];
  } finally {
    await new Promise<void>((resolve) => center.end(true, {}, () => resolve()));
    await rig.close();
    await broker.stop();
  }
}
