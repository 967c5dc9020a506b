/**
 * rate-of-rise: the least-squares slope of the point over the last `windowS`, in units per minute (a charging
 * port heating up at 10 °C/min fires long before it reaches a fixed limit). The slope is only trusted once the
 * samples span a third of the window, so two noisy readings a second apart cannot fire it. It clears when the
 * slope falls under half the limit.
 */
import { NONE, round, summarise, type Evaluator } from './types.js';

export interface RateState { active: boolean; samples: Array<[mono: number, value: number]>; unit?: string }

const MAX_SAMPLES = 240;

export const evaluateRateOfRise: Evaluator<'rate-of-rise', RateState> = (rule, prev, input) => {
  const state: RateState = prev ?? { active: false, samples: [] };
  if (input.type !== 'reading' || typeof input.value !== 'number') return { state, verdict: NONE };
  const windowMs = rule.windowS * 1000;
  let samples = state.samples.filter(([m]) => input.mono - m <= windowMs);
  samples.push([input.mono, input.value]);
  if (samples.length > MAX_SAMPLES) samples = samples.filter((_, i) => i % 2 === 1 || i === samples.length - 1);
  const next: RateState = { active: state.active, samples, ...(input.unit ?? state.unit ? { unit: input.unit ?? state.unit } : {}) };
  const first = samples[0];
  if (!first || input.mono - first[0] < windowMs / 3) return { state: next, verdict: NONE };
  const perMin = slopePerMs(samples) * 60_000;
  if (perMin >= rule.perMinute) {
    const edge = !state.active;
    const unit = next.unit ?? '';
    const fallback = `${rule.point} ${round(input.value)}${unit ? ` ${unit}` : ''}, rising ${round(perMin, 1)}${unit ? ` ${unit}` : ''}/min`;
    return {
      state: { ...next, active: true },
      verdict: {
        type: 'trigger', edge, mono: input.mono, at: input.at,
        summary: summarise(rule, { value: round(input.value), unit, point: rule.point }, fallback),
        data: { rule: rule.id, point: rule.point, value: input.value, perMinute: round(perMin, 2), threshold: rule.perMinute },
      },
    };
  }
  if (state.active && perMin < rule.perMinute / 2) return { state: { ...next, active: false }, verdict: { type: 'clear', mono: input.mono } };
  return { state: next, verdict: NONE };
};

/** Least-squares slope (value per ms) of the samples. */
export function slopePerMs(samples: Array<[number, number]>): number {
  const n = samples.length;
  if (n < 2) return 0;
  let mx = 0; let my = 0;
  for (const [x, y] of samples) { mx += x; my += y; }
  mx /= n; my /= n;
  let num = 0; let den = 0;
  for (const [x, y] of samples) { num += (x - mx) * (y - my); den += (x - mx) ** 2; }
  return den === 0 ? 0 : num / den;
}
