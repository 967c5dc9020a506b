/**
 * `qinhe check [--config FILE] [--json]`: the preflight. One line per check, ✔ ok / ✖ failed / ⚠ unknown or
 * worth a look, each problem with a hint; exit 1 when anything failed. Works without the daemon.
 */
import type { Command } from 'commander';
import { DEFAULT_CONFIG } from '../../api/socket-path.js';
import { printJson } from '../../api/text.js';
import { systemProbes } from '../../check/probes.js';
import { runChecks } from '../../check/run.js';
import type { CheckResult } from '../../check/types.js';
import { CliExit, EXIT_INVALID } from '../exit.js';
import { paint } from '../report.js';

export function register(program: Command): void {
  program.command('check')
    .description('Preflight: config, secrets, serial ports, GPIO, ffmpeg, broker, clock, disk (exit 1 on any ✖)')
    .option('-c, --config <file>', 'box configuration', DEFAULT_CONFIG)
    .option('--timeout <ms>', 'per network/process probe', (v) => Number.parseInt(v, 10), 5000)
    .option('--json', 'machine-readable output')
    .action(async (opts: { config: string; timeout: number; json?: boolean }) => {
      const results = await runChecks(opts.config, systemProbes(), { timeoutMs: opts.timeout });
      const failed = results.filter((r) => r.status === 'fail').length;
      if (opts.json) printJson({ ok: failed === 0, checks: results });
      else process.stdout.write(formatChecks(results));
      if (failed > 0) throw new CliExit(EXIT_INVALID);
    });
}

export function formatChecks(results: CheckResult[]): string {
  const c = paint();
  const mark = { ok: c.green('✔'), fail: c.red('✖'), warn: c.yellow('⚠') } as const;
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${mark[r.status]} ${r.message}`);
    if (r.hint && r.status !== 'ok') lines.push(`    → ${r.hint}`);
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  lines.push(failed === 0
    ? `${c.green('all checks passed')}${warned ? ` (${warned} to look at)` : ''}`
    : c.red(`${failed} check${failed === 1 ? '' : 's'} failed${warned ? `, ${warned} to look at` : ''}`));
  return `${lines.join('\n')}\n`;
}
