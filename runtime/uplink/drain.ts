/**
 * The drain: moves outbox rows to the broker while connected.
 *
 *   outbox.peek(batch, inFlight) ──► ahead (rows read, not yet sent) ──► publish (QoS per row) ──PUBACK──►
 *   outbox.ack(id) (row deleted)
 *
 * - One read per batch: `peek` returns up to PEEK_BATCH rows in drain order, kept in `ahead` and published as
 *   the window and the bucket allow, instead of one query per PUBACK. `ahead` is dropped (and read again) when
 *   an append lands in a lane that goes before its last row (a new critical overtakes the backlog at once), and
 *   on every (re)connect. A row appended to the last lane of `ahead` or below sorts after it anyway.
 * - Bounded in-flight window: at most min(window, broker receiveMaximum) unacknowledged publishes.
 * - Paced: a token bucket of `drainPerS` messages per second for the backlog (rows appended before this
 *   connection; critical incidents and the rows they must follow excepted), so a box coming back from an outage does not flood the center; live traffic appended while
 *   connected is bounded by the window only (pacing it would delay today's alarms behind the rate limit). The
 *   bucket runs on the injectable monotonic clock and timers. Burst: a tenth of a second's
 *   worth, at least 20, at most the window (20 at the default 200/s; at 10,000/s a bucket of 20 would have to be
 *   refilled every 2 ms, finer than the loop's timers keep).
 * - Order: mqtt.js writes publishes in call order on one connection, and peek returns lane order / FIFO, so
 *   per-incident order holds; after a reconnect the unacknowledged rows are simply read again (at least once).
 * - `buffered` on incident events: true when the row was appended before this connection was established
 *   (row id ≤ the highest id at connect: it waited for the uplink), or when it waited in the box longer than
 *   `bufferedAfterMs` (default 2 s) before this publish. The stored row keeps `buffered: false`; the flag is
 *   set on the published bytes only. (A wall-clock jump at NTP sync can make a young row look old: it is then
 *   marked buffered, never the other way round.)
 * - A message the broker refuses (PUBACK reason ≥ 0x80, packet too large) stays in the outbox and is held
 *   back until the next connection: no hot retry loop. Later events of the same incident are not held with it.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Clock } from '../../drivers/types.js';
import { LANES, type Lane } from '../core/ports.js';
import type { Outbox, OutboxRow } from '../store/index.js';
import type { Timers } from './backoff.js';

const NOT_BUFFERED = Buffer.from('"buffered":false}');
const BUFFERED = Buffer.from('"buffered":true}');
/** Rows read from the outbox per query. Bigger saves queries on a backlog; each read row costs memory until sent. */
const PEEK_BATCH = 500;
/** A payload this big can take longer than a keepalive to upload on a slow link (see uploading()). */
export const LARGE_BYTES = 64 * 1024;

export interface DrainOptions {
  outbox: Outbox;
  logger: Logger;
  clock: Clock;
  timers: Timers;
  root: string;
  drainPerS: number;
  window: number;
  bufferedAfterMs: number;
}

