import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../runtime/clock/manual-clock.js';

describe('ManualClock', () => {
  it('fires due timers in order, including timers set by timers, and moves wall with mono', () => {
    const c = new ManualClock({ wall: 0, mono: 0 });
    const fired: string[] = [];
    c.setTimeout(() => fired.push(`b@${c.mono()}`), 200);
    c.setTimeout(() => { fired.push(`a@${c.mono()}`); c.setTimeout(() => fired.push(`c@${c.mono()}`), 50); }, 100);
    const x = c.setTimeout(() => fired.push('x'), 120);
    c.clearTimeout(x);
    c.advance(1000);
    expect(fired).toEqual(['a@100', 'c@150', 'b@200']);
    expect(c.now()).toBe(1000);
  });

  it('a wall jump fires nothing', () => {
    const c = new ManualClock();
    let n = 0;
    c.setTimeout(() => n++, 1000);
    c.jumpWall(86_400_000);
    c.jumpWall(-3 * 86_400_000);
    expect(n).toBe(0);
    c.advance(1000);
    expect(n).toBe(1);
  });
});
