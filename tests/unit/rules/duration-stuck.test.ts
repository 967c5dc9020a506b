import { describe, expect, it } from 'vitest';
import { feed, reading, rule, tick } from './helpers.js';

describe('duration rule', () => {
  it('fires once the value has held forS, on a tick even without new readings', () => {
    const r = rule({ type: 'duration', point: 'doorOpen', equals: true, forS: 30 });
    expect(feed(r, [reading(true, 0), tick(10), tick(29), tick(30), reading(true, 31), reading(false, 32)]).marks).toBe('---trc');
  });

  it('restarts the wait when the value changes', () => {
    const r = rule({ type: 'duration', point: 'doorOpen', equals: true, forS: 30 });
    expect(feed(r, [reading(true, 0), reading(false, 20), reading(true, 25), tick(40), tick(55)]).marks).toBe('----t');
  });
});

describe('stuck rule', () => {
  it('fires on a value unchanged within tolerance for forS and clears when it moves', () => {
    const r = rule({ type: 'stuck', point: 'temperature', forS: 60, tolerance: 0.05 });
    const { marks } = feed(r, [reading(21.0, 0), reading(21.02, 30), reading(21.01, 59), reading(21.0, 61), reading(21.0, 70), reading(22, 80)]);
    expect(marks).toBe('---trc');
  });

  it('does not fire on a point that keeps moving', () => {
    const r = rule({ type: 'stuck', point: 'temperature', forS: 60 });
    expect(feed(r, Array.from({ length: 20 }, (_, i) => reading(20 + (i % 2), i * 10))).marks).not.toMatch(/[tr]/);
  });
});
