import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DB_FILE, OPEN_MARKER, openStore, Outbox } from '../../../runtime/store/index.js';
import { draft, silentLogger, storageConfig, tempDir } from './fixtures.js';

describe('a lost write-ahead log', () => {
  it('never hands a seq out twice: after an unclean stop without the WAL, seq continues above the high-water mark', async () => {
    const tmp = tempDir();
    try {
      const first = openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger() });
      const outbox = new Outbox(first.store);
      const events = await Promise.all(Array.from({ length: 10 }, () => outbox.appendIncident(draft())));
      const maxSeq = Math.max(...events.map((e) => e.seq));
      // The box dies without closing (the marker stays), and the WAL holding those commits is lost.
      expect(existsSync(join(tmp.dir, OPEN_MARKER))).toBe(true);
      rmSync(join(tmp.dir, `${DB_FILE}-wal`), { force: true });
      rmSync(join(tmp.dir, `${DB_FILE}-shm`), { force: true });
      const second = openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger() });
      expect(second.walLost?.reason).toContain('write-ahead log');
      const next = await new Outbox(second.store).appendIncident(draft());
      expect(next.seq).toBeGreaterThan(maxSeq);
      second.store.close();
      // A clean close removes the marker: the next open is a normal one.
      expect(existsSync(join(tmp.dir, OPEN_MARKER))).toBe(false);
      const third = openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger() });
      expect(third.walLost).toBeNull();
      const after = await new Outbox(third.store).appendIncident(draft());
      expect(after.seq).toBe(next.seq + 1);
      third.store.close();
    } finally {
      tmp.cleanup();
    }
  });
});
