/**
 * The box's durable upstream path, alone, for the throughput and drain figures: a real store (SQLite, WAL,
 * synchronous=FULL) in a temp dir, the Outbox and the Uplink of runtime/, against a local mosquitto; and the
 * baseline beside it: raw mqtt.js QoS 1 publishing of the same payloads to the same broker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Logger } from 'pino';
import { ulid } from 'ulid';
import { boxConfigSchema } from '../../config/schema.js';
import type { IncidentEventDraft, Severity } from '../../runtime/core/contract.js';
import { openStore, Outbox, type Store } from '../../runtime/store/index.js';
import { Uplink } from '../../runtime/uplink/index.js';

export function draft(i: number, severity: Severity = 'major', incidentId = ulid()): IncidentEventDraft {
  const now = new Date().toISOString();
  return {
    v: 1, eventId: ulid(), incidentId, event: 'raised', kind: 'smoke', severity,
    device: { id: `smoke-b${(i % 12) + 1}-${String(i % 200).padStart(3, '0')}`, type: 'smoke', zone: `B${(i % 12) + 1}`, location: '3幢 烟感' },
    detectedAt: now, clockSynced: true, summary: `bench event ${i}`, data: { rule: 'smoke-alarm', point: 'alarm', value: true },
    evidence: [], actions: [], timeline: { detectedAt: now, alarmedAt: now, ackedAt: null, onsiteAt: null, resolvedAt: null },
  };
}

export class UplinkRig {
  readonly dir = mkdtempSync(join(tmpdir(), 'qinhe-bench-'));
  store!: Store;
  outbox!: Outbox;
  uplink: Uplink | undefined;

  constructor(private readonly url: string, private readonly logger: Logger, private readonly drainPerS: number) {}

  open(): void {
    const storage = boxConfigSchema.shape.storage.parse(undefined);
    this.store = openStore({ dataDir: this.dir, storage: { ...storage, dataDir: this.dir }, logger: this.logger }).store;
    this.outbox = new Outbox(this.store, { logger: this.logger });
  }

  async connect(): Promise<void> {
    const config = boxConfigSchema.shape.uplink.parse({ url: this.url, drainPerS: this.drainPerS, firstRetryMaxMs: 0, backoffBaseMs: 100, backoffCapMs: 1000,
      retriesPerHour: 7200 /* the default 120/h at a 60 s cap, scaled to this 1 s cap */ });
    this.uplink = new Uplink({
      config, estate: 'bench', box: 'bench-01', secrets: {}, outbox: this.outbox, logger: this.logger, version: '0.0.0-bench',
      stateDevices: () => ({ total: 0, online: 0 }),
    });
    await this.uplink.start();
  }

  /** The in-flight window the uplink ran with (its default, capped by the broker's receiveMaximum). */
  windowNote(): string {
    const c = this.uplink?.counters();
    return `window ${c?.window ?? '?'} (broker receiveMaximum ${c?.receiveMaximum ?? 'not advertised'}; the baseline has no limit)`;
  }

  acked(): number {
    return this.uplink?.counters().acked ?? 0;
  }

  /** Resolves once `n` publishes have been acknowledged (polls every 2 ms). */
  async waitAcked(n: number, timeoutMs: number): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (this.acked() < n) {
      if (performance.now() > until) throw new Error(`only ${this.acked()} of ${n} acknowledged within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  async close(): Promise<void> {
    await this.uplink?.stop();
    this.outbox?.close();
    this.store?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Raw mqtt.js: publish `payloads` at QoS 1 as fast as mqtt.js goes; msgs/s from first publish to last PUBACK. */
export async function rawPublishRate(url: string, topic: string, payloads: Buffer[]): Promise<number> {
  const client = mqtt.connect(url, { protocolVersion: 5, clientId: `bench-raw-${process.pid}-${Date.now()}`, clean: true, reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => { client.once('connect', () => resolve()); client.once('error', reject); });
  const burst = (list: Buffer[]) => Promise.all(list.map((p) => new Promise<void>((resolve, reject) => {
    client.publish(topic, p, { qos: 1 }, (err) => (err ? reject(err) : resolve()));
  })));
  await burst(payloads.slice(0, 1000)); // warm-up (JIT, socket buffers), not counted
  const t0 = performance.now();
  await burst(payloads);
  const s = (performance.now() - t0) / 1000;
  await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
  return payloads.length / s;
}
