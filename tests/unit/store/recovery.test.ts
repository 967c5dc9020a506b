import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DB_FILE, HWM_FILE, openStore, Outbox, ReplayTable } from '../../../runtime/store/index.js';
import { draft, FakeClock, silentLogger, storageConfig, tempDir } from './fixtures.js';

describe('store recovery', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => { tmp = tempDir(); });
  afterEach(() => tmp.cleanup());

  const open = () => openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger(), clock: new FakeClock() });

  it('opens a clean store without a recovery flag', () => {
    const { store, recoveredFromCorruption } = open();
    expect(recoveredFromCorruption).toBeNull();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(1);
    store.close();
  });

  it('sets a file that is not a database aside, keeps its bytes, and continues seq above the high-water mark', async () => {
    const first = open();
    const outbox = new Outbox(first.store);
    const events = await Promise.all(Array.from({ length: 30 }, () => outbox.appendIncident(draft())));
    outbox.close();
    first.store.close();
    const hwm = Number(/"hwm":(\d+)/.exec(readFileSync(join(tmp.dir, HWM_FILE), 'utf8'))![1]);
    const garbage = Buffer.from('this is not a sqlite database, a torn SD card wrote it'.repeat(100));
    writeFileSync(join(tmp.dir, DB_FILE), garbage);

    const second = open();
    expect(second.recoveredFromCorruption).not.toBeNull();
    const moved = second.recoveredFromCorruption!.movedTo;
    expect(moved.startsWith(join(tmp.dir, DB_FILE + '.corrupt-'))).toBe(true);
    expect(readFileSync(moved)).toEqual(garbage);
    const o2 = new Outbox(second.store);
    const next = await o2.appendIncident(draft());
    expect(next.seq).toBe(hwm + 1);
    expect(next.seq).toBeGreaterThan(events.at(-1)!.seq);
    o2.close();
    second.store.close();
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  });

  it('sets aside a database whose pages were damaged', async () => {
    const first = open();
    const outbox = new Outbox(first.store);
    await Promise.all(Array.from({ length: 400 }, () => outbox.append({ lane: 'telemetry', topic: 'telemetry', payload: Buffer.alloc(500, 7) })));
    outbox.close();
    first.store.db.pragma('wal_checkpoint(TRUNCATE)');
    first.store.close();
    const file = join(tmp.dir, DB_FILE);
    const bytes = readFileSync(file);
    // Overwrite the second page onwards (b-tree pages) but keep the header, so it still looks like SQLite.
    bytes.fill(0xa5, 4096, bytes.length - 4096);
    writeFileSync(file, bytes);
    const second = open();
    expect(second.recoveredFromCorruption).not.toBeNull();
    expect(existsSync(second.recoveredFromCorruption!.movedTo)).toBe(true);
    expect(new Outbox(second.store).stats().pending).toBe(0);
    second.store.close();
  });

  it('keeps the command replay table across a reopen', () => {
    const a = open();
    const now = Date.UTC(2026, 10, 26);
    expect(new ReplayTable(a.store).claim('01CMD', now, now + 60_000)).toBe(true);
    expect(new ReplayTable(a.store).claim('01CMD', now, now + 60_000)).toBe(false);
    a.store.close();
    const b = open();
    expect(new ReplayTable(b.store).claim('01CMD', now + 23 * 3_600_000, now + 60_000)).toBe(false);
    expect(new ReplayTable(b.store).claim('01OTHER', now, now + 60_000)).toBe(true);
    b.store.close();
  });
});
