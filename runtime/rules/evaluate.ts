/** One entry point for every rule type (the runner stores states as `unknown` per rule). */
import type { RuleConfig } from '../../config/schema.js';
import { evaluateBits, type BitsState } from './bits.js';
import { evaluateDeviation, type DeviationState } from './deviation.js';
import { evaluateDuration, type DurationState } from './duration.js';
import { evaluateEvent, type EventState } from './event.js';
import { evaluateOffline, type OfflineState } from './offline.js';
import { evaluateRateOfRise, type RateState } from './rate-of-rise.js';
import { evaluateStuck, type StuckState } from './stuck.js';
import { evaluateThreshold, type ThresholdState } from './threshold.js';
import type { RuleInput, RuleResult } from './types.js';

export function evaluateRule(rule: RuleConfig, state: unknown, input: RuleInput): RuleResult<unknown> {
  switch (rule.type) {
    case 'threshold': return evaluateThreshold(rule, state as ThresholdState | undefined, input);
    case 'rate-of-rise': return evaluateRateOfRise(rule, state as RateState | undefined, input);
    case 'duration': return evaluateDuration(rule, state as DurationState | undefined, input);
    case 'stuck': return evaluateStuck(rule, state as StuckState | undefined, input);
    case 'deviation': return evaluateDeviation(rule, state as DeviationState | undefined, input);
    case 'event': return evaluateEvent(rule, state as EventState | undefined, input);
    case 'offline': return evaluateOffline(rule, state as OfflineState | undefined, input);
    case 'bits': return evaluateBits(rule, state as BitsState | undefined, input);
  }
}

/** Does this input concern this rule at all? (Readings of other points, events for reading rules...) */
export function ruleWants(rule: RuleConfig, input: RuleInput, point?: string): boolean {
  if (input.type === 'tick') return ['threshold', 'duration', 'offline', 'event'].includes(rule.type);
  if (input.type === 'event') return rule.type === 'event';
  if (input.type === 'availability') return rule.type === 'offline';
  return 'point' in rule && rule.point === point;
}
