import { describe, expect, it } from 'vitest';
import { feed, reading, rule, tick } from './helpers.js';

describe('threshold rule', () => {
  it('fires above the limit and clears only once back inside the hysteresis band', () => {
    const r = rule({ type: 'threshold', point: 'temperature', above: 65, hysteresis: 5 });
    const { marks, verdicts } = feed(r, [reading(60, 0), reading(66, 1), reading(67, 2), reading(62, 3), reading(64, 4), reading(59, 5)]);
    expect(marks).toBe('-tr--c');
    const first = verdicts[1];
    expect(first?.type === 'trigger' && first.data).toMatchObject({ point: 'temperature', value: 66, threshold: 65 });
  });

  it('fires below a lower limit', () => {
    const r = rule({ type: 'threshold', point: 'voltage', below: 10, hysteresis: 1 });
    expect(feed(r, [reading(12, 0), reading(9, 1), reading(10.5, 2), reading(11.5, 3)]).marks).toBe('-t-c');
  });

  it('waits forS before firing, and a dip inside restarts the wait', () => {
    const r = rule({ type: 'threshold', point: 'temperature', above: 65, forS: 10 });
    const { marks } = feed(r, [reading(70, 0), tick(5), reading(60, 6), reading(70, 7), tick(12), tick(17), reading(71, 18)]);
    expect(marks).toBe('-----tr');
  });

  it('ignores non-numeric readings', () => {
    const r = rule({ type: 'threshold', point: 'temperature', above: 65 });
    expect(feed(r, [reading('hot', 0), reading(true, 1)]).marks).toBe('--');
  });
});
