import { describe, expect, it } from 'vitest';
import type { RuleInput } from '../../../runtime/rules/types.js';
import { feed, reading, rule, tick } from './helpers.js';

const ev = (kind: string, active: boolean, s: number, topic = 'tns1:RuleEngine/FieldDetector/ObjectsInside'): RuleInput =>
  ({ type: 'event', fact: { device: 'cam', topic, kind, active, mono: s * 1000, at: s * 1000 } });
const avail = (state: 'online' | 'offline', s: number): RuleInput =>
  ({ type: 'availability', fact: { device: 'd', state, mono: s * 1000, at: s * 1000, ...(state === 'offline' ? { error: 'no answer' } : {}) } });

describe('event rule', () => {
  it('maps a kind to an incident, repeats while active, clears on the inactive edge', () => {
    const r = rule({ type: 'event', match: 'intrusion' });
    expect(feed(r, [ev('intrusion', true, 0), ev('intrusion', true, 1), ev('motion', true, 2), ev('intrusion', false, 3), ev('intrusion', true, 4)]).marks).toBe('tr-ct');
  });

  it('matches a topic suffix and re-arms after quiet for pulse-only cameras', () => {
    const r = rule({ type: 'event', match: 'ObjectsInside' });
    expect(feed(r, [ev('x', true, 0), tick(30), tick(61), ev('x', true, 70)]).marks).toBe('t-ct');
  });

  it('can fire on the inactive edge (a contact opening)', () => {
    const r = rule({ type: 'event', match: 'input', when: false });
    expect(feed(r, [ev('input', true, 0, 'input'), ev('input', false, 1, 'input')]).marks).toBe('-t');
  });
});

describe('offline rule', () => {
  it('raises after afterS offline, once, and clears when back online', () => {
    const r = rule({ type: 'offline', afterS: 60 });
    const { marks, verdicts } = feed(r, [avail('offline', 0), tick(30), tick(60), tick(90), avail('offline', 100), avail('online', 120)]);
    expect(marks).toBe('--t--c');
    const v = verdicts[2];
    expect(v?.type === 'trigger' && v.data).toMatchObject({ offlineS: 60, error: 'no answer' });
  });

  it('does not raise for a short outage', () => {
    const r = rule({ type: 'offline', afterS: 60 });
    expect(feed(r, [avail('offline', 0), tick(30), avail('online', 40), tick(70), tick(200)]).marks).toBe('-----');
  });
});

describe('bits rule', () => {
  it('fires on masked fault bits only and names them', () => {
    const r = rule({ type: 'bits', point: 'status', mask: 0b1010 });
    const { marks, verdicts } = feed(r, [reading(0b0101, 0), reading(0b0010, 1), reading(0b1010, 2), reading(0, 3)]);
    expect(marks).toBe('-ttc'); // a new bit is a new edge
    const v = verdicts[2];
    expect(v?.type === 'trigger' && v.data.bits).toEqual([1, 3]);
  });
});
