/**
 * RuleRunner: holds every (device, rule) state and turns facts into verdicts. It owns no timers and no I/O:
 * the incident engine feeds it facts from the bus and a tick for time-based rules.
 */
import type { BoxConfig, RuleConfig } from '../../config/schema.js';
import type { AvailabilityFact, EventFact, ReadingFact, ResolvedDevice } from '../../drivers/types.js';
import { evaluateRule, ruleWants } from './evaluate.js';
import { resolveRules, type ResolveWarning } from './resolve.js';
import type { RuleInput, Verdict } from './types.js';

export interface RuleVerdict { device: ResolvedDevice; rule: RuleConfig; verdict: Exclude<Verdict, { type: 'none' }> }

export class RuleRunner {
  private readonly rules = new Map<string, { device: ResolvedDevice; rules: RuleConfig[] }>();
  private readonly states = new Map<string, unknown>();

  constructor(devices: ResolvedDevice[], config: BoxConfig['rules'] | undefined, warn?: (w: ResolveWarning) => void) {
    for (const d of devices) this.rules.set(d.config.id, { device: d, rules: resolveRules(d, config, warn) });
  }

  rulesOf(deviceId: string): RuleConfig[] {
    return this.rules.get(deviceId)?.rules ?? [];
  }

  reading(f: ReadingFact): RuleVerdict[] {
    return this.run(f.device, { type: 'reading', value: f.value, mono: f.mono, at: f.at, ...(f.unit ? { unit: f.unit } : {}), ...(f.test ? { test: true } : {}) }, f.point);
  }

  event(f: EventFact): RuleVerdict[] {
    return this.run(f.device, { type: 'event', fact: f });
  }

  availability(f: AvailabilityFact): RuleVerdict[] {
    return this.run(f.device, { type: 'availability', fact: f });
  }

  /** Time-based rules (forS, offline afterS, event re-arm) for every device. */
  tick(mono: number, at: number): RuleVerdict[] {
    const out: RuleVerdict[] = [];
    for (const id of this.rules.keys()) out.push(...this.run(id, { type: 'tick', mono, at }));
    return out;
  }

  private run(deviceId: string, input: RuleInput, point?: string): RuleVerdict[] {
    const entry = this.rules.get(deviceId);
    if (!entry) return [];
    const out: RuleVerdict[] = [];
    for (const rule of entry.rules) {
      if (!ruleWants(rule, input, point)) continue;
      // Walk-test facts run on their own state, so a test can never mask (or be masked by) a real alarm.
      const test = (input.type === 'event' && input.fact.test === true) || (input.type === 'reading' && input.test === true);
      const key = `${deviceId}/${rule.id}${test ? '#test' : ''}`;
      const { state, verdict } = evaluateRule(rule, this.states.get(key), input);
      this.states.set(key, state);
      if (verdict.type === 'none') continue;
      // A walk-tested contact on a Modbus DI module arrives as a reading: its incident is a test too.
      out.push({ device: entry.device, rule, verdict: test && verdict.type === 'trigger' ? { ...verdict, test: true } : verdict });
    }
    return out;
  }
}
