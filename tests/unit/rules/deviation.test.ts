import { describe, expect, it } from 'vitest';
import { feed, reading, rule } from './helpers.js';

describe('deviation rule', () => {
  it('fires when a value strays from its moving baseline, and not during warm-up', () => {
    const r = rule({ type: 'deviation', point: 'current', windowS: 600, maxDeviation: 5 });
    const steady = Array.from({ length: 20 }, (_, i) => reading(10 + (i % 2) * 0.5, i * 10)); // 190 s ≥ 150 s warm-up
    const { marks, verdicts } = feed(r, [reading(30, 0.5), ...steady, reading(18, 200)]);
    expect(marks.slice(0, -1)).not.toMatch(/[tr]/);
    expect(marks.at(-1)).toBe('t');
    const v = verdicts.at(-1);
    expect(v?.type === 'trigger' && (v.data.deviation as number)).toBeGreaterThan(5);
  });

  it('follows a slow drift without firing', () => {
    const r = rule({ type: 'deviation', point: 'current', windowS: 300, maxDeviation: 5 });
    const drift = Array.from({ length: 200 }, (_, i) => reading(10 + i * 0.05, i * 10));
    expect(feed(r, drift).marks).not.toMatch(/[tr]/);
  });

  it('keeps its baseline while active and clears when the value returns', () => {
    const r = rule({ type: 'deviation', point: 'current', windowS: 100, maxDeviation: 5 });
    const steady = Array.from({ length: 10 }, (_, i) => reading(10, i * 5));
    const high = Array.from({ length: 30 }, (_, i) => reading(20, 50 + i * 5));
    const { marks } = feed(r, [...steady, ...high, reading(10.5, 210)]);
    expect(marks).toMatch(/^-+tr{29}c$/);
  });
});
