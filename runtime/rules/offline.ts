/**
 * offline: the device has been offline (as its driver reported, after the profile's offlineAfterS) for a
 * further `afterS`. Raised once; clears when the device is back online.
 */
import { NONE, type Evaluator } from './types.js';

export interface OfflineState { active: boolean; since: number | null; error?: string }

export const evaluateOffline: Evaluator<'offline', OfflineState> = (rule, prev, input) => {
  const state: OfflineState = prev ?? { active: false, since: null };
  if (input.type === 'availability') {
    const f = input.fact;
    if (f.state === 'offline') {
      const next = { ...state, since: state.since ?? f.mono, ...(f.error ? { error: f.error } : {}) };
      return due(rule, next, f.mono, f.at);
    }
    if (f.state === 'online') {
      return { state: { active: false, since: null }, verdict: state.active ? { type: 'clear', mono: f.mono } : NONE };
    }
    return { state, verdict: NONE };
  }
  if (input.type === 'tick') return due(rule, state, input.mono, input.at);
  return { state, verdict: NONE };
};

function due(rule: Parameters<typeof evaluateOffline>[0], state: OfflineState, mono: number, at: number) {
  if (state.active || state.since === null || mono - state.since < rule.afterS * 1000) return { state, verdict: NONE };
  const offlineS = Math.round((mono - state.since) / 1000);
  return {
    state: { ...state, active: true },
    verdict: {
      type: 'trigger' as const, edge: true, mono, at,
      summary: rule.summary ?? `device offline for ${offlineS} s${state.error ? ` (${state.error})` : ''}`,
      data: { rule: rule.id, offlineS, ...(state.error ? { error: state.error } : {}) },
    },
  };
}
