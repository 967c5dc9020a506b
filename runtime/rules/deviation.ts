/**
 * deviation: the value strays more than `maxDeviation` from the point's own moving baseline — an
 * exponentially weighted mean with time constant `windowS` (dt-aware, so uneven polling does not skew it).
 * The baseline (a plain mean until then) is trusted after a quarter of the window of data and is frozen while the rule is active, so a
 * lasting anomaly does not become the new normal. It clears below 80 % of `maxDeviation`.
 */
import { NONE, round, summarise, type Evaluator } from './types.js';

export interface DeviationState { active: boolean; baseline: number | null; n: number; firstMono: number; lastMono: number; unit?: string }

export const evaluateDeviation: Evaluator<'deviation', DeviationState> = (rule, prev, input) => {
  if (input.type !== 'reading' || typeof input.value !== 'number') {
    return { state: prev ?? { active: false, baseline: null, n: 0, firstMono: 0, lastMono: 0 }, verdict: NONE };
  }
  const v = input.value;
  const unit = input.unit ?? prev?.unit;
  if (!prev || prev.baseline === null) {
    return { state: { active: false, baseline: v, n: 1, firstMono: input.mono, lastMono: input.mono, ...(unit ? { unit } : {}) }, verdict: NONE };
  }
  const warm = input.mono - prev.firstMono >= (rule.windowS * 1000) / 4;
  const deviation = v - prev.baseline;
  const beyond = warm && Math.abs(deviation) > rule.maxDeviation;
  // During warm-up the baseline is the plain mean, so one odd first reading does not linger for a whole window.
  const ewma = 1 - Math.exp(-(input.mono - prev.lastMono) / (rule.windowS * 1000));
  const alpha = warm ? ewma : Math.max(ewma, 1 / (prev.n + 1));
  const keepBaseline = beyond || prev.active;
  const baseline = keepBaseline ? prev.baseline : prev.baseline + alpha * (v - prev.baseline);
  const next: DeviationState = { ...prev, baseline, n: prev.n + 1, lastMono: input.mono, ...(unit ? { unit } : {}) };
  if (beyond) {
    return {
      state: { ...next, active: true },
      verdict: {
        type: 'trigger', edge: !prev.active, mono: input.mono, at: input.at,
        summary: summarise(rule, { value: round(v), unit: unit ?? '', point: rule.point },
          `${rule.point} ${round(v)}${unit ? ` ${unit}` : ''}, ${round(deviation, 1)} from its baseline ${round(prev.baseline, 1)}`),
        data: { rule: rule.id, point: rule.point, value: v, baseline: round(prev.baseline, 3), deviation: round(deviation, 3), threshold: rule.maxDeviation },
      },
    };
  }
  if (prev.active && Math.abs(deviation) < rule.maxDeviation * 0.8) {
    return { state: { ...next, active: false }, verdict: { type: 'clear', mono: input.mono } };
  }
  return { state: next, verdict: NONE };
};
