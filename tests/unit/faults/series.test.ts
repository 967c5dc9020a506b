import { describe, expect, it } from 'vitest';
import { slope, windowLine } from '../../faults/lib/series.js';

/** A sample every 10 s for `minutes`, RSS = 100 MB + `mbPerH` × hours, split into v8 and native. */
function ramp(minutes: number, mbPerH: number, noise = 0) {
  return Array.from({ length: minutes * 6 + 1 }, (_, i) => {
    const t = i * 10_000;
    const grow = (mbPerH * t) / 3_600_000 + (i % 2 === 0 ? noise : -noise);
    return { t, rss: 100 + grow, v8: 60 + grow / 2, native: 30 + grow / 2, file: 10, warm: t >= 20 * 60_000, spaces: { old: 40 + grow / 2, code: 4 } };
  });
}

describe('soak series', () => {
  it('slope is the least-squares slope, NaN when undefined', () => {
    expect(slope([[0, 1], [1, 3], [2, 5]])).toBeCloseTo(2, 10);
    expect(slope([[0, 1], [1, 2], [2, 1], [3, 2]])).toBeCloseTo(0.2, 10);
    expect(slope([[1, 1]])).toBeNaN();
    expect(slope([[1, 1], [1, 2]])).toBeNaN();
  });

  it('a window line gives each part its own slope in MB/h, over the window only', () => {
    const points = ramp(120, 1.5, 0.3);
    const line = windowLine(points, 20, 120);
    expect(line).toMatch(/^20–120 min \(601 samples\)/);
    expect(line).toContain('rss 1.50');
    expect(line).toContain('v8 0.75');
    expect(line).toContain('native 0.75');
    expect(line).toContain('file 0.00');
    expect(line).toContain('code 0.00');
    // A step outside the window does not move the window's slope.
    const stepped = points.map((p) => (p.t < 20 * 60_000 ? { ...p, rss: p.rss - 50 } : p));
    expect(windowLine(stepped, 20, 120)).toContain('rss 1.50');
    expect(windowLine(stepped, 0, 120)).not.toContain('rss 1.50');
  });

  it('says how many samples a window had when it had too few', () => {
    expect(windowLine(ramp(10, 1), 30, 40)).toBe('30–40 min: 0 samples');
  });
});
