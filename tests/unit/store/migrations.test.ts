import { describe, expect, it } from 'vitest';
import Database from '../../../runtime/core/sqlite.js';
import { migrate, MIGRATIONS } from '../../../runtime/store/migrations.js';

const LAST_EARLIER = 'SELECT MAX(id) FROM outbox WHERE incident_id = ? AND lane = ? AND id < ?';

describe('store migrations', () => {
  it('brings a version-1 database with rows to the latest version, keeping every row', () => {
    const db = new Database(':memory:');
    db.exec(MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    const insert = db.prepare(`INSERT INTO outbox (lane, seq, incident_id, topic, payload, json, qos, retain, props, created_at, bytes)
      VALUES (?, ?, ?, 'incident', ?, 1, 1, 0, NULL, 0, 3)`);
    for (let i = 0; i < 50; i++) insert.run(i % 2, i + 1, `inc-${i % 7}`, Buffer.from('abc'));

    expect(migrate(db)).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT COUNT(*) FROM outbox').pluck().get()).toBe(50);
    expect(db.prepare(LAST_EARLIER).pluck().get('inc-3', 1, 40)).toBe(32);
    db.close();
  });

  it("finds an incident's last row in a lane by one covering-index seek, not a walk of the lane", () => {
    const db = new Database(':memory:');
    migrate(db);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${LAST_EARLIER}`).all('x', 1, 10) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
    expect(plan).toMatch(/COVERING INDEX outbox_incident_lane \(incident_id=\? AND lane=\? AND id<\?\)/);
    db.close();
  });

  it('a migrated database migrates no further', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toBe(0);
    expect(migrate(db)).toBe(MIGRATIONS.length);
    db.close();
  });
});
