/**
 * Versioned schema migrations, tracked in PRAGMA user_version. Append only: a released migration is never
 * edited; a change is a new entry. Each runs in its own transaction with the version bump.
 */
import type { Database } from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // 1: the outbox, counters, and the command replay table.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
  -- AUTOINCREMENT: a row id is never reused, so "appended before connect" can be told by id alone.
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    lane INTEGER NOT NULL,
    seq INTEGER,
    incident_id TEXT,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    json INTEGER NOT NULL,
    qos INTEGER NOT NULL,
    retain INTEGER NOT NULL,
    props TEXT,
    created_at INTEGER NOT NULL,
    bytes INTEGER NOT NULL
  );
  CREATE INDEX outbox_lane ON outbox (lane, id);
  CREATE INDEX outbox_incident ON outbox (incident_id, id) WHERE incident_id IS NOT NULL;
  CREATE TABLE command_seen (id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL, keep_until INTEGER NOT NULL) STRICT;
  CREATE INDEX command_seen_keep ON command_seen (keep_until);
  `,
  // 2: the incident index covers the lane, so "this incident's last row in the incident lane before id X" (the
  // critical pull in outbox.peek) is one seek. Without it SQLite walked the lane index backwards, through every
  // pending row of the lane when the incident had none left there (35 µs a call in a 40,000-row drain).
  `
  DROP INDEX outbox_incident;
  CREATE INDEX outbox_incident_lane ON outbox (incident_id, lane, id) WHERE incident_id IS NOT NULL;
  `,
];

/** Brings the database to the latest version; returns the version it found (0 = brand new). */
export function migrate(db: Database): number {
  const found = db.pragma('user_version', { simple: true }) as number;
  for (let v = found; v < MIGRATIONS.length; v++) {
    const sql = MIGRATIONS[v];
    if (sql === undefined) break;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return found;
}
