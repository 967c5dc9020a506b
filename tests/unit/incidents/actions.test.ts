import { describe, expect, it } from 'vitest';
import { actionSchema, deviceSchema } from '../../../config/schema.js';
import { planActions } from '../../../runtime/incidents/actions.js';
import { devices, PROFILES } from './harness.js';

const all = devices();
const dev = (id: string) => {
  const d = all.find((x) => x.config.id === id);
  if (!d) throw new Error(id);
  return d;
};

describe('local action plan', () => {
  it('defaults: zone sirens and strobes with a pattern per kind, cut-off on fire risk, linked cameras', () => {
    expect(planActions({ kind: 'fire-risk', severity: 'critical', zone: 'B3', device: dev('cp-b3-07') }, [], all)).toEqual({
      sirens: ['siren-b3', 'strobe-b3'], pattern: 'fire', seconds: 120, cutoffs: ['cp-b3-07'], cameras: ['cam-b3-02'],
    });
    const intrusion = planActions({ kind: 'intrusion', severity: 'critical', zone: 'A1', device: dev('cam-a1-01') }, [], all);
    expect(intrusion).toMatchObject({ sirens: ['siren-a1'], pattern: 'intrusion', cutoffs: [], cameras: ['cam-a1-01'] });
  });

  it('defaults: no sirens for device faults and minor incidents; zone cameras when none are linked', () => {
    expect(planActions({ kind: 'device-offline', severity: 'major', zone: 'B3', device: dev('cp-b3-08') }, [], all).sirens).toEqual([]);
    expect(planActions({ kind: 'smoke', severity: 'minor', zone: 'B3', device: dev('smoke-b3-01') }, [], all).sirens).toEqual([]);
    expect(planActions({ kind: 'smoke', severity: 'major', zone: 'B3', device: dev('smoke-b3-01') }, [], all).cameras).toEqual(['cam-b3-02']);
  });

  it('configured actions: the most specific match wins, "zone" expands, severity filters', () => {
    const actions = [
      actionSchema.parse({ kind: '*', sirens: ['zone'], pattern: 'chirp', seconds: 10 }),
      actionSchema.parse({ kind: 'fire-risk', sirens: ['siren-a1'], pattern: 'continuous', cutoff: true }),
      actionSchema.parse({ kind: 'fire-risk', zone: 'B3', sirens: ['zone', 'siren-a1'], pattern: 'fire', seconds: 300, cutoff: true, evidence: false }),
      actionSchema.parse({ kind: 'intrusion', severity: ['critical'], sirens: [], pattern: 'intrusion' }),
    ];
    expect(planActions({ kind: 'fire-risk', severity: 'critical', zone: 'B3', device: dev('cp-b3-07') }, actions, all)).toEqual({
      sirens: ['siren-b3', 'strobe-b3', 'siren-a1'], pattern: 'fire', seconds: 300, cutoffs: ['cp-b3-07'], cameras: [],
    });
    expect(planActions({ kind: 'fire-risk', severity: 'critical', zone: 'A1' }, actions, all)).toMatchObject({ sirens: ['siren-a1'], pattern: 'continuous' });
    expect(planActions({ kind: 'intrusion', severity: 'critical', zone: 'A1' }, actions, all).sirens).toEqual([]);
    expect(planActions({ kind: 'intrusion', severity: 'major', zone: 'A1' }, actions, all)).toMatchObject({ sirens: ['siren-a1'], pattern: 'chirp', seconds: 10 });
  });

  it('cut-off goes to a relay tagged with the charging point when the point has no output of its own', () => {
    const cpProfile = { ...PROFILES['cp-test']!, output: undefined };
    const cp = { config: deviceSchema.parse({ id: 'cp-x', type: 'charging-point', profile: 'cp-test', zone: 'C', address: 'modbus-rtu:///dev/x?unit=1' }), profile: cpProfile };
    const relay = { config: deviceSchema.parse({ id: 'relay-x', type: 'relay', profile: 'siren-test', zone: 'C', address: 'gpio://gpiochip0/20', tags: { cutoff: 'cp-x' } }), profile: PROFILES['siren-test']! };
    expect(planActions({ kind: 'fire-risk', severity: 'critical', zone: 'C', device: cp }, [], [cp, relay]).cutoffs).toEqual(['relay-x']);
  });
});
