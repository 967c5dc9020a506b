/**
 * The live checklist on the installer's terminal: one line per device. On a terminal it is redrawn in place
 * (cursor up); elsewhere (a log, a pipe) each step is printed once when it ends.
 */
import type { StepResult, StepStatus } from './walk.js';

export interface Colors {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const MARK: Record<StepStatus, (c: Colors) => string> = {
  pending: (c) => c.dim('·'), running: (c) => c.yellow('…'), pass: (c) => c.green('✔'),
  fail: (c) => c.red('✖'), skipped: (c) => c.yellow('–'), unconfirmed: (c) => c.yellow('?'),
};

export function checklistLine(r: StepResult, c: Colors): string {
  const text = r.status === 'pending' || r.status === 'running' ? r.step.instruction : `${r.step.device.id}: ${r.detail}`;
  return `${MARK[r.status](c)} ${r.status === 'running' ? c.bold(text) : text}`;
}

export function summary(results: StepResult[]): string {
  const count = (s: StepStatus) => results.filter((r) => r.status === s).length;
  const unconfirmed = count('unconfirmed');
  return `${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped${unconfirmed ? `, ${unconfirmed} unconfirmed` : ''} of ${results.length}`;
}

export class Checklist {
  private drawn = 0;
  private printed = new Set<StepResult>();
  private announced = new Set<StepResult>();

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }, private readonly c: Colors) {}

  /** Something else was written below the checklist (a question): draw it afresh below that. */
  reset(): void {
    this.drawn = 0;
  }

  update(results: StepResult[]): void {
    if (this.out.isTTY) {
      if (this.drawn > 0) this.out.write(`\u001b[${this.drawn}A`);
      const lines = [...results.map((r) => checklistLine(r, this.c)), summary(results)];
      this.out.write(lines.map((l) => `\u001b[2K${l}\n`).join(''));
      this.drawn = lines.length;
      return;
    }
    for (const r of results) {
      if (this.printed.has(r)) continue;
      if (r.status === 'running') {
        if (!this.announced.has(r)) this.out.write(`… ${r.step.instruction}\n`);
        this.announced.add(r);
        continue;
      }
      if (r.status === 'pending') continue;
      this.printed.add(r);
      this.out.write(`${checklistLine(r, this.c)}\n`);
    }
  }
}