export class Drainer {
  private client: MqttClient | null = null;
  private watermark = 0;
  private window: number;
  private receiveMaximum: number | undefined;
  private readonly inFlight = new Set<number>();
  /** Ids of in-flight rows of ≥ LARGE_BYTES (evidence clips): while one uploads, the broker may rightly stay silent. */
  private readonly largeInFlight = new Set<number>();
  /** Rows read in drain order and not yet published (`aheadAt` is the next one). */
  private ahead: OutboxRow[] = [];
  private aheadAt = 0;
  /** The last read found fewer rows than asked (the outbox had nothing more) and nothing was appended since. */
  private exhausted = false;
  /** Rows the broker refused (PUBACK reason ≥ 0x80, too large...): held back until the next connection. */
  private readonly refused = new Set<number>();
  private tokens = 0;
  private lastRefill = 0;
  private pumpQueued = false;
  private timer: unknown = null;
  private published = 0;
  private acked = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly o: DrainOptions) {
    this.window = o.window;
  }

  /** Start draining on a fresh connection. `receiveMaximum` is the broker's (CONNACK) limit, if any. */
  attach(client: MqttClient, receiveMaximum?: number): void {
    this.client = client;
    this.inFlight.clear();
    this.largeInFlight.clear();
    this.refused.clear();
    this.watermark = this.o.outbox.highestRowId();
    this.receiveMaximum = receiveMaximum;
    this.window = Math.max(1, Math.min(this.o.window, receiveMaximum ?? Number.POSITIVE_INFINITY));
    this.tokens = this.burst();
    this.lastRefill = this.o.clock.mono();
    this.ahead = [];
    this.exhausted = false;
    this.unsubscribe ??= this.o.outbox.onAppend((lanes) => this.appended(lanes));
    this.kick();
  }

  /** The connection is gone: unacknowledged rows stay in the outbox and go again on the next attach. */
  detach(): void {
    this.client = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.inFlight.clear();
    this.largeInFlight.clear();
    this.ahead = [];
    if (this.timer !== null) this.o.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** `window` is the one in force (ours capped by the broker's `receiveMaximum`, undefined when not advertised). */
  counters(): { published: number; acked: number; inFlight: number; window: number; receiveMaximum: number | undefined } {
    return { published: this.published, acked: this.acked, inFlight: this.inFlight.size, window: this.window, receiveMaximum: this.receiveMaximum };
  }

  /** A large publish is unacknowledged: the link may be busy uploading it, not dead (liveness.ts asks). */
  uploading(): boolean {
    return this.largeInFlight.size > 0;
  }

  private skipSet(): ReadonlySet<number> {
    if (this.refused.size === 0) return this.inFlight;
    return new Set([...this.inFlight, ...this.refused]);
  }

  /** New rows: keep what was read ahead unless one of them sorts before its last row. */
  private appended(lanes: ReadonlySet<Lane>): void {
    this.exhausted = false;
    const last = this.ahead[this.ahead.length - 1];
    if (last && this.aheadAt < this.ahead.length) {
      const lastLane = LANES.indexOf(last.lane);
      for (const l of lanes) if (LANES.indexOf(l) < lastLane) this.ahead = []; // next() reads again
    }
    this.kick();
  }

  /** The next row to publish (not taken yet), reading the outbox only when the last read is used up. */
  private peekNext(): OutboxRow | undefined {
    if (this.aheadAt >= this.ahead.length) {
      // Rows in flight are never offered again on this connection (acknowledged, or held as refused), so an
      // outbox read to the end stays read to the end until the next append: no query per PUBACK.
      if (this.exhausted) return undefined;
      this.ahead = this.o.outbox.peek(PEEK_BATCH, this.skipSet());
      this.aheadAt = 0;
      this.exhausted = this.ahead.length < PEEK_BATCH;
    }
    return this.ahead[this.aheadAt];
  }

  kick(): void {
    if (this.pumpQueued || !this.client) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private burst(): number {
    return Math.max(1, Math.min(this.window, this.o.drainPerS, Math.max(20, Math.ceil(this.o.drainPerS / 10))));
  }

  private refill(): void {
    const now = this.o.clock.mono();
    this.tokens = Math.min(this.burst(), this.tokens + ((now - this.lastRefill) * this.o.drainPerS) / 1000);
    this.lastRefill = now;
  }

  private pump(): void {
    const client = this.client;
    // A pending refill timer does not block: live rows (or a higher lane) may go while the backlog waits.
    if (!client) return;
    this.refill();
    // At most `window` unacknowledged; when full, a PUBACK wakes the pump.
    for (let room = this.window - this.inFlight.size; room > 0; room--) {
      let row: OutboxRow | undefined;
      try {
        row = this.peekNext();
      } catch (err) {
        this.o.logger.error({ err }, 'cannot read the outbox');
        return;
      }
      if (!row) return;
      // Critical incidents are never paced, backlog or not: they are few, and each one is a live emergency; nor
      // are the older events a critical one must follow (`urgent`, see outbox.ts about order).
      const backlog = row.id <= this.watermark && row.lane !== 'critical' && row.urgent !== true;
      if (backlog && this.tokens < 1) {
        if (this.timer === null) {
          const wait = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.o.drainPerS));
          this.timer = this.o.timers.setTimeout(() => { this.timer = null; this.pump(); }, wait);
        }
        return;
      }
      this.aheadAt += 1;
      this.inFlight.add(row.id);
      if (row.bytes >= LARGE_BYTES) this.largeInFlight.add(row.id);
      if (backlog) this.tokens -= 1;
      this.publish(client, row);
    }
  }

  private payloadOf(row: OutboxRow): Buffer {
    if (row.seq === null || !row.json) return row.payload;
    const buffered = row.id <= this.watermark || this.o.clock.now() - row.createdAt > this.o.bufferedAfterMs;
    if (!buffered) return row.payload;
    const p = row.payload;
    if (p.subarray(p.length - NOT_BUFFERED.length).equals(NOT_BUFFERED)) {
      return Buffer.concat([p.subarray(0, p.length - NOT_BUFFERED.length), BUFFERED]);
    }
    const event = JSON.parse(p.toString()) as Record<string, unknown>;
    event.buffered = true;
    return Buffer.from(JSON.stringify(event));
  }

  private publish(client: MqttClient, row: OutboxRow): void {
    let payload: Buffer;
    try {
      payload = this.payloadOf(row);
    } catch (err) {
      this.o.logger.error({ err, row: row.id }, 'unreadable outbox row; sent as stored');
      payload = row.payload;
    }
    const properties = row.properties
      ? { ...(row.properties.contentType ? { contentType: row.properties.contentType } : {}),
        ...(row.properties.userProperties ? { userProperties: row.properties.userProperties } : {}) }
      : undefined;
    this.published += 1;
    client.publish(`${this.o.root}/${row.topic}`, payload, { qos: row.qos, retain: row.retain, ...(properties ? { properties } : {}) },
      (err) => {
        if (this.client !== client) return; // a stale connection: the row goes again after reconnect
        this.inFlight.delete(row.id);
        this.largeInFlight.delete(row.id);
        if (err) {
          this.refused.add(row.id);
          this.o.logger.warn({ err, row: row.id, topic: row.topic }, 'broker refused a message; kept, retried after the next reconnect');
        } else {
          this.acked += 1;
          this.o.outbox.ack(row.id);
        }
        this.kick();
      });
  }
}
