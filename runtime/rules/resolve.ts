/**
 * The rules of one device: the profile's rules, then overrides by rule id from the estate, the device's zone
 * and the device itself (later wins). An override that names no rule of the device is ignored; one that would
 * make the rule invalid (a field its type does not have, a bad value) is skipped with a warning, keeping the
 * rule as it was. Rules with `enabled: false` are dropped at the end, so a device can re-enable a rule the
 * estate switched off.
 */
import { ruleSchema, type BoxConfig, type RuleConfig, type RuleOverride } from '../../config/schema.js';
import type { ResolvedDevice } from '../../drivers/types.js';

export interface ResolveWarning { device: string; rule: string; scope: string; reason: string }

export function resolveRules(device: ResolvedDevice, rules: BoxConfig['rules'] | undefined,
  warn: (w: ResolveWarning) => void = () => {}): RuleConfig[] {
  const layers: Array<[string, RuleOverride[]]> = [
    ['estate', rules?.estate ?? []],
    [`zone:${device.config.zone}`, rules?.zones[device.config.zone] ?? []],
    [`device:${device.config.id}`, device.config.rules ?? []],
  ];
  const byId = new Map<string, RuleConfig>(device.profile.rules.map((r) => [r.id, r]));
  for (const [scope, overrides] of layers) {
    for (const o of overrides) {
      const base = byId.get(o.id);
      if (!base) continue;
      const merged = ruleSchema.safeParse({ ...base, ...definedFields(o) });
      if (merged.success) byId.set(o.id, merged.data);
      else warn({ device: device.config.id, rule: o.id, scope, reason: merged.error.issues.map((i) => i.message).join('; ') });
    }
  }
  return [...byId.values()].filter((r) => r.enabled);
}

function definedFields(o: RuleOverride): Partial<RuleOverride> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
