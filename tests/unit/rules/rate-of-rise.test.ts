import { describe, expect, it } from 'vitest';
import { feed, reading, rule } from './helpers.js';

describe('rate-of-rise rule', () => {
  it('fires on a charging port heating at 10 °C/min and reports the slope', () => {
    const r = rule({ type: 'rate-of-rise', point: 'temperature', perMinute: 5, windowS: 60 });
    // one reading every 5 s, +10 °C/min
    const inputs = Array.from({ length: 10 }, (_, i) => reading(30 + (10 * i * 5) / 60, i * 5, '°C'));
    const { marks, verdicts } = feed(r, inputs);
    const firstTrigger = marks.indexOf('t');
    expect(firstTrigger).toBe(4); // 20 s of samples = a third of the window
    const v = verdicts[firstTrigger];
    expect(v?.type === 'trigger' && v.data.perMinute).toBeCloseTo(10, 5);
    expect(v?.type === 'trigger' && v.summary).toMatch(/rising 10 °C\/min/);
  });

  it('does not fire on a slow warm-up or a single noisy jump', () => {
    const r = rule({ type: 'rate-of-rise', point: 'temperature', perMinute: 5, windowS: 60 });
    const slow = Array.from({ length: 30 }, (_, i) => reading(25 + i * 0.1, i * 5));
    expect(feed(r, slow).marks).not.toContain('t');
    const early = [reading(25, 0), reading(40, 1)];
    expect(feed(r, early).marks).toBe('--');
  });

  it('clears when the rise falls under half the limit', () => {
    const r = rule({ type: 'rate-of-rise', point: 'temperature', perMinute: 5, windowS: 60 });
    const rising = Array.from({ length: 8 }, (_, i) => reading(30 + i * 1, i * 5)); // 12 °C/min
    const flat = Array.from({ length: 14 }, (_, i) => reading(37, 40 + i * 5));
    const { marks } = feed(r, [...rising, ...flat]);
    expect(marks).toMatch(/^-+tr*-*c-*$/);
  });
});
