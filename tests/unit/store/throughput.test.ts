import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, Outbox, type Store } from '../../../runtime/store/index.js';
import { draft, silentLogger, storageConfig, tempDir } from './fixtures.js';

// Not a benchmark (no timing assertion): checks correctness under load and prints the rate seen, for the report.
describe('outbox under load', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let outbox: Outbox;
  beforeEach(() => {
    tmp = tempDir();
    store = openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger() }).store;
    outbox = new Outbox(store);
  });
  afterEach(() => { outbox.close(); store.close(); tmp.cleanup(); });

  it('commits 20,000 incident events from 200 concurrent producers with unique gapless seqs', async () => {
    const t0 = performance.now();
    const seqs: number[] = [];
    await Promise.all(Array.from({ length: 200 }, async () => {
      for (let i = 0; i < 100; i++) seqs.push((await outbox.appendIncident(draft())).seq);
    }));
    const s = (performance.now() - t0) / 1000;
    expect(new Set(seqs).size).toBe(20_000);
    expect(Math.max(...seqs)).toBe(20_000);
    expect(outbox.stats().pending).toBe(20_000);
    console.log(`[figures] 20,000 durable incident appends (WAL, synchronous=FULL, grouped per tick) in ${s.toFixed(2)} s = ${(20_000 / s).toFixed(0)}/s`);
  }, 120_000);
});
