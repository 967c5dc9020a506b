import { describe, expect, it } from 'vitest';
import { deviceSchema, profileSchema } from '../../../config/schema.js';
import { resolveRules, type ResolveWarning } from '../../../runtime/rules/resolve.js';

const profile = profileSchema.parse({
  model: 'cp-test', description: 'charging point', type: 'charging-point', protocol: 'modbus-rtu',
  rules: [
    { id: 'overheat', type: 'threshold', point: 'temperature', above: 65, kind: 'fire-risk', severity: 'critical' },
    { id: 'rise', type: 'rate-of-rise', point: 'temperature', perMinute: 5, kind: 'fire-risk', severity: 'critical' },
    { id: 'gone', type: 'offline', afterS: 60, kind: 'device-offline', severity: 'minor' },
  ],
});
const device = (rules?: unknown[]) => ({
  config: deviceSchema.parse({ id: 'cp-b3-07', type: 'charging-point', profile: 'cp-test', zone: 'B3', address: 'modbus-rtu:///dev/x?unit=7', ...(rules ? { rules } : {}) }),
  profile,
});

describe('rule resolver', () => {
  it('applies estate, then zone, then device overrides by rule id', () => {
    const rules = resolveRules(device([{ id: 'overheat', above: 70 }]), {
      estate: [{ id: 'overheat', above: 60, hysteresis: 3 }, { id: 'rise', perMinute: 8 }],
      zones: { B3: [{ id: 'overheat', above: 62 }, { id: 'rise', perMinute: 6 }], A1: [{ id: 'rise', perMinute: 1 }] },
    });
    const overheat = rules.find((r) => r.id === 'overheat');
    const rise = rules.find((r) => r.id === 'rise');
    expect(overheat).toMatchObject({ above: 70, hysteresis: 3, type: 'threshold' });
    expect(rise).toMatchObject({ perMinute: 6 });
  });

  it('drops disabled rules and lets a lower scope re-enable them', () => {
    const cfg = { estate: [{ id: 'gone', enabled: false }, { id: 'rise', enabled: false }], zones: {} };
    const ids = resolveRules(device([{ id: 'rise', enabled: true }]), cfg).map((r) => r.id);
    expect(ids.sort()).toEqual(['overheat', 'rise']);
  });

  it('skips an override that does not fit the rule type, with a warning', () => {
    const warnings: ResolveWarning[] = [];
    const rules = resolveRules(device([{ id: 'gone', above: 5 }]), { estate: [], zones: {} }, (w) => warnings.push(w));
    expect(rules.find((r) => r.id === 'gone')).not.toHaveProperty('above');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ rule: 'gone', scope: 'device:cp-b3-07' });
  });
});
