/**
 * The command replay table: ids of commands already accepted, kept at least 24 h (and at least until the
 * command itself expires), in the store so the window survives restarts and power loss.
 */
import type { Store } from './store.js';

export const REPLAY_KEEP_MS = 48 * 3_600_000;

export class ReplayTable {
  private pruneAfter = 0;

  constructor(private readonly store: Store) {}

  /** Records `id`; false when it was already there (a replay). Durable when it returns. */
  claim(id: string, now: number, expiresAtMs: number): boolean {
    const db = this.store.db;
    if (now >= this.pruneAfter) {
      db.prepare('DELETE FROM command_seen WHERE keep_until < ?').run(now);
      this.pruneAfter = now + 3_600_000;
    }
    const keepUntil = Math.max(now + REPLAY_KEEP_MS, Number.isFinite(expiresAtMs) ? expiresAtMs + REPLAY_KEEP_MS : 0);
    const info = db.prepare('INSERT OR IGNORE INTO command_seen (id, seen_at, keep_until) VALUES (?, ?, ?)').run(id, now, keepUntil);
    return info.changes === 1;
  }

  has(id: string): boolean {
    return this.store.db.prepare('SELECT 1 FROM command_seen WHERE id = ?').get(id) !== undefined;
  }
}
