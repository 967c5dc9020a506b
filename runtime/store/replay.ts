/**
 * The command replay table: ids of commands already accepted, kept at least 24 h (and at least until the
 * command itself expires), in the store so the window survives restarts and power loss.
 */
import type { SqliteStatement } from '../core/sqlite.js';
import type { Store } from './store.js';

export const REPLAY_KEEP_MS = 48 * 3_600_000;

export class ReplayTable {
  private pruneAfter = 0;
  /** Prepared once: a statement prepared per call is native memory until the GC finalizes it. */
  private readonly sql: { prune: SqliteStatement<[number]>; claim: SqliteStatement<[string, number, number]>;
    has: SqliteStatement<[string]> };

  constructor(store: Store) {
    this.sql = {
      prune: store.db.prepare('DELETE FROM command_seen WHERE keep_until < ?'),
      claim: store.db.prepare('INSERT OR IGNORE INTO command_seen (id, seen_at, keep_until) VALUES (?, ?, ?)'),
      has: store.db.prepare('SELECT 1 FROM command_seen WHERE id = ?'),
    };
  }

  /** Records `id`; false when it was already there (a replay). Durable when it returns. */
  claim(id: string, now: number, expiresAtMs: number): boolean {
    if (now >= this.pruneAfter) {
      this.sql.prune.run(now);
      this.pruneAfter = now + 3_600_000;
    }
    const keepUntil = Math.max(now + REPLAY_KEEP_MS, Number.isFinite(expiresAtMs) ? expiresAtMs + REPLAY_KEEP_MS : 0);
    const info = this.sql.claim.run(id, now, keepUntil);
    return info.changes === 1;
  }

  has(id: string): boolean {
    return this.sql.has.get(id) !== undefined;
  }
}
