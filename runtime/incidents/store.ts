/**
 * IncidentStore: open (and recently resolved) incidents in dataDir/incidents.sqlite, so an incident survives a
 * crash or a power cut and is picked up on start. WAL + synchronous=FULL: a committed save survives power
 * loss (SQLite docs, "PRAGMA synchronous"). Saves are small and synchronous (better-sqlite3); the engine
 * issues local alarm outputs before it saves, so the disk never delays a siren.
 */
import Database, { type SqliteDatabase, type SqliteStatement } from '../core/sqlite.js';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errorMessage, QinheError } from '../core/errors.js';
import type { Incident } from './model.js';

/** Resolved incidents kept for `list`/`get` (the outbox keeps the events themselves). */
const KEEP_RESOLVED = 1000;
/** SQLite page cache per open store, KiB (64 pages of 4 KiB). */
export const CACHE_KIB = 256;

/** The store's statements, prepared once per open database (a statement prepared per call is native memory until the GC finalizes it). */
interface Statements {
  save: SqliteStatement<[string, string, string]>;
  loadOpen: SqliteStatement<[], { json: string }>;
  get: SqliteStatement<[string], { json: string }>;
  list: SqliteStatement<[number], { json: string }>;
  prune: SqliteStatement<[number]>;
}

export class IncidentStore {
  private db: SqliteDatabase | null = null;
  private sql: Statements | null = null;
  readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'incidents.sqlite');
  }

  /**
   * Opens the file; a file that will not open (corrupt, not a database) is set aside as
   * incidents.sqlite.corrupt-<now> and a fresh one made; if even that fails the store runs in memory. Alarms
   * never wait for a healthy disk: the result says what happened so the engine can raise a box fault.
   */
  open(now: number = Date.now()): { degraded: false } | { degraded: true; reason: string } {
    if (this.db) return { degraded: false };
    try {
      this.use(this.init(this.file));
      return { degraded: false };
    } catch (first) {
      try {
        if (existsSync(this.file)) renameSync(this.file, `${this.file}.corrupt-${now}`);
        for (const ext of ['-wal', '-shm']) if (existsSync(this.file + ext)) renameSync(this.file + ext, `${this.file}.corrupt-${now}${ext}`);
        this.use(this.init(this.file));
        return { degraded: true, reason: `incident store was unreadable and set aside: ${errorMessage(first)}` };
      } catch (second) {
        this.use(this.init(':memory:'));
        return { degraded: true, reason: `incident store unavailable, open incidents kept in memory only: ${errorMessage(second)}` };
      }
    }
  }

  private init(file: string): SqliteDatabase {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec('CREATE TABLE IF NOT EXISTS incidents (id TEXT PRIMARY KEY, status TEXT NOT NULL, json TEXT NOT NULL)');
      db.exec('CREATE INDEX IF NOT EXISTS incidents_status ON incidents(status)');
      // A damaged page anywhere, not only in what the start-up reads: set aside now, not at the first save.
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new QinheError('QH_INCIDENT_STORE', `quick_check: ${String(check)}`);
      // Its working set is the open incidents; SQLite's default cache (2 MB) would fill, over hours, with the
      // pages of resolved ones as the file grows to KEEP_RESOLVED (a soak measured ~0.8 MB/h of native growth).
      db.pragma(`cache_size = -${CACHE_KIB}`);
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private use(db: SqliteDatabase): void {
    try {
      this.sql = this.prepare(db);
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
  }

  private prepare(db: SqliteDatabase): Statements {
    return {
      save: db.prepare(`INSERT INTO incidents (id, status, json) VALUES (?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET status = excluded.status, json = excluded.json`),
      loadOpen: db.prepare("SELECT json FROM incidents WHERE status = 'open' ORDER BY id"),
      get: db.prepare('SELECT json FROM incidents WHERE id = ?'),
      list: db.prepare('SELECT json FROM incidents ORDER BY id DESC LIMIT ?'),
      prune: db.prepare(`DELETE FROM incidents WHERE status = 'resolved' AND id NOT IN
        (SELECT id FROM incidents WHERE status = 'resolved' ORDER BY id DESC LIMIT ?)`),
    };
  }

  close(): void {
    this.db?.close();
    this.db = null;
    this.sql = null;
  }

  save(inc: Incident): void {
    const sql = this.need();
    try {
      sql.save.run(inc.id, inc.status, JSON.stringify(inc));
      if (inc.status === 'resolved') sql.prune.run(KEEP_RESOLVED);
    } catch (err) {
      throw new QinheError('QH_INCIDENT_STORE', `cannot save incident ${inc.id}`, { cause: err });
    }
  }

  loadOpen(): Incident[] {
    return this.need().loadOpen.all().map((r) => JSON.parse(r.json) as Incident);
  }

  get(id: string): Incident | undefined {
    const row = this.need().get.get(id);
    return row ? (JSON.parse(row.json) as Incident) : undefined;
  }

  /** Newest first (ids are ULIDs, so they sort by detection time). */
  list(limit: number): Incident[] {
    return this.need().list.all(limit).map((r) => JSON.parse(r.json) as Incident);
  }

  private need(): Statements {
    if (!this.sql) throw new QinheError('QH_INCIDENT_STORE', 'incident store is not open');
    return this.sql;
  }
}
