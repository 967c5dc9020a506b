/**
 * Byte quota and TTL of the outbox.
 *
 * - The quota (storage.quotaMb) counts message bytes (payload + topic), not the database file size.
 * - When over quota, the oldest rows are evicted lane by lane: telemetry, then evidence, then health. Incident
 *   events and replies are never evicted within their TTL; past it they become evictable (oldest first) only
 *   when the store is still over quota. Alarms win over the quota: a store holding only young incidents may
 *   exceed it (logged).
 * - TTL sweep (at most once a minute, on append): telemetry, health, evidence rows older than their TTL are
 *   deleted. Rows stamped before 2020 (a box that booted without a wall clock) are never swept by age.
 * - Every eviction (quota or TTL) is counted per lane in `meta` (persisted) and reported in stats/health.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../drivers/types.js';
import { LANES, type Lane } from '../core/ports.js';
import type { SqliteStatement as Statement } from '../core/sqlite.js';
import type { Store } from './store.js';

const QUOTA_ORDER: readonly Lane[] = ['telemetry', 'evidence', 'health'];
const AGE_ONLY: readonly Lane[] = ['critical', 'incident', 'reply'];
const SWEPT: readonly Lane[] = ['telemetry', 'health', 'evidence'];
const PLAUSIBLE_MS = Date.UTC(2020, 0, 1);
const SWEEP_EVERY_MS = 60_000;
const HOUR = 3_600_000;

export function laneIndex(lane: Lane): number {
  return LANES.indexOf(lane);
}

export function emptyLaneCounts(): Record<Lane, number> {
  return Object.fromEntries(LANES.map((l) => [l, 0])) as Record<Lane, number>;
}

/** A row deleted after its PUBACK: what the byte count and the delivery listeners need. */
export interface RemovedRow { lane: number; bytes: number; seq: number | null; incidentId: string | null }

export class Eviction {
  private readonly bytes = emptyLaneCounts();
  private readonly evicted = emptyLaneCounts();
  private lastSweepMono = Number.NEGATIVE_INFINITY;
  /** Wall and monotonic time when the store opened: TTLs run on monotonic time from there (see ttlNow). */
  private readonly baseWall: number;
  private readonly baseMono: number;
  private lastOverQuotaWarn = Number.NEGATIVE_INFINITY;
  // Prepared once (see outbox.ts): the ack delete runs once per PUBACK batch.
  private readonly sql: {
    ack: Statement<[number], { lane: number; bytes: number; seq: number | null; incident_id: string | null }>;
    syncNormal: Statement; syncFull: Statement;
    pick: Statement<[number, number], { id: number; bytes: number }>;
    del: Statement<[number]>;
    sweep: Statement<[number, number, number], { bytes: number }>;
    setMeta: Statement<[string, number]>;
  };

  constructor(private readonly store: Store, private readonly logger: Logger, private readonly clock: Clock) {
    this.baseWall = clock.now();
    this.baseMono = clock.mono();
    const db = store.db;
    this.sql = {
      ack: db.prepare('DELETE FROM outbox WHERE id = ? RETURNING lane, bytes, seq, incident_id'),
      syncNormal: db.prepare('PRAGMA synchronous = NORMAL'),
      syncFull: db.prepare('PRAGMA synchronous = FULL'),
      pick: db.prepare('SELECT id, bytes FROM outbox WHERE lane = ? AND created_at < ? ORDER BY id LIMIT 256'),
      del: db.prepare('DELETE FROM outbox WHERE id = ?'),
      sweep: db.prepare('DELETE FROM outbox WHERE lane = ? AND created_at >= ? AND created_at < ? RETURNING bytes'),
      setMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    };
    this.resync();
    const rows = store.db.prepare<[], { key: string; value: number }>("SELECT key, value FROM meta WHERE key LIKE 'evictions.%'").all();
    for (const r of rows) {
      const lane = r.key.slice('evictions.'.length) as Lane;
      if (LANES.includes(lane)) this.evicted[lane] = r.value;
    }
  }

  /** Recomputes the byte totals from the table (after a failed transaction). */
  resync(): void {
    for (const l of LANES) this.bytes[l] = 0;
    const rows = this.store.db.prepare<[], { lane: number; b: number }>('SELECT lane, SUM(bytes) AS b FROM outbox GROUP BY lane').all();
    for (const r of rows) {
      const lane = LANES[r.lane];
      if (lane) this.bytes[lane] = r.b;
    }
  }

