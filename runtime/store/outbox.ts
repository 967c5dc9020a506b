/**
 * The outbox: every upstream message (incident events, evidence, health, replies, telemetry) is committed here
 * before anything publishes it, and is deleted only after its PUBACK (uplink calls `ack`).
 *
 *   appendIncident/append ──► pending (this tick) ──setImmediate──► one transaction ──► promises resolve
 *                                                                     │ seq assigned in commit order
 *   uplink ◄── peek(limit, skip) in lane order (LANES), FIFO by row id ┘ (= seq order for incidents)
 *   uplink ──► ack(id) ──setImmediate──► one DELETE transaction
 *
 * Statements are prepared once per open outbox and kept (preparing per call cost more than the queries, and a
 * kept statement is never left to the GC: see sqlite.ts about destructors on Node 24).
 *
 * - Group commit: all appends of one event-loop tick share one transaction (throughput on SD cards); each
 *   promise resolves only after that commit, so a resolved appendIncident is durable (WAL, synchronous=FULL).
 *   Rows of the other lanes (replies, health, evidence, telemetry) wait up to `groupMs` (default 10 ms) for
 *   company, unless an incident event comes first: a flood of commands then costs a commit per 10 ms, not
 *   one per message.
 * - seq: last seq lives in `meta`, updated in the same transaction as the rows; the high-water file is raised
 *   before any seq above it is committed (hwm.ts). A freshly created database starts above the mark.
 * - Order (contract v1: "events of one incident arrive in order; all incident events arrive in seq order within
 *   one severity"). A critical event whose incident still has older events pending in the `incident` lane (its
 *   severity rose while they waited) cannot overtake them, and they cannot overtake older events of their own
 *   severity: so it pulls forward the whole `incident` lane up to its incident's last pending event (a prefix,
 *   in seq order), marked `urgent` (the drain does not pace them: they carry the critical's urgency). Every
 *   lane still drains in seq order, and so does every severity.
 * - Quota and TTL: see eviction.ts.
 */
import type { Logger } from 'pino';
import type { SqliteStatement as Statement } from '../core/sqlite.js';
import type { Clock } from '../../drivers/types.js';
import type { IncidentEventDraft, IncidentEventV1 } from '../core/contract.js';
import { isoTime } from '../core/contract.js';
import { errorMessage, QinheError } from '../core/errors.js';
import { LANES, type Lane, type OutboxMessage, type OutboxPort } from '../core/ports.js';
import { Eviction, emptyLaneCounts, laneIndex } from './eviction.js';
import type { Store } from './store.js';

export interface OutboxRow {
  id: number;
  lane: Lane;
  seq: number | null;
  incidentId: string | null;
  topic: string;
  payload: Buffer;
  /** The payload is JSON (incident events get `buffered` set by the uplink at publish time). */
  json: boolean;
  /** Pulled forward by a critical event that must follow it (see the order note above): not paced. */
  urgent?: boolean;
  qos: 0 | 1;
  retain: boolean;
  properties: OutboxMessage['properties'] | null;
  createdAt: number;
  bytes: number;
}

export interface OutboxStats {
  pending: number;
  oldestPendingAt: string | null;
  bytes: number;
  byLane: Record<Lane, { pending: number; bytes: number; oldestAt: string | null }>;
  evictions: Record<Lane, number>;
}

interface Pending {
  lane: Lane;
  topic: string;
  draft?: IncidentEventDraft;
  payload?: Buffer;
  json: boolean;
  qos: 0 | 1;
  retain: boolean;
  props: string | null;
  resolve: (ev: IncidentEventV1 | undefined) => void;
  reject: (err: unknown) => void;
}

/** The outbox's prepared statements, made once in init(). */
interface Statements {
  insert: Statement<[number, number | null, string | null, string, Buffer, number, number, number, string | null, number, number]>;
  setMeta: Statement<[string, number]>;
  laneIds: Statement<[number, number], number>;
  /** Whole rows of a JSON array of ids (order not kept: the caller maps them). */
  byIds: Statement<[string], DbRow>;
  /** [id, incident_id] of a lane's rows in id order. */
  criticalRefs: Statement<[number, number], [number, string | null]>;
  /** The id of an incident's last pending event in a lane, before a given id. */
  lastEarlier: Statement<[string, number, number], number | null>;
  laneIdsBetween: Statement<[number, number, number, number], number>;
  stats: Statement<[], { lane: number; n: number; b: number; o: number | null }>;
}

