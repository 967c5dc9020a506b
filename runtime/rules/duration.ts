/** duration: fires once the point has equalled `equals` for `forS` (a door held open, a pump running dry). */
import { NONE, summarise, type Evaluator } from './types.js';

export interface DurationState { active: boolean; since: number | null; value?: number | boolean | string }

export const evaluateDuration: Evaluator<'duration', DurationState> = (rule, prev, input) => {
  const state: DurationState = prev ?? { active: false, since: null };
  let next = state;
  if (input.type === 'reading') {
    if (input.value !== rule.equals) {
      const cleared = { active: false, since: null };
      return { state: cleared, verdict: state.active ? { type: 'clear', mono: input.mono } : NONE };
    }
    next = { ...state, since: state.since ?? input.mono, value: input.value };
    if (state.active) return { state: next, verdict: fire(rule, next, false, input.mono, input.at) };
  } else if (input.type !== 'tick') {
    return { state, verdict: NONE };
  }
  if (next.active || next.since === null) return { state: next, verdict: NONE };
  if (input.mono - next.since < rule.forS * 1000) return { state: next, verdict: NONE };
  const active = { ...next, active: true };
  return { state: active, verdict: fire(rule, active, true, input.mono, input.at) };
};

function fire(rule: Parameters<typeof evaluateDuration>[0], state: DurationState, edge: boolean, mono: number, at: number) {
  const heldS = state.since === null ? 0 : Math.round((mono - state.since) / 1000);
  return {
    type: 'trigger' as const, edge, mono, at,
    summary: summarise(rule, { value: rule.equals, point: rule.point }, `${rule.point} = ${String(rule.equals)} for ${heldS} s`),
    data: { rule: rule.id, point: rule.point, value: rule.equals, forS: rule.forS, heldS },
  };
}
