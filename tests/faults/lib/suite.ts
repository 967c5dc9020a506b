/**
 * The fault suite's frame: a scenario reports figures and checks; its verdict is PASS only when every check
 * held, FAIL when one did not, ERROR when it threw. Processes and directories it makes are cleaned up by the
 * context, whatever happens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Verdict = 'PASS' | 'FAIL' | 'ERROR';

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  verdict: Verdict;
  sizes: string;
  figures: Record<string, number | string>;
  checks: Check[];
  notes: string[];
  error?: string;
  durationMs: number;
}

export class Ctx {
  readonly figures: Record<string, number | string> = {};
  readonly checks: Check[] = [];
  readonly notes: string[] = [];
  private readonly cleanups: Array<() => unknown> = [];

  constructor(readonly id: string, readonly full: boolean) {}

  log(msg: string): void {
    process.stdout.write(`  [${this.id}] ${msg}\n`);
  }

  figure(name: string, value: number | string): void {
    this.figures[name] = typeof value === 'number' ? Math.round(value * 1000) / 1000 : value;
  }

  check(what: string, ok: boolean, detail: string): void {
    this.checks.push({ what, ok, detail });
    this.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${detail}`);
  }

  note(s: string): void {
    this.notes.push(s);
    this.log(`note: ${s}`);
  }

  tmp(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `qinhe-faults-${prefix}-`));
    this.cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** Runs at the end of the scenario, last registered first. */
  defer(fn: () => unknown): void {
    this.cleanups.push(fn);
  }

  async cleanup(): Promise<void> {
    while (this.cleanups.length > 0) {
      const fn = this.cleanups.pop()!;
      try { await fn(); } catch (err) { this.log(`cleanup failed: ${String(err)}`); }
    }
  }
}

export interface Scenario {
  /** Short id used by --only. */
  id: string;
  /** Issue-10 item number. */
  item: number;
  title: string;
  /** One line: the CI size and the --full size. */
  sizes: string;
  /** Mostly waiting (light on CPU): runs alongside the others instead of in the sequence. */
  background?: boolean;
  run(ctx: Ctx): Promise<void>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitUntil(pred: () => boolean, what: string, timeoutMs: number, stepMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
