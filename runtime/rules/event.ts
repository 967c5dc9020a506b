/**
 * event: maps a device event (an ONVIF topic or its normalised kind, a contact edge) to an incident kind.
 * `match` equals the fact's kind or topic, or is a suffix of the topic after a `/` or `:`. Many cameras send
 * only active pulses, so an active rule re-arms after REARM_MS of quiet as well as on the inactive edge.
 */
import type { EventFact } from '../../drivers/types.js';
import { NONE, summarise, type Evaluator } from './types.js';

export interface EventState { active: boolean; lastMono: number }

export const EVENT_REARM_MS = 60_000;

export function eventMatches(match: string, fact: EventFact): boolean {
  if (fact.kind === match || fact.topic === match) return true;
  return fact.topic.endsWith(`/${match}`) || fact.topic.endsWith(`:${match}`);
}

export const evaluateEvent: Evaluator<'event', EventState> = (rule, prev, input) => {
  const state = prev ?? { active: false, lastMono: 0 };
  if (input.type === 'tick') {
    if (state.active && input.mono - state.lastMono >= EVENT_REARM_MS) {
      return { state: { active: false, lastMono: state.lastMono }, verdict: { type: 'clear', mono: input.mono } };
    }
    return { state, verdict: NONE };
  }
  if (input.type !== 'event' || !eventMatches(rule.match, input.fact)) return { state, verdict: NONE };
  const f = input.fact;
  if (f.active !== rule.when) {
    return { state: { active: false, lastMono: f.mono }, verdict: state.active ? { type: 'clear', mono: f.mono } : NONE };
  }
  return {
    state: { active: true, lastMono: f.mono },
    verdict: {
      type: 'trigger', edge: !state.active, mono: f.mono, at: f.at, ...(f.test ? { test: true } : {}),
      summary: summarise(rule, { value: f.kind }, `${f.kind} (${f.topic})`),
      data: { rule: rule.id, topic: f.topic, event: f.kind, ...(f.data ? { detail: f.data } : {}) },
    },
  };
};
