/**
 * stuck: a point whose value has not moved (by more than `tolerance`) for `forS` — a frozen sensor keeps
 * answering polls with the same reading, which an offline rule cannot see.
 */
import { NONE, summarise, type Evaluator } from './types.js';
import type { PointValue } from '../../drivers/types.js';

export interface StuckState { active: boolean; ref: PointValue | null; since: number }

export const evaluateStuck: Evaluator<'stuck', StuckState> = (rule, prev, input) => {
  if (input.type !== 'reading') return { state: prev ?? { active: false, ref: null, since: 0 }, verdict: NONE };
  const state = prev ?? { active: false, ref: null, since: input.mono };
  if (state.ref === null || moved(state.ref, input.value, rule.tolerance)) {
    const next = { active: false, ref: input.value, since: input.mono };
    return { state: next, verdict: state.active ? { type: 'clear', mono: input.mono } : NONE };
  }
  const heldS = (input.mono - state.since) / 1000;
  if (heldS < rule.forS) return { state, verdict: NONE };
  const next = { ...state, active: true };
  return {
    state: next,
    verdict: {
      type: 'trigger', edge: !state.active, mono: input.mono, at: input.at,
      summary: summarise(rule, { value: input.value, point: rule.point }, `${rule.point} stuck at ${String(input.value)} for ${Math.round(heldS)} s`),
      data: { rule: rule.id, point: rule.point, value: input.value, forS: rule.forS },
    },
  };
};

function moved(a: PointValue, b: PointValue, tolerance: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) > tolerance;
  return a !== b;
}
