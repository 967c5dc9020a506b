import { afterEach, describe, expect, it } from 'vitest';
import { isQinheError } from '../../../runtime/core/errors.js';
import { event, makeHarness, read, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => { await h.engine.stop(); });

describe('silence, drills, box faults, queries', () => {
  it('silence stops a zone and the ack escalation does not re-sound it', async () => {
    h = makeHarness({ evidence: false });
    h.engine.start();
    read(h, 'cp-b3-07', 'temperature', 72);
    const res = await h.engine.silence({ target: 'B3' });
    expect(res).toEqual({ target: 'B3', silenced: ['siren-b3', 'strobe-b3'] });
    expect(h.outputs().filter((o) => o.pattern === 'off').map((o) => o.deviceId)).toEqual(['cp-b3-07', 'siren-b3', 'strobe-b3']);
    h.clock.advance(60_000);
    await h.flush();
    expect(h.appended().some((e) => e.event === 'escalated')).toBe(true);
    expect(h.outputs().some((o) => o.pattern === 'escalated')).toBe(false);
  });

  it('raiseTest runs a drill end to end: a short chirp, test: true upstream, no escalation', async () => {
    h = makeHarness({ evidence: false });
    h.engine.start();
    const inc = h.engine.raiseTest('cp-b3-07');
    expect(inc).toMatchObject({ test: true, kind: 'fire-risk', device: { id: 'cp-b3-07' } });
    expect(h.outputs().map((o) => `${o.deviceId}:${o.pattern}:${o.seconds}`)).toEqual(['siren-b3:chirp:5', 'strobe-b3:chirp:5']);
    h.clock.advance(600_000);
    await h.flush();
    expect(h.appended().map((e) => [e.event, e.test])).toEqual([['raised', true]]);
    expect(() => h.engine.raiseTest('nope')).toThrow(expect.objectContaining({ code: 'QH_INCIDENT_DEVICE' }));
  });

  it('a walk-test event makes a test incident apart from real ones', async () => {
    h = makeHarness({ evidence: false });
    h.engine.start();
    h.bus.emit('event', { device: 'smoke-b3-01', topic: 'smoke', kind: 'smoke', active: true, at: h.clock.now(), mono: h.clock.mono(), test: true });
    event(h, 'smoke-b3-01', 'smoke');
    expect(h.engine.open().map((i) => Boolean(i.test)).sort()).toEqual([false, true]);
  });

  it('raiseBoxFault raises one box-fault per reason while open, without sirens', async () => {
    h = makeHarness({ evidence: false });
    h.engine.start();
    const a = h.engine.raiseBoxFault('store corrupt, set aside');
    const b = h.engine.raiseBoxFault('store corrupt, set aside');
    const c = h.engine.raiseBoxFault('disk full');
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
    expect(a).toMatchObject({ kind: 'box-fault', severity: 'major', device: { id: 'caima-01', type: 'box' } });
    expect(h.outputs()).toEqual([]);
  });

  it('open, get and list read live and persisted incidents', async () => {
    h = makeHarness({ evidence: false });
    h.engine.start();
    read(h, 'cp-b3-08', 'temperature', 72);
    h.clock.advance(1000);
    event(h, 'cam-a1-01', 'intrusion');
    const [first, second] = h.engine.open();
    await h.engine.resolve({ incidentId: first?.id ?? '', by: 'op', outcome: 'handled' });
    expect(h.engine.open().map((i) => i.id)).toEqual([second?.id]);
    expect(h.engine.get(first?.id ?? '')).toMatchObject({ status: 'resolved', data: { outcome: 'handled' } });
    expect(h.engine.list(10).map((i) => i.id)).toEqual([second?.id, first?.id]);
    expect(h.engine.get('nope')).toBeUndefined();
    const err = await h.engine.onsite({ incidentId: 'nope', by: 'x' }).catch((e: unknown) => e);
    expect(isQinheError(err, 'QH_INCIDENT_UNKNOWN')).toBe(true);
  });
});
