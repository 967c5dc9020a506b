/**
 * The bench's arithmetic and its output shape: percentiles, figures beside their baselines, targets
 * judged met/missed, and the `--json` object `{"figures":[{name,value,unit,baseline,ratio,target,met}]}`.
 * A figure that could not be measured has value null, met null and a note saying why — never a guess.
 */

/** Nearest-rank percentile (p in 0..100) of unsorted samples; undefined for no samples. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  if (samples.length === 0) return undefined;
  if (p < 0 || p > 100 || Number.isNaN(p)) throw new RangeError(`percentile ${p} is outside 0..100`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** What a figure must reach: its value (or its ratio to the baseline) compared with a limit. */
export interface Target {
  of: 'value' | 'ratio';
  op: '<=' | '>=';
  limit: number;
}

export interface Figure {
  name: string;
  value: number | null;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  target: string | null;
  met: boolean | null;
  note?: string;
}

export function targetText(t: Target): string {
  return `${t.of} ${t.op} ${t.limit}`;
}

export function judge(t: Target, value: number | null, ratio: number | null): boolean | null {
  const x = t.of === 'value' ? value : ratio;
  if (x === null || !Number.isFinite(x)) return null;
  return t.op === '<=' ? x <= t.limit : x >= t.limit;
}

const round = (x: number, digits = 3) => Number(x.toPrecision(digits + 2));

/** A measured figure; ratio = value / baseline when both exist and the baseline is not zero. */
export function figure(name: string, value: number, unit: string, opts: { baseline?: number; target?: Target; note?: string } = {}): Figure {
  const baseline = opts.baseline ?? null;
  const ratio = baseline !== null && baseline !== 0 ? round(value / baseline) : null;
  const v = round(value);
  return {
    name, value: v, unit, baseline: baseline === null ? null : round(baseline), ratio,
    target: opts.target ? targetText(opts.target) : null,
    met: opts.target ? judge(opts.target, v, ratio) : null,
    ...(opts.note ? { note: opts.note } : {}),
  };
}

/** A figure that could not be measured, with the reason. */
export function missing(name: string, unit: string, reason: string, target?: Target): Figure {
  return { name, value: null, unit, baseline: null, ratio: null, target: target ? targetText(target) : null, met: null, note: `missing: ${reason}` };
}

export function toJson(figures: Figure[]): string {
  return JSON.stringify({ figures });
}

function fmt(x: number | null): string {
  if (x === null) return '—';
  return Math.abs(x) >= 100 ? String(Math.round(x)) : String(round(x, 2));
}

/** A plain table for people: value, baseline, ratio, target, met/missed. */
export function toTable(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.name, `${fmt(f.value)} ${f.unit}`, fmt(f.baseline), fmt(f.ratio), f.target ?? '', f.met === null ? (f.value === null ? 'MISSING' : '') : f.met ? 'met' : 'MISSED',
  ]);
  const head = ['figure', 'value', 'baseline', 'ratio', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const notes = figures.filter((f) => f.note).map((f) => `  ${f.name}: ${f.note}`);
  return [line(head), ...rows.map(line), ...(notes.length ? ['notes:', ...notes] : [])].join('\n');
}