  added(lane: Lane, bytes: number): void {
    this.bytes[lane] += bytes;
  }

  total(): number {
    return LANES.reduce((n, l) => n + this.bytes[l], 0);
  }

  counts(): Record<Lane, number> {
    return { ...this.evicted };
  }

  ttlMs(lane: Lane): number {
    const s = this.store.storage;
    switch (lane) {
      case 'critical': case 'incident': return s.incidentTtlDays * 24 * HOUR;
      case 'evidence': return s.evidenceTtlDays * 24 * HOUR;
      case 'reply': case 'health': return s.healthTtlHours * HOUR;
      case 'telemetry': return s.telemetryTtlHours * HOUR;
    }
  }

  /**
   * Deletes acknowledged rows (not counted as evictions). Committed with synchronous=NORMAL (no fsync; about
   * 3 ms saved per PUBACK batch on this class of disk): a delete lost in a power cut only means the message
   * is sent again (at least once), and the next FULL commit syncs it anyway. Appends stay FULL.
   */
  remove(ids: number[]): RemovedRow[] {
    const { ack, syncNormal, syncFull } = this.sql;
    const removed: RemovedRow[] = [];
    syncNormal.run();
    try {
      this.store.db.transaction(() => {
        for (const id of ids) {
          const r = ack.get(id);
          const lane = r ? LANES[r.lane] : undefined;
          if (!r || !lane) continue;
          this.bytes[lane] -= r.bytes;
          removed.push({ lane: r.lane, bytes: r.bytes, seq: r.seq, incidentId: r.incident_id });
        }
      })();
    } finally {
      syncFull.run();
    }
    return removed;
  }

  /**
   * "Now" for TTLs: the wall time at open plus monotonic time since. A wall-clock jump while running (NTP's
   * first sync on a box without RTC, a bad manual set) neither expires rows early nor keeps them forever.
   */
  private ttlNow(): number {
    return this.baseWall + (this.clock.mono() - this.baseMono);
  }

  /** TTL sweep (rate-limited) then quota. */
  enforce(): void {
    const now = this.ttlNow();
    const mono = this.clock.mono();
    if (mono - this.lastSweepMono >= SWEEP_EVERY_MS) {
      this.lastSweepMono = mono;
      this.sweep(now);
    }
    const quota = this.store.storage.quotaMb * 1024 * 1024;
    if (this.total() <= quota) return;
    const db = this.store.db;
    db.transaction(() => {
      for (const lane of QUOTA_ORDER) {
        if (this.total() <= quota) break;
        this.evictOldest(lane, quota, null);
      }
      for (const lane of AGE_ONLY) {
        if (this.total() <= quota) break;
        this.evictOldest(lane, quota, now - this.ttlMs(lane));
      }
    })();
    if (this.total() > quota && mono - this.lastOverQuotaWarn > SWEEP_EVERY_MS) {
      this.lastOverQuotaWarn = mono;
      this.logger.warn({ bytes: this.total(), quota }, 'store over quota with incident events and replies only; keeping them');
    }
  }

  private evictOldest(lane: Lane, quota: number, olderThan: number | null): void {
    const { pick, del } = this.sql;
    const cutoff = olderThan ?? Number.MAX_SAFE_INTEGER;
    let n = 0;
    while (this.total() > quota) {
      const rows = pick.all(laneIndex(lane), cutoff);
      if (rows.length === 0) break;
      for (const r of rows) {
        if (this.total() <= quota) break;
        del.run(r.id);
        this.bytes[lane] -= r.bytes;
        n += 1;
      }
    }
    this.count(lane, n);
  }

  private sweep(now: number): void {
    const db = this.store.db;
    db.transaction(() => {
      for (const lane of SWEPT) {
        const rows = this.sql.sweep.all(laneIndex(lane), PLAUSIBLE_MS, now - this.ttlMs(lane));
        for (const r of rows) this.bytes[lane] -= r.bytes;
        this.count(lane, rows.length);
      }
    })();
  }

  private count(lane: Lane, n: number): void {
    if (n === 0) return;
    this.evicted[lane] += n;
    this.sql.setMeta.run(`evictions.${lane}`, this.evicted[lane]);
    const level = lane === 'telemetry' ? 'debug' : 'warn';
    this.logger[level]({ lane, evicted: n, total: this.evicted[lane] }, 'outbox evicted messages');
  }
}
