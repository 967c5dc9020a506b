import { describe, expect, it } from 'vitest';
import { figure, judge, missing, percentile, toJson, toTable } from '../../../scripts/bench/stats.js';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles of unsorted samples', () => {
    const samples = [9, 1, 8, 2, 7, 3, 6, 4, 5, 10];
    expect(percentile(samples, 50)).toBe(5);
    expect(percentile(samples, 99)).toBe(10);
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile([42], 99)).toBe(42);
    expect(percentile([], 50)).toBeUndefined();
    expect(() => percentile(samples, 101)).toThrow(RangeError);
  });

  it('computes the ratio to the baseline and judges the target on it', () => {
    const f = figure('durable throughput', 700, 'events/s', { baseline: 1000, target: { of: 'ratio', op: '>=', limit: 0.7 } });
    expect(f.ratio).toBe(0.7);
    expect(f.met).toBe(true);
    const g = figure('durable throughput', 690, 'events/s', { baseline: 1000, target: { of: 'ratio', op: '>=', limit: 0.7 } });
    expect(g.met).toBe(false);
  });

  it('judges value targets with their direction', () => {
    expect(judge({ of: 'value', op: '<=', limit: 10 }, 10, null)).toBe(true);
    expect(judge({ of: 'value', op: '<=', limit: 10 }, 10.5, null)).toBe(false);
    expect(judge({ of: 'value', op: '>=', limit: 3 }, 2, null)).toBe(false);
    expect(judge({ of: 'ratio', op: '>=', limit: 0.8 }, 5, null)).toBeNull();
  });

  it('leaves ratio null without a baseline or with a zero baseline', () => {
    expect(figure('rss', 80, 'MB').ratio).toBeNull();
    expect(figure('x', 1, 'ms', { baseline: 0 }).ratio).toBeNull();
  });

  it('prints one JSON object with the figure keys, missing figures as null with a reason', () => {
    const out = JSON.parse(toJson([
      figure('siren p99', 3.2, 'ms', { target: { of: 'value', op: '<=', limit: 10 } }),
      missing('footprint rss', 'MB', 'box process did not start', { of: 'value', op: '<=', limit: 150 }),
    ])) as { figures: Array<Record<string, unknown>> };
    expect(Object.keys(out)).toEqual(['figures']);
    for (const f of out.figures) {
      for (const k of ['name', 'value', 'unit', 'baseline', 'ratio', 'target', 'met']) expect(f).toHaveProperty(k);
    }
    expect(out.figures[0]).toMatchObject({ value: 3.2, met: true, target: 'value <= 10' });
    expect(out.figures[1]).toMatchObject({ value: null, met: null });
    expect(String(out.figures[1]?.note)).toContain('box process did not start');
  });

  it('marks missed and missing figures in the table', () => {
    const table = toTable([
      figure('a', 20, 'ms', { target: { of: 'value', op: '<=', limit: 10 } }),
      missing('b', 'ms', 'no modbus driver'),
    ]);
    expect(table).toMatch(/a\s+20 ms.*MISSED/);
    expect(table).toMatch(/b\s+— ms.*MISSING/);
    expect(table).toContain('no modbus driver');
  });
});
