/**
 * A stand-in for the district command center: subscribes to R/# on the broker, checks every R/incident's seq
 * (gaps, duplicates), counts incidents by kind, keeps the last messages, and can acknowledge each raised
 * incident with a signed `ack` command and resolve it with a signed `resolve` (when it holds the center's private
 * key), so the demo also shows the command path and R/reply, and a long run does not pile up open incidents.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { signCommand } from '../commands/sign.js';
import type { IncidentEventV1 } from '../core/contract.js';
import { SeqTracker } from './seq-tracker.js';

export interface CenterLine { at: number; topic: string; text: string }

export interface CenterOptions {
  url: string;
  root: string;
  privateKeyPem?: string;
  /** Acknowledge each raised incident after this many seconds (needs privateKeyPem). */
  ackAfterS?: number;
  /** Resolve each raised incident ("handled") this many seconds after it was raised, as a duty officer closes it. */
  resolveAfterS?: number;
  /** Called with a one-line description of every message (the --center view). */
  onLine?: (line: CenterLine) => void;
}

export class CenterView {
  readonly seq = new SeqTracker();
  readonly raisedByKind = new Map<string, number>();
  readonly events: IncidentEventV1[] = [];
  readonly last: CenterLine[] = [];
  state: Record<string, unknown> | undefined;
  health: Record<string, unknown> | undefined;
  replies = { ok: 0, failed: 0 };
  acksSent = 0;
  resolvesSent = 0;
  private client: MqttClient | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly o: CenterOptions) {}

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Resolves once subscribed (or rejects when the broker cannot be reached within 10 s). */
  start(): Promise<void> {
    const client = mqtt.connect(this.o.url, { protocolVersion: 5, clientId: `qinhe-demo-center-${process.pid}`, clean: true, reconnectPeriod: 1000 });
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`center: cannot reach ${this.o.url}`)), 10_000);
      client.once('connect', () => {
        client.subscribe(`${this.o.root}/#`, { qos: 1 }, (err) => {
          clearTimeout(t);
          if (err) reject(err); else resolve();
        });
      });
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    const sub = topic.slice(this.o.root.length + 1);
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    let text = `${payload.length} bytes`;
    if (sub === 'incident' && body) {
      const ev = body as unknown as IncidentEventV1;
      this.seq.add(ev.seq);
      this.events.push(ev);
      if (this.events.length > 5000) this.events.splice(0, this.events.length - 5000);
      if (ev.event === 'raised') {
        this.raisedByKind.set(ev.kind, (this.raisedByKind.get(ev.kind) ?? 0) + 1);
        this.scheduleAck(ev);
      }
      text = `#${ev.seq} ${ev.event} ${ev.kind}/${ev.severity} ${ev.device?.id ?? ''}: ${ev.summary}${ev.buffered ? ' (buffered)' : ''}`;
    } else if (sub === 'state' && body) {
      this.state = body;
      text = body.online ? `online (v${String(body.version)})` : `offline (${String(body.reason)})`;
    } else if (sub === 'health' && body) {
      this.health = body;
      const d = body.devices as Record<string, number> | undefined;
      text = d ? `devices ${d.online}/${d.total} online` : 'health';
    } else if (sub === 'reply' && body) {
      if (body.ok) this.replies.ok += 1; else this.replies.failed += 1;
      text = body.ok ? `command ${String(body.id)} ok` : `command ${String(body.id)} failed: ${JSON.stringify(body.error)}`;
    } else if (sub.startsWith('cmd/')) {
      return; // our own commands
    }
    const line = { at: Date.now(), topic: sub, text };
    this.last.push(line);
    if (this.last.length > 50) this.last.shift();
    this.o.onLine?.(line);
  }

  private scheduleAck(ev: IncidentEventV1): void {
    if (ev.test) return;
    this.later('ack', this.o.ackAfterS, { incidentId: ev.incidentId, by: 'demo-center' }, () => { this.acksSent += 1; });
    this.later('resolve', this.o.resolveAfterS, { incidentId: ev.incidentId, by: 'demo-center', outcome: 'handled' }, () => { this.resolvesSent += 1; });
  }

  /** A signed command after `afterS` seconds (nothing without the private key or a delay). */
  private later(name: 'ack' | 'resolve', afterS: number | undefined, args: Record<string, string>, sent: () => void): void {
    const key = this.o.privateKeyPem;
    if (!key || afterS === undefined) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      const cmd = signCommand(name, { args }, key);
      this.client?.publish(`${this.o.root}/cmd/${name}`, JSON.stringify(cmd), { qos: 1 });
      sent();
    }, afterS * 1000);
    this.timers.add(t);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const c = this.client;
    this.client = undefined;
    if (c) await new Promise<void>((resolve) => c.end(false, {}, () => resolve()));
  }
}
