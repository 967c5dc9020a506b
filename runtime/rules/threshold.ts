/**
 * threshold: fires when the value is above `above` (or below `below`) and has stayed there `forS`; clears only
 * once it is back inside by `hysteresis`, so a value hovering at the limit does not flap.
 */
import { NONE, round, summarise, type Evaluator, type RuleInput } from './types.js';

export interface ThresholdState { active: boolean; pendingSince: number | null; last: number | null; unit?: string }

export const evaluateThreshold: Evaluator<'threshold', ThresholdState> = (rule, prev, input) => {
  const state: ThresholdState = prev ?? { active: false, pendingSince: null, last: null };
  if (input.type === 'tick') return held(rule, state, input.mono, input.at);
  if (input.type !== 'reading' || typeof input.value !== 'number') return { state, verdict: NONE };
  const v = input.value;
  const beyond = (rule.above !== undefined && v > rule.above) || (rule.below !== undefined && v < rule.below);
  const back = (rule.above === undefined || v <= rule.above - rule.hysteresis)
    && (rule.below === undefined || v >= rule.below + rule.hysteresis);
  const next: ThresholdState = { ...state, last: v, ...(input.unit ? { unit: input.unit } : {}) };
  if (state.active) {
    if (back) return { state: { ...next, active: false, pendingSince: null }, verdict: { type: 'clear', mono: input.mono } };
    if (beyond) return { state: next, verdict: trigger(rule, next, v, false, input) };
    return { state: next, verdict: NONE };
  }
  if (!beyond) return { state: { ...next, pendingSince: null }, verdict: NONE };
  const since = state.pendingSince ?? input.mono;
  return held(rule, { ...next, pendingSince: since }, input.mono, input.at);
};

function held(rule: Parameters<typeof evaluateThreshold>[0], state: ThresholdState, mono: number, at: number) {
  if (state.active || state.pendingSince === null || state.last === null) return { state, verdict: NONE };
  if (mono - state.pendingSince < rule.forS * 1000) return { state, verdict: NONE };
  const next = { ...state, active: true };
  return { state: next, verdict: trigger(rule, next, state.last, true, { mono, at }) };
}

function trigger(rule: Parameters<typeof evaluateThreshold>[0], state: ThresholdState, v: number, edge: boolean,
  input: Pick<Extract<RuleInput, { type: 'tick' }>, 'mono' | 'at'>) {
  const threshold = v > (rule.above ?? Infinity) ? rule.above : rule.below;
  const unit = state.unit ?? '';
  const fallback = `${rule.point} ${round(v)}${unit ? ` ${unit}` : ''} beyond ${threshold}`;
  return {
    type: 'trigger' as const, edge, mono: input.mono, at: input.at,
    summary: summarise(rule, { value: round(v), unit, point: rule.point }, fallback),
    data: { rule: rule.id, point: rule.point, value: v, threshold, ...(rule.forS ? { forS: rule.forS } : {}) },
  };
}
