import { afterEach, describe, expect, it } from 'vitest';
import { isQinheError } from '../../../runtime/core/errors.js';
import { event, heat, makeHarness, read, type Harness } from '../incidents/harness.js';

let h: Harness;
afterEach(async () => { await h.engine.stop(); });

const stages = async () => { await h.flush(); return h.appended().filter((e) => e.event === 'escalated').map((e) => e.data.stage); };

function raiseCritical(): string {
  heat(h, 'cp-b3-07', { from: 30, perMin: 10, everyS: 5, seconds: 120 }, () => h.engine.open().length > 0);
  const id = h.engine.open()[0]?.id;
  if (!id) throw new Error('no incident');
  return id;
}

describe('the 1-3-5 minute response chain', () => {
  it('escalates an unacknowledged critical incident at 60 s, 3 min and 5 min, once each', async () => {
    h = makeHarness({ sms: true });
    h.engine.start();
    raiseCritical();
    h.clock.advance(59_999);
    expect(await stages()).toEqual([]);
    h.clock.advance(1);
    expect(await stages()).toEqual(['ack-timeout']);
    h.clock.advance(120_000);
    expect(await stages()).toEqual(['ack-timeout', 'onsite-reminder']);
    h.clock.advance(120_000);
    expect(await stages()).toEqual(['ack-timeout', 'onsite-reminder', 'reinforce']);
    h.clock.advance(3600_000);
    expect(await stages()).toHaveLength(3);
    await h.flush();
    const esc = h.appended().filter((e) => e.event === 'escalated');
    expect(esc.map((e) => e.data.elapsedS)).toEqual([60, 180, 300]);
    // louder pattern on ack-timeout, on the sirens it sounded
    expect(h.outputs().filter((o) => o.pattern === 'escalated').map((o) => o.deviceId)).toEqual(['siren-b3', 'strobe-b3']);
    // the SMS fallback went to the duty phone on every stage, in ASCII
    const sms = h.calls.flatMap((c) => (c.type === 'sms' ? [c] : []));
    expect(sms.map((s) => s.to)).toEqual(['+8613800000001', '+8613800000001', '+8613800000001']);
    expect(sms[0]?.text).toMatch(/^QINHE caima-01: CRITICAL fire-risk NOT ACKNOWLEDGED after 60s/);
    expect(sms.every((s) => /^[\x20-\x7e]{1,160}$/.test(s.text))).toBe(true);
    expect(esc[0]?.actions.some((a) => a.type === 'sms' && a.to === '+8613800000001')).toBe(true);
  });

  it('ack within 60 s stops the ack escalation but not the on-site reminder', async () => {
    h = makeHarness();
    h.engine.start();
    const id = raiseCritical();
    h.clock.advance(30_000);
    const res = await h.engine.ack({ incidentId: id, by: 'center-7' });
    expect(res).toMatchObject({ incidentId: id, changed: true });
    h.clock.advance(400_000);
    expect(await stages()).toEqual(['onsite-reminder', 'reinforce']);
    await h.flush();
    expect(h.outputs().some((o) => o.pattern === 'escalated')).toBe(false);
    const acked = h.appended().find((e) => e.event === 'acknowledged');
    expect(acked?.timeline.ackedAt).not.toBeNull();
    expect(acked?.data.by).toBe('center-7');
  });

  it('on site stops the reminder; resolve stops everything and silences the incident sirens', async () => {
    h = makeHarness();
    h.engine.start();
    const id = raiseCritical();
    h.clock.advance(100_000);
    await h.engine.onsite({ incidentId: id, by: 'guard-2' });
    h.clock.advance(100_000);
    expect(await stages()).toEqual(['ack-timeout']);
    await h.engine.resolve({ incidentId: id, by: 'guard-2', outcome: 'handled' });
    h.clock.advance(600_000);
    expect(await stages()).toEqual(['ack-timeout']);
    expect(h.outputs().filter((o) => o.pattern === 'off').map((o) => o.deviceId).sort()).toEqual(['cp-b3-07', 'siren-b3', 'strobe-b3']);
    await h.flush();
    const last = h.appended().at(-1);
    expect(last).toMatchObject({ event: 'resolved', data: { outcome: 'handled' } });
    expect(last?.timeline.resolvedAt).not.toBeNull();
    expect(h.engine.open()).toEqual([]);
  });

  it('resolve keeps a siren sounding that another open incident still needs', async () => {
    h = makeHarness();
    h.engine.start();
    read(h, 'cp-b3-07', 'temperature', 72);
    event(h, 'cam-b3-02', 'intrusion');
    const [fire] = h.engine.open();
    const res = await h.engine.resolve({ incidentId: fire?.id ?? '', by: 'op', outcome: 'handled' });
    expect(res.silenced).toEqual([]);
  });

  it('major incidents have no chain', async () => {
    h = makeHarness();
    h.engine.start();
    event(h, 'smoke-a1-01', 'smoke');
    h.clock.advance(600_000);
    expect(await stages()).toEqual([]);
  });

  it('a wall-clock jump of ±1 day neither fires a stage twice nor loses one', async () => {
    h = makeHarness();
    h.engine.start();
    raiseCritical();
    h.clock.jumpWall(86_400_000);
    h.clock.advance(30_000);
    expect(await stages()).toEqual([]);
    h.clock.jumpWall(-2 * 86_400_000);
    h.clock.advance(30_000);
    expect(await stages()).toEqual(['ack-timeout']);
    h.clock.jumpWall(86_400_000);
    h.clock.advance(300_000);
    expect(await stages()).toEqual(['ack-timeout', 'onsite-reminder', 'reinforce']);
  });

  it('commands on an unknown incident throw a coded error; repeats are harmless', async () => {
    h = makeHarness();
    h.engine.start();
    const err = await h.engine.ack({ incidentId: 'nope', by: 'x' }).catch((e: unknown) => e);
    expect(isQinheError(err, 'QH_INCIDENT_UNKNOWN')).toBe(true);
    const id = raiseCritical();
    await h.engine.ack({ incidentId: id, by: 'a' });
    expect(await h.engine.ack({ incidentId: id, by: 'a' })).toMatchObject({ changed: false });
    await h.engine.resolve({ incidentId: id, by: 'a', outcome: 'false-alarm' });
    expect(await h.engine.resolve({ incidentId: id, by: 'a', outcome: 'false-alarm' })).toMatchObject({ changed: false, status: 'resolved' });
    await h.flush();
    expect(h.appended().filter((e) => e.event === 'acknowledged' || e.event === 'resolved')).toHaveLength(2);
  });
});
