import { EVIDENCE_BATCH_MS } from '../../../runtime/incidents/engine.js';
import { afterEach, describe, expect, it } from 'vitest';
import { heat, makeHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => { await h.engine.stop(); });

describe('raising an incident from a charging point heating at 10 °C/min', () => {
  it('sounds the zone sirens and cuts the port before the event reaches the outbox, in the same tick as the reading', async () => {
    h = makeHarness();
    h.engine.start();
    // Stops right after the reading that made the rule fire: the checks below run with no time passing.
    heat(h, 'cp-b3-07', { from: 30, perMin: 10, everyS: 5, seconds: 120 }, () => h.calls.length > 0);
    const order = h.calls.flatMap((c) => (c.type === 'output' ? [`output:${c.cmd.deviceId}:${c.cmd.pattern}`]
      : c.type === 'append' ? [`append:${c.draft.event}`] : []));
    // outputs first, then the outbox append (evidence requests are not ordered against them)
    expect(order).toEqual(['output:siren-b3:fire', 'output:strobe-b3:fire', 'output:cp-b3-07:off', 'append:raised']);
    const raised = h.appended()[0];
    expect(raised).toMatchObject({
      event: 'raised', kind: 'fire-risk', severity: 'critical', clockSynced: true,
      device: { id: 'cp-b3-07', type: 'charging-point', zone: 'B3', location: '3幢车棚 7号口' },
      data: { rule: 'charger-heating', point: 'temperature' },
    });
    expect(raised?.actions.map((a) => `${a.type}:${a.deviceId}`)).toEqual(
      ['siren:siren-b3', 'strobe:strobe-b3', 'cutoff:cp-b3-07', 'snapshot:cam-b3-02', 'clip:cam-b3-02']);
    expect(raised?.timeline.detectedAt).not.toBeNull();
    expect(raised?.timeline.alarmedAt).toBe(raised?.timeline.detectedAt); // no time passed in between
    expect(raised?.summary).toMatch(/rising 10 °C\/min/);
  });

  it('announces the evidence of several cameras in one updated event; forwardedAt waits for the PUBACK', async () => {
    h = makeHarness();
    h.engine.start();
    heat(h, 'cp-b3-07', { from: 30, perMin: 10, everyS: 5, seconds: 120 }, () => h.calls.length > 0);
    await h.flush();
    expect(h.appended().filter((e) => e.event === 'updated' && e.data.evidenceAdded)).toHaveLength(0);
    h.clock.advance(EVIDENCE_BATCH_MS);
    await h.flush();
    const events = h.appended();
    expect(events.filter((e) => e.event === 'raised')).toHaveLength(1);
    const withEvidence = events.filter((e) => e.event === 'updated' && e.data.evidenceAdded);
    expect(withEvidence).toHaveLength(1);
    expect(withEvidence[0]?.data.evidenceAdded).toHaveLength(2);
    expect(withEvidence[0]?.evidence.map((e) => e.type).sort()).toEqual(['clip', 'snapshot']);
    const inc = h.engine.open()[0];
    // Committed to the outbox is not forwarded: that is the PUBACK the uplink reports.
    expect(inc?.raisedSeq).toBe(events.findIndex((e) => e.event === 'raised') + 1); // the fake outbox numbers appends from 1
    expect(inc?.timeline.forwardedAt).toBeNull();
    h.engine.delivered([{ incidentId: inc?.id ?? '' }]);
    expect(h.engine.open()[0]?.timeline.forwardedAt).not.toBeNull();
    expect(h.engine.get(inc?.id ?? '')?.evidence).toHaveLength(2);
  });

  it('sounds the alarm even when the outbox never commits', async () => {
    h = makeHarness({ outbox: { appendIncident: () => new Promise(() => {}), append: async () => {} } });
    h.engine.start();
    heat(h, 'cp-b3-07', { from: 30, perMin: 10, everyS: 5, seconds: 120 }, () => h.outputs().length > 0);
    expect(h.outputs().map((o) => o.deviceId)).toContain('siren-b3');
    expect(h.engine.open()).toHaveLength(1);
  });

  it('does not raise for a port warming slowly below the limit', async () => {
    h = makeHarness();
    h.engine.start();
    heat(h, 'cp-b3-07', { from: 30, perMin: 2, everyS: 5, seconds: 600 });
    expect(h.calls).toEqual([]);
  });
});
