/**
 * The fault suite (issue 10): `npm run test:faults` (the CI subset) or `npm run test:faults -- --full`.
 * `--only id,id` runs some scenarios. Each scenario prints its figures and a verdict; a summary line ends the
 * run; everything is also written to reports/faults.json. Exit code 1 when any scenario did not pass.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllChildren } from './lib/child.js';
import { Ctx, type Scenario, type ScenarioResult } from './lib/suite.js';
import { SCENARIOS } from './scenarios/index.js';

const args = process.argv.slice(2);
const full = args.includes('--full');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice(7) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const only = onlyArg ? new Set(onlyArg.split(',')) : null;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const reportFile = process.env.FAULTS_REPORT ?? join(root, 'reports', 'faults.json');

process.on('exit', killAllChildren);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { killAllChildren(); process.exit(130); });

async function runOne(s: Scenario): Promise<ScenarioResult> {
  const ctx = new Ctx(s.id, full);
  process.stdout.write(`\n▶ ${s.item}. ${s.title} [${s.id}] (${full ? 'full' : 'CI'} size; ${s.sizes})\n`);
  const t0 = Date.now();
  let error: string | undefined;
  try {
    await s.run(ctx);
  } catch (err) {
    error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    ctx.log(`ERROR ${error.split('\n').slice(0, 3).join(' ')}`);
  } finally {
    await ctx.cleanup();
  }
  const verdict = error ? 'ERROR' : ctx.checks.length > 0 && ctx.checks.every((c) => c.ok) ? 'PASS' : 'FAIL';
  const durationMs = Date.now() - t0;
  const figs = Object.entries(ctx.figures).map(([k, v]) => `${k}=${v}`).join(' ');
  process.stdout.write(`${s.background ? '  (background) ' : ''}  ${verdict} ${s.id} in ${(durationMs / 1000).toFixed(1)} s — ${figs}\n`);
  const result: ScenarioResult = { id: s.id, title: s.title, verdict, sizes: s.sizes, figures: ctx.figures, checks: ctx.checks, notes: ctx.notes,
    ...(error ? { error } : {}), durationMs };
  finished.push(result);
  writeReport(finished, true);
  return result;
}

const t0 = Date.now();
const finished: ScenarioResult[] = [];
/** The report is rewritten after every scenario, so a run cut short still leaves its figures. */
function writeReport(results: ScenarioResult[], partial: boolean): void {
  const passed = results.filter((r) => r.verdict === 'PASS').length;
  mkdirSync(dirname(reportFile), { recursive: true });
  writeFileSync(reportFile, `${JSON.stringify({ v: 1, mode: full ? 'full' : 'ci', partial, startedAt: new Date(t0).toISOString(),
    wallS: (Date.now() - t0) / 1000, node: process.version, passed, failed: results.length - passed, results }, null, 2)}\n`);
}
const selected = SCENARIOS.filter((s) => !only || only.has(s.id));
// Background scenarios (mostly sleeping) run alongside the sequence; results are reported in suite order.
const background = new Map(selected.filter((s) => s.background).map((s) => [s.id, runOne(s)] as const));
const done = new Map<string, ScenarioResult>();
for (const s of selected) if (!s.background) done.set(s.id, await runOne(s));
for (const [id, p] of background) done.set(id, await p);
const results: ScenarioResult[] = selected.map((s) => done.get(s.id)!);
const wallS = (Date.now() - t0) / 1000;
const passed = results.filter((r) => r.verdict === 'PASS').length;
const failed = results.length - passed;
const notRun = SCENARIOS.length - results.length;
writeReport(results, false);
process.stdout.write(`\nfaults (${full ? 'full' : 'CI subset'}): ${passed} passed, ${failed} failed`
  + `${notRun ? `, ${notRun} not selected` : ''} in ${wallS.toFixed(1)} s — ${reportFile}\n`);
for (const r of results) if (r.verdict !== 'PASS') process.stdout.write(`  ${r.verdict} ${r.id}: ${r.checks.filter((c) => !c.ok).map((c) => c.what).join('; ') || r.error?.split('\n')[0]}\n`);
killAllChildren();
process.exit(failed > 0 ? 1 : 0);
