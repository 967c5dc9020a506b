/** Looking at a store from outside: integrity of a crashed copy, and the rows it holds. */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

/**
 * PRAGMA integrity_check on a copy of outbox.db + its WAL exactly as the crash left them (the copy is opened,
 * so WAL recovery runs on it, not on the box's files).
 */
export function integrityOfCopy(dataDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'qinhe-faults-check-'));
  try {
    for (const f of ['outbox.db', 'outbox.db-wal']) {
      if (existsSync(join(dataDir, f))) copyFileSync(join(dataDir, f), join(dir, f));
    }
    if (!existsSync(join(dir, 'outbox.db'))) return 'no database';
    const db = new BetterSqlite3(join(dir, 'outbox.db'));
    try {
      return String(db.pragma('integrity_check', { simple: true }));
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Incident seqs held in a store directory (opened read-write on a copy, like integrityOfCopy). */
export function seqsInStore(dataDir: string): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'qinhe-faults-seqs-'));
  try {
    for (const f of ['outbox.db', 'outbox.db-wal']) {
      if (existsSync(join(dataDir, f))) copyFileSync(join(dataDir, f), join(dir, f));
    }
    if (!existsSync(join(dir, 'outbox.db'))) return [];
    const db = new BetterSqlite3(join(dir, 'outbox.db'));
    try {
      return db.prepare<[], { seq: number }>('SELECT seq FROM outbox WHERE seq IS NOT NULL ORDER BY seq').all().map((r) => r.seq);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Numbers in 1..max missing from `have`. */
export function missingUpTo(have: Iterable<number>, max: number): number[] {
  const set = new Set(have);
  const missing: number[] = [];
  for (let i = 1; i <= max; i++) if (!set.has(i)) missing.push(i);
  return missing;
}

export function summarize(list: number[], n = 10): string {
  return list.length <= n ? `[${list.join(',')}]` : `[${list.slice(0, n).join(',')},… ${list.length} total]`;
}
