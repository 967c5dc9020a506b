import { describe, expect, it } from 'vitest';
import { deviceSchema } from '../../../config/schema.js';
import { loadProfiles } from '../../../config/profiles.js';
import { RuleRunner } from '../../../runtime/rules/runner.js';

describe('RuleRunner and walk tests on Modbus contacts', () => {
  const profile = loadProfiles().profiles.get('di-16')!;
  const config = deviceSchema.parse({ id: 'di-b1-001', type: 'door', profile: 'di-16', zone: 'B1', address: 'modbus-rtu:///dev/x?unit=5' });
  const at = 1_800_000_000_000;

  it('marks the verdict of a test reading as a test, on its own state', () => {
    const runner = new RuleRunner([{ config, profile }], undefined);
    const test = runner.reading({ device: config.id, point: 'in9', value: true, at, mono: 1000, test: true });
    expect(test.map((v) => [v.rule.id, v.verdict.type, v.verdict.type === 'trigger' && v.verdict.test])).toEqual([['panic-9', 'trigger', true]]);
    // The real press right after is not masked by the walk test: it triggers again, as a real alarm.
    const real = runner.reading({ device: config.id, point: 'in9', value: true, at: at + 1000, mono: 2000 });
    expect(real.map((v) => [v.rule.id, v.verdict.type === 'trigger' && v.verdict.edge, v.verdict.type === 'trigger' && v.verdict.test === true])).toEqual([['panic-9', true, false]]);
  });
});
