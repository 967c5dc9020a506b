import { ruleSchema, type RuleConfig } from '../../../config/schema.js';
import { evaluateRule } from '../../../runtime/rules/evaluate.js';
import type { RuleInput, Verdict } from '../../../runtime/rules/types.js';

export function rule<T extends RuleConfig['type']>(input: Record<string, unknown> & { type: T }): Extract<RuleConfig, { type: T }> {
  return ruleSchema.parse({ id: 'r1', kind: 'other', severity: 'major', ...input }) as Extract<RuleConfig, { type: T }>;
}

/** Feeds inputs through one rule, returning every verdict type (t = trigger edge, r = repeat, c = clear, - none). */
export function feed(r: RuleConfig, inputs: RuleInput[]): { marks: string; verdicts: Verdict[] } {
  let state: unknown;
  const verdicts: Verdict[] = [];
  for (const i of inputs) {
    const res = evaluateRule(r, state, i);
    state = res.state;
    verdicts.push(res.verdict);
  }
  const marks = verdicts.map((v) => (v.type === 'trigger' ? (v.edge ? 't' : 'r') : v.type === 'clear' ? 'c' : '-')).join('');
  return { marks, verdicts };
}

export const reading = (value: number | boolean | string, s: number, unit?: string): RuleInput =>
  ({ type: 'reading', value, mono: s * 1000, at: 1_800_000_000_000 + s * 1000, ...(unit ? { unit } : {}) });
export const tick = (s: number): RuleInput => ({ type: 'tick', mono: s * 1000, at: 1_800_000_000_000 + s * 1000 });
