import { describe, expect, it } from 'vitest';
import { draft, useTestOutbox } from './fixtures.js';

// Not a benchmark (no timing assertion): checks correctness under load and prints the rate seen, for the report.
describe('outbox under load', () => {
  const t = useTestOutbox();

  it('commits 20,000 incident events from 200 concurrent producers with unique gapless seqs', async () => {
    const t0 = performance.now();
    const seqs: number[] = [];
    await Promise.all(Array.from({ length: 200 }, async () => {
      for (let i = 0; i < 100; i++) seqs.push((await t.outbox.appendIncident(draft())).seq);
    }));
    const s = (performance.now() - t0) / 1000;
    expect(new Set(seqs).size).toBe(20_000);
    expect(Math.max(...seqs)).toBe(20_000);
    expect(t.outbox.stats().pending).toBe(20_000);
    console.log(`[figures] 20,000 durable incident appends (WAL, synchronous=FULL, grouped per tick) in ${s.toFixed(2)} s = ${(20_000 / s).toFixed(0)}/s`);
  }, 120_000);
});
