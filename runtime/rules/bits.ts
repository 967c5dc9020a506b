/** bits: a fault/status register whose bits under `mask` signal faults (any set bit fires). */
import { NONE, summarise, type Evaluator } from './types.js';

export interface BitsState { active: boolean; bits: number }

export const evaluateBits: Evaluator<'bits', BitsState> = (rule, prev, input) => {
  const state = prev ?? { active: false, bits: 0 };
  if (input.type !== 'reading') return { state, verdict: NONE };
  const raw = typeof input.value === 'boolean' ? Number(input.value) : Number(input.value);
  if (!Number.isInteger(raw)) return { state, verdict: NONE };
  const bits = raw & rule.mask;
  if (bits === 0) return { state: { active: false, bits: 0 }, verdict: state.active ? { type: 'clear', mono: input.mono } : NONE };
  const list = setBits(bits);
  return {
    state: { active: true, bits },
    verdict: {
      type: 'trigger', edge: !state.active || (bits & ~state.bits) !== 0, mono: input.mono, at: input.at,
      summary: summarise(rule, { value: raw, point: rule.point }, `${rule.point} fault bits ${list.join(',')} (0x${raw.toString(16)})`),
      data: { rule: rule.id, point: rule.point, value: raw, mask: rule.mask, bits: list },
    },
  };
};

function setBits(n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 32; i++) if ((n >>> i) & 1) out.push(i);
  return out;
}
