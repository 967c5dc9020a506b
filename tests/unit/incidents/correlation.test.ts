import { afterEach, describe, expect, it } from 'vitest';
import { event, makeHarness, read, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => { await h.engine.stop(); });

describe('correlation within a zone and a window', () => {
  it('an overheating charging point plus smoke in the same zone is one critical fire-risk incident', async () => {
    h = makeHarness();
    h.engine.start();
    event(h, 'smoke-b3-01', 'smoke');
    h.clock.advance(20_000);
    read(h, 'cp-b3-07', 'temperature', 72);
    await h.flush();
    const open = h.engine.open();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ kind: 'fire-risk', severity: 'critical', keys: ['smoke-b3-01/smoke', 'cp-b3-07/charger-overheat'] });
    const events = h.appended().filter((e) => !e.data.evidenceAdded);
    expect(events.map((e) => `${e.event}:${e.kind}:${e.severity}`)).toEqual(['raised:smoke:major', 'updated:fire-risk:critical']);
    // joining a charging point cuts its port and sounds the fire pattern again
    expect(h.outputs().filter((o) => o.deviceId === 'cp-b3-07').map((o) => o.pattern)).toEqual(['off']);
    // now critical: the acknowledgement timer runs from detection
    h.clock.advance(40_000);
    await h.flush();
    expect(h.appended().filter((e) => e.event === 'escalated').map((e) => e.data.stage)).toEqual(['ack-timeout']);
  });

  it('the same pair in different zones stays two incidents', async () => {
    h = makeHarness();
    h.engine.start();
    event(h, 'smoke-a1-01', 'smoke');
    read(h, 'cp-b3-07', 'temperature', 72);
    expect(h.engine.open().map((i) => i.kind).sort()).toEqual(['fire-risk', 'smoke']);
  });

  it('the same pair outside the window stays two incidents', async () => {
    h = makeHarness({ config: { incidents: { correlationWindowS: 60 } as never } });
    h.engine.start();
    event(h, 'smoke-b3-01', 'smoke');
    h.clock.advance(61_000);
    read(h, 'cp-b3-07', 'temperature', 72);
    expect(h.engine.open()).toHaveLength(2);
  });

  it('two charging points overheating are two incidents (same kind does not correlate)', async () => {
    h = makeHarness();
    h.engine.start();
    read(h, 'cp-b3-07', 'temperature', 72);
    read(h, 'cp-b3-08', 'temperature', 72);
    expect(h.engine.open()).toHaveLength(2);
  });
});
