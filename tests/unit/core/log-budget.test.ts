import { describe, expect, it } from 'vitest';
import { LogBudget } from '../../../runtime/core/log-budget.js';

describe('LogBudget', () => {
  it('allows perWindow lines per window, then reports how many were left out on the next allowed line', () => {
    let now = 0;
    const b = new LogBudget(3, 60_000, () => now);
    const taken = Array.from({ length: 10 }, () => b.take());
    expect(taken.filter(Boolean)).toHaveLength(3);
    expect(taken.slice(0, 3)).toEqual([{ suppressed: 0 }, { suppressed: 0 }, { suppressed: 0 }]);
    now = 59_999;
    expect(b.take()).toBeUndefined();
    now = 60_000;
    expect(b.take()).toEqual({ suppressed: 8 });
    expect(b.take()).toEqual({ suppressed: 0 });
  });
});
