/** Runs the qinhe CLI from source (through tsx) as a child process, as a person would. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'runtime/cli/main.ts');
const DIST_MAIN = join(ROOT, 'dist/runtime/cli/main.js');

/**
 * Node arguments that run the CLI: from source through tsx (always current), or the built dist/ when CI
 * sets QINHE_TEST_DIST=1 right after `npm ci` has built it (five times faster to start).
 */
export function qinheArgv(): string[] {
  if (process.env.QINHE_TEST_DIST === '1' && existsSync(DIST_MAIN)) return [DIST_MAIN];
  return ['--import', 'tsx', MAIN];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runQinhe(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [...qinheArgv(), ...args], {
    cwd: opts.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', ...opts.env }, encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function spawnQinhe(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, [...qinheArgv(), ...args], {
    cwd: opts.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
}
