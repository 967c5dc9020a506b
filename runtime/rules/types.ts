/**
 * Rules are pure functions of facts and time: (rule, state, input) → (state, verdict). No clock is read
 * inside a rule; every input carries its monotonic time. The runner (runner.ts) keeps the states.
 *
 * Verdicts:
 *   trigger  the condition holds on this input; `edge` is true on the first trigger after the rule was clear
 *            (an edge may open an incident; a repeat only updates the open one)
 *   clear    the condition stopped holding
 *   none     nothing to say
 */
import type { AvailabilityFact, EventFact, PointValue } from '../../drivers/types.js';
import type { RuleConfig } from '../../config/schema.js';

export type RuleInput =
  | { type: 'reading'; value: PointValue; unit?: string; mono: number; at: number; test?: boolean }
  | { type: 'event'; fact: EventFact }
  | { type: 'availability'; fact: AvailabilityFact }
  /** Time passes (for forS, stuck, offline afterS, event re-arm). */
  | { type: 'tick'; mono: number; at: number };

export type Verdict =
  | { type: 'trigger'; edge: boolean; data: Record<string, unknown>; summary: string; mono: number; at: number; test?: boolean }
  | { type: 'clear'; mono: number }
  | { type: 'none' };

export interface RuleResult<S> { state: S; verdict: Verdict }

export type RuleOf<T extends RuleConfig['type']> = Extract<RuleConfig, { type: T }>;

export type Evaluator<T extends RuleConfig['type'], S> = (rule: RuleOf<T>, state: S | undefined, input: RuleInput) => RuleResult<S>;

export const NONE: Verdict = { type: 'none' };

export function inputMono(input: RuleInput): number {
  switch (input.type) {
    case 'reading': case 'tick': return input.mono;
    case 'event': case 'availability': return input.fact.mono;
  }
}

export function inputWall(input: RuleInput): number {
  switch (input.type) {
    case 'reading': case 'tick': return input.at;
    case 'event': case 'availability': return input.fact.at;
  }
}

/** Fills a rule's summary template ({value} {unit} {point}) or builds a plain one. */
export function summarise(rule: RuleConfig, vars: { value?: PointValue; unit?: string; point?: string }, fallback: string): string {
  if (!rule.summary) return fallback;
  return rule.summary
    .replaceAll('{value}', vars.value === undefined ? '' : String(vars.value))
    .replaceAll('{unit}', vars.unit ?? '')
    .replaceAll('{point}', vars.point ?? '');
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
