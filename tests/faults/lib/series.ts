/**
 * The soak's memory series: least-squares slopes, and a reader for FAULTS_SOAK_SERIES files.
 *
 *   npx tsx tests/faults/lib/series.ts <series.jsonl> [--from MIN] [--to MIN] [--step MIN]
 *
 * prints, for the window (default: from the end of warm-up to the last sample), the RSS slope and each part's
 * (v8, native, file, and V8's old and code spaces) in MB/h, and with --step the same for consecutive windows of
 * that many minutes, so a reader sees whether growth levels off during a run that has not ended (or never will).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Least-squares slope of y over x. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) { num += (x - mx) * (y - my); den += (x - mx) ** 2; }
  return den === 0 ? Number.NaN : num / den;
}

interface Point { t: number; rss: number; v8: number; native: number; file: number; warm: boolean; spaces: Record<string, number> }

const PARTS: Array<[string, (p: Point) => number]> = [
  ['rss', (p) => p.rss], ['v8', (p) => p.v8], ['native', (p) => p.native], ['file', (p) => p.file],
  ['old', (p) => p.spaces.old ?? Number.NaN], ['code', (p) => p.spaces.code ?? Number.NaN],
];

/** One line: the window, its RSS at start → end (means of its first and last tenth), and each part's slope in MB/h. */
export function windowLine(points: Point[], fromMin: number, toMin: number): string {
  const w = points.filter((p) => p.t >= fromMin * 60_000 && p.t <= toMin * 60_000);
  if (w.length < 2) return `${fromMin}–${toMin} min: ${w.length} samples`;
  const tenth = Math.max(1, Math.floor(w.length / 10));
  const avg = (xs: Point[]) => xs.reduce((s, p) => s + p.rss, 0) / xs.length;
  const slopes = PARTS.map(([k, pick]) => `${k} ${slope(w.map((p) => [p.t / 3_600_000, pick(p)])).toFixed(2)}`);
  return `${fromMin}–${toMin} min (${w.length} samples): RSS ${avg(w.slice(0, tenth)).toFixed(1)} → ${avg(w.slice(-tenth)).toFixed(1)} MB; `
    + `slopes MB/h: ${slopes.join(', ')}`;
}

function main(argv: string[]): void {
  const file = argv.find((a) => !a.startsWith('--'));
  if (!file) throw new Error('usage: series.ts <series.jsonl> [--from MIN] [--to MIN] [--step MIN]');
  const opt = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? Number(argv[i + 1]) : undefined; };
  // A line cut short by a run that was killed mid-write is skipped.
  const points = readFileSync(file, 'utf8').split('\n').flatMap((l) => { try { return l ? [JSON.parse(l) as Point] : []; } catch { return []; } });
  if (points.length === 0) throw new Error(`${file}: no samples`);
  const lastMin = points.at(-1)!.t / 60_000;
  const from = opt('--from') ?? (points.find((p) => p.warm)?.t ?? 0) / 60_000;
  const to = opt('--to') ?? lastMin;
  console.log(`${file}: ${points.length} samples over ${lastMin.toFixed(1)} min`);
  console.log(windowLine(points, Math.round(from), Math.round(to)));
  const step = opt('--step');
  if (step) for (let a = 0; a + step <= lastMin + 1e-9; a += step) console.log(`  ${windowLine(points, a, a + step)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