interface DbRow {
  id: number; lane: number; seq: number | null; incident_id: string | null; topic: string; payload: Buffer;
  json: number; qos: number; retain: number; props: string | null; created_at: number; bytes: number;
}

export class Outbox implements OutboxPort {
  private readonly logger: Logger;
  private readonly clock: Clock;
  private ready = false;
  private closed = false;
  private lastSeq = 0;
  private lastRowId = 0;
  private pending: Pending[] = [];
  private flushScheduled = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly groupMs: number;
  private acking = new Set<number>();
  private ackScheduled = false;
  private readonly listeners = new Set<(lanes: ReadonlySet<Lane>) => void>();
  private readonly ackListeners = new Set<(delivered: Array<{ seq: number; incidentId: string }>) => void>();
  private eviction!: Eviction;
  private sql!: Statements;

  constructor(private readonly store: Store, opts: { logger?: Logger; clock?: Clock; groupMs?: number } = {}) {
    this.logger = (opts.logger ?? store.logger).child({ component: 'outbox' });
    this.clock = opts.clock ?? store.clock;
    this.groupMs = opts.groupMs ?? 10;
  }

  /** Reads counters lazily (constructors do no I/O). */
  private init(): void {
    if (this.ready) return;
    if (this.closed || !this.store.isOpen) throw new QinheError('QH_STORE_IO', 'the outbox is closed');
    const db = this.store.db;
    const meta = db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?');
    const maxSeq = db.prepare<[], { m: number | null }>('SELECT MAX(seq) AS m FROM outbox').get()?.m ?? 0;
    this.lastSeq = Math.max(meta.get('lastSeq')?.value ?? 0, maxSeq);
    if (this.store.created && this.store.hwm.value > this.lastSeq) {
      // Fresh database (first boot, or the old one was set aside): continue above every seq ever reserved.
      this.lastSeq = this.store.hwm.value;
      db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('lastSeq', this.lastSeq);
      this.logger.warn({ seq: this.lastSeq }, 'fresh store continues seq above the high-water mark');
    }
    this.lastRowId = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").get()?.seq ?? 0;
    this.eviction = new Eviction(this.store, this.logger, this.clock);
    this.sql = {
      insert: db.prepare(`INSERT INTO outbox (lane, seq, incident_id, topic, payload, json, qos, retain, props,
        created_at, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      setMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      laneIds: db.prepare<[number, number], number>('SELECT id FROM outbox WHERE lane = ? ORDER BY id LIMIT ?').pluck(),
      byIds: db.prepare<[string], DbRow>('SELECT * FROM outbox WHERE id IN (SELECT value FROM json_each(?))'),
      criticalRefs: db.prepare<[number, number], [number, string | null]>('SELECT id, incident_id FROM outbox WHERE lane = ? ORDER BY id LIMIT ?').raw(),
      lastEarlier: db.prepare<[string, number, number], number | null>(
        'SELECT MAX(id) FROM outbox WHERE incident_id = ? AND lane = ? AND id < ?').pluck(),
      laneIdsBetween: db.prepare<[number, number, number, number], number>(
        'SELECT id FROM outbox WHERE lane = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?').pluck(),
      stats: db.prepare('SELECT lane, COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b, MIN(created_at) AS o FROM outbox GROUP BY lane'),
    };
    this.ready = true;
  }

  appendIncident(draft: IncidentEventDraft): Promise<IncidentEventV1> {
    const lane: Lane = draft.severity === 'critical' ? 'critical' : 'incident';
    return this.enqueue({ lane, topic: 'incident', draft, json: true, qos: 1, retain: false, props: null }) as Promise<IncidentEventV1>;
  }

  async append(msg: OutboxMessage): Promise<void> {
    if (!LANES.includes(msg.lane)) throw new QinheError('QH_STORE_IO', `unknown lane ${String(msg.lane)}`);
    const json = !Buffer.isBuffer(msg.payload);
    const payload = Buffer.isBuffer(msg.payload) ? msg.payload : Buffer.from(JSON.stringify(msg.payload));
    const qos = msg.qos ?? (msg.lane === 'telemetry' ? 0 : 1);
    await this.enqueue({ lane: msg.lane, topic: msg.topic, payload, json, qos, retain: msg.retain ?? false,
      props: msg.properties ? JSON.stringify(msg.properties) : null });
  }

  private enqueue(p: Omit<Pending, 'resolve' | 'reject'>): Promise<IncidentEventV1 | undefined> {
    return new Promise((resolve, reject) => {
      try {
        this.init();
      } catch (err) {
        reject(err);
        return;
      }
      this.pending.push({ ...p, resolve, reject });
      if (this.flushScheduled) return;
      if (p.lane === 'critical' || p.lane === 'incident' || this.groupMs <= 0) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      } else {
        this.flushTimer ??= setTimeout(() => this.flush(), this.groupMs);
      }
    });
  }

  /** Commits everything appended so far in one transaction. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const now = this.clock.now();
    const db = this.store.db;
    const results: Array<IncidentEventV1 | undefined> = [];
    let seq = this.lastSeq;
    let lastRowId = this.lastRowId;
    try {
      const incidents = batch.reduce((n, p) => n + (p.draft ? 1 : 0), 0);
      this.store.hwm.ensure(seq + incidents);
      const { insert, setMeta } = this.sql;
      db.transaction(() => {
        for (const p of batch) {
          let payload = p.payload ?? Buffer.alloc(0);
          let event: IncidentEventV1 | undefined;
          if (p.draft) {
            seq += 1;
            const { v: _v, ...rest } = p.draft;
            event = { v: 1, seq, ...rest, buffered: false };
            payload = Buffer.from(JSON.stringify(event));
          }
          const bytes = payload.length + p.topic.length;
          const info = insert.run(laneIndex(p.lane), event ? seq : null, event?.incidentId ?? null, p.topic, payload,
            p.json ? 1 : 0, p.qos, p.retain ? 1 : 0, p.props, now, bytes);
          lastRowId = Number(info.lastInsertRowid);
          this.eviction.added(p.lane, bytes);
          results.push(event);
        }
        if (incidents > 0) setMeta.run('lastSeq', seq);
      })();
    } catch (err) {
      this.eviction.resync();
      const full = /SQLITE_FULL|ENOSPC/.test(errorMessage(err)) || (err as { code?: string }).code === 'SQLITE_FULL';
      const wrapped = err instanceof QinheError ? err
        : new QinheError(full ? 'QH_STORE_FULL' : 'QH_STORE_IO', `outbox commit failed: ${errorMessage(err)}`, { cause: err });
      this.logger.error({ err: wrapped, messages: batch.length }, 'outbox commit failed');
      for (const p of batch) p.reject(wrapped);
      return;
    }
    this.lastSeq = seq;
    this.lastRowId = lastRowId;
    batch.forEach((p, i) => p.resolve(results[i]));
    try {
      this.eviction.enforce();
    } catch (err) {
      this.logger.error({ err }, 'outbox eviction failed');
    }
    this.notifyAppend(new Set(batch.map((p) => p.lane)));
  }

  /** Tells the onAppend listeners which lanes have new rows (none: rows became pending again). */
  private notifyAppend(lanes: ReadonlySet<Lane>): void {
    for (const fn of this.listeners) {
      try { fn(lanes); } catch (err) { this.logger.error({ err }, 'outbox listener threw'); }
    }
  }

  /** Called with the incident events the broker acknowledged (delivered upstream). Returns an unsubscribe function. */
  onDelivered(fn: (delivered: Array<{ seq: number; incidentId: string }>) => void): () => void {
    this.ackListeners.add(fn);
    return () => this.ackListeners.delete(fn);
  }

  /** Called after each commit of appends with the lanes it added to (the uplink drains on it). Returns an unsubscribe function. */
  onAppend(fn: (lanes: ReadonlySet<Lane>) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Highest row id ever appended (row ids are never reused). */
  highestRowId(): number {
    this.init();
    return this.lastRowId;
  }

  /** Last committed seq. */
  lastCommittedSeq(): number {
    this.init();
    return this.lastSeq;
  }

  /** Up to `limit` rows in drain order, skipping `skip` (in flight) and rows already acknowledged. */
  peek(limit: number, skip: ReadonlySet<number> = new Set()): OutboxRow[] {
    this.init();
    // Ids first (the lane index covers them), then the whole rows of the ids taken, in one query: during a drain
    // most of the lane's head is in flight, and reading it whole on every call cost more than the rest of the
    // drain; a query per row cost ~2 µs a row more than one query for all of them.
    const { laneIds, criticalRefs, lastEarlier, laneIdsBetween } = this.sql;
    const plan: number[] = [];
    const urgent = new Set<number>();
    const taken = new Set<number>();
    const usable = (id: number) => !skip.has(id) && !this.acking.has(id) && !taken.has(id);
    const take = (id: number, pulled = false) => {
      taken.add(id);
      plan.push(id);
      if (pulled) urgent.add(id);
    };
    const over = limit + skip.size + this.acking.size;
    const incidentLane = laneIndex('incident');
    let pulledUpTo = 0;
    plan: for (const lane of LANES) {
      if (lane === 'critical') {
        for (const [id, incidentId] of criticalRefs.all(laneIndex(lane), over)) {
          if (plan.length >= limit) break plan;
          if (!usable(id)) continue;
          if (incidentId !== null) {
            const upTo = lastEarlier.get(incidentId, incidentLane, id) ?? 0;
            if (upTo > pulledUpTo) {
              // Ids up to pulledUpTo were seen by an earlier pull of this call (taken, or in flight): read on from there.
              for (const e of laneIdsBetween.all(incidentLane, pulledUpTo, upTo, over)) {
                if (plan.length >= limit) break plan;
                if (usable(e)) take(e, true);
              }
              pulledUpTo = upTo;
            }
            if (plan.length >= limit) break plan;
          }
          take(id);
        }
        continue;
      }
      for (const id of laneIds.all(laneIndex(lane), over)) {
        if (plan.length >= limit) break plan;
        if (usable(id)) take(id);
      }
    }
    if (plan.length === 0) return [];
    const rows = new Map<number, DbRow>();
    for (const r of this.sql.byIds.all(JSON.stringify(plan))) rows.set(r.id, r);
    const out: OutboxRow[] = [];
    for (const id of plan) {
      const r = rows.get(id);
      if (!r) continue;
      const row = toRow(r);
      if (urgent.has(id)) row.urgent = true;
      out.push(row);
    }
    return out;
  }

  /** The message was acknowledged (PUBACK): delete it; deletes of one tick share a transaction. */
  ack(id: number): void {
    if (this.closed) return;
    this.acking.add(id);
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    setImmediate(() => this.flushAcks());
  }

  private flushAcks(): void {
    this.ackScheduled = false;
    if (this.acking.size === 0 || !this.store.isOpen) return;
    const ids = [...this.acking];
    try {
      this.init();
      const removed = this.eviction.remove(ids);
      for (const id of ids) this.acking.delete(id);
      const delivered: Array<{ seq: number; incidentId: string }> = [];
      for (const r of removed) if (r.seq !== null && r.incidentId) delivered.push({ seq: r.seq, incidentId: r.incidentId });
      if (delivered.length > 0) {
        for (const fn of this.ackListeners) {
          try { fn(delivered); } catch (err) { this.logger.error({ err }, 'outbox delivery listener threw'); }
        }
      }
    } catch (err) {
      this.logger.error({ err }, 'outbox delete failed; messages will be sent again');
      this.acking.clear();
      this.notifyAppend(new Set()); // pending again: readers that saw the outbox empty must read it again
    }
  }

  stats(): OutboxStats {
    this.init();
    const rows = this.sql.stats.all();
    const byLane = Object.fromEntries(LANES.map((l) => [l, { pending: 0, bytes: 0, oldestAt: null as string | null }])) as OutboxStats['byLane'];
    let pending = 0;
    let bytes = 0;
    let oldest: number | null = null;
    for (const r of rows) {
      const lane = LANES[r.lane];
      if (!lane) continue;
      byLane[lane] = { pending: r.n, bytes: r.b, oldestAt: r.o === null ? null : isoTime(r.o) };
      pending += r.n;
      bytes += r.b;
      if (r.o !== null && (oldest === null || r.o < oldest)) oldest = r.o;
    }
    return { pending, oldestPendingAt: oldest === null ? null : isoTime(oldest), bytes, byLane, evictions: this.eviction?.counts() ?? emptyLaneCounts() };
  }

  /** Commits what is pending, then refuses further appends. Idempotent; does not close the store. */
  close(): void {
    if (this.closed) return;
    if (this.ready && this.store.isOpen) {
      this.flush();
      this.flushAcks();
    }
    this.closed = true;
    this.ready = false;
    this.listeners.clear();
    this.ackListeners.clear();
  }
}

function toRow(r: DbRow): OutboxRow {
  return {
    id: r.id, lane: LANES[r.lane] ?? 'telemetry', seq: r.seq, incidentId: r.incident_id, topic: r.topic, payload: r.payload,
    json: r.json === 1, qos: r.qos === 0 ? 0 : 1, retain: r.retain === 1,
    properties: r.props ? (JSON.parse(r.props) as OutboxMessage['properties']) : null, createdAt: r.created_at, bytes: r.bytes,
  };
}
