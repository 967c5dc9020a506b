/**
 * Opening the box's store: one SQLite file (better-sqlite3) in the data directory, WAL with synchronous=FULL
 * (a committed append survives a power cut), versioned migrations, and a quick_check at open. A database that
 * fails the check (or is not a database at all) is renamed aside with a timestamp, never deleted, and a fresh
 * one takes its place; the caller gets `recoveredFromCorruption` so the runtime can raise a box-fault incident.
 * The seq high-water file (hwm.ts) lets the fresh store continue above every seq ever handed out.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../../config/atomic-write.js';
import { join } from 'node:path';
import BetterSqlite3, { type SqliteDatabase as Database } from '../core/sqlite.js';
import type { Logger } from 'pino';
import type { BoxConfig } from '../../config/schema.js';
import { systemClock, type Clock } from '../../drivers/types.js';
import { errorMessage, QinheError } from '../core/errors.js';
import { SeqHighWater } from './hwm.js';
import { migrate } from './migrations.js';

export const DB_FILE = 'outbox.db';
/**
 * Present while the store is open; removed by a clean close. Found at open with no write-ahead log beside the
 * database, it means the WAL was lost after an unclean stop (a reader creates the WAL at open and a clean close
 * deletes it): events committed only to that WAL are gone, and their seqs must not be handed out again.
 */
export const OPEN_MARKER = 'store.open';

export interface OpenStoreOptions {
  dataDir: string;
  storage: BoxConfig['storage'];
  logger: Logger;
  clock?: Clock;
}

export interface OpenStoreResult {
  store: Store;
  recoveredFromCorruption: null | { movedTo: string; reason: string };
  /** Set when the WAL was lost after an unclean stop: seq continues above the high-water mark. */
  walLost: null | { reason: string };
}

/** The open database plus what lives beside it. Outbox and ReplayTable are built on it. */
export class Store {
  private closed = false;

  constructor(
    readonly db: Database,
    readonly dataDir: string,
    readonly storage: BoxConfig['storage'],
    readonly hwm: SeqHighWater,
    readonly logger: Logger,
    readonly clock: Clock,
    /** True when the database was created by this open (first boot, or after setting a corrupt one aside). */
    readonly created: boolean,
  ) {}

  get isOpen(): boolean {
    return !this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
    rmSync(join(this.dataDir, OPEN_MARKER), { force: true });
  }
}

function openChecked(file: string): { db: Database; foundVersion: number } {
  const db = new BetterSqlite3(file);
  try {
    // Any of these throws SQLITE_NOTADB / SQLITE_CORRUPT on a damaged file.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new QinheError('QH_STORE_CORRUPT', `quick_check: ${String(check)}`);
    const foundVersion = migrate(db);
    return { db, foundVersion };
  } catch (err) {
    try { db.close(); } catch { /* already broken */ }
    throw err;
  }
}

function setAside(file: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const movedTo = `${file}.corrupt-${stamp}`;
  renameSync(file, movedTo);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, movedTo + suffix);
  }
  return movedTo;
}

export function openStore(opts: OpenStoreOptions): OpenStoreResult {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger.child({ component: 'store' });
  try {
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new QinheError('QH_STORE_IO', `cannot create data directory ${opts.dataDir}`, { cause: err });
  }
  const file = join(opts.dataDir, DB_FILE);
  const marker = join(opts.dataDir, OPEN_MARKER);
  const walLost = existsSync(marker) && existsSync(file) && !existsSync(`${file}-wal`)
    ? { reason: 'the write-ahead log was missing after an unclean stop: events committed only to it are lost' } : null;
  const hwm = new SeqHighWater(opts.dataDir, logger);
  hwm.load();
  let recovered: OpenStoreResult['recoveredFromCorruption'] = null;
  let opened: { db: Database; foundVersion: number };
  try {
    opened = openChecked(file);
  } catch (err) {
    const reason = errorMessage(err);
    if (!existsSync(file)) throw new QinheError('QH_STORE_IO', `cannot open store ${file}: ${reason}`, { cause: err });
    let movedTo: string;
    try {
      movedTo = setAside(file, clock.now());
    } catch (renameErr) {
      throw new QinheError('QH_STORE_CORRUPT', `store ${file} is damaged (${reason}) and could not be set aside`, { cause: renameErr });
    }
    logger.error({ err, movedTo }, 'store failed its integrity check; set aside, starting a fresh one');
    recovered = { movedTo, reason };
    opened = openChecked(file);
  }
  if (walLost) logger.error({ file }, `${walLost.reason}; seq continues above the high-water mark`);
  writeFileAtomic(marker, `${process.pid}\n`);
  // A fresh database, or one whose WAL was lost, continues seq above every value ever handed out.
  const store = new Store(opened.db, opts.dataDir, opts.storage, hwm, logger, clock, opened.foundVersion === 0 || walLost !== null);
  return { store, recoveredFromCorruption: recovered, walLost };
}
