import { describe, expect, it } from 'vitest';
import { ChangeHistory } from '../../../runtime/app/change-history.js';

describe('ChangeHistory', () => {
  it('lists the changes oldest first, with the error only where there was one', () => {
    const h = new ChangeHistory(4);
    expect(h.list()).toEqual([]);
    h.push('online', 1000);
    h.push('offline', 2000, 'no reply from unit 7');
    expect(h.length).toBe(2);
    expect(h.list()).toEqual([{ state: 'online', at: 1000 }, { state: 'offline', at: 2000, error: 'no reply from unit 7' }]);
  });

  it('keeps the last `capacity` changes once it wraps, in order', () => {
    const h = new ChangeHistory(3);
    for (let i = 1; i <= 8; i++) h.push(i % 2 ? 'offline' : 'online', i * 1000, i % 2 ? `e${i}` : undefined);
    expect(h.length).toBe(3);
    expect(h.list()).toEqual([
      { state: 'online', at: 6000 }, { state: 'offline', at: 7000, error: 'e7' }, { state: 'online', at: 8000 },
    ]);
  });

  it('keeps times past 2^31 ms exactly (a Float64Array, not 32-bit slots)', () => {
    const h = new ChangeHistory(2);
    const at = Date.UTC(2026, 10, 27, 3, 30, 0, 123);
    h.push('degraded', at, 'slow');
    expect(h.list()[0]!.at).toBe(at);
  });
  // Reusing an equal error string is not observable from JS (strings compare by value); the soak's heap diff
  // (tests/faults/lib/heap-diff.ts) is what shows it.
});
