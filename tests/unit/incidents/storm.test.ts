import { afterEach, describe, expect, it } from 'vitest';
import { event, makeHarness, read, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => { await h.engine.stop(); });

describe('storm suppression', () => {
  it('folds 1,000 identical triggers into one incident, with rate-limited updates carrying the count', async () => {
    h = makeHarness({ evidence: false });
    h.engine.start();
    for (let i = 0; i < 1000; i++) {
      event(h, 'cam-b3-02', 'intrusion', true);
      h.clock.advance(50); // 1,000 pulses in 50 s
    }
    await h.flush();
    h.clock.advance(30_000);
    await h.flush();
    const ev = h.appended();
    expect(ev.filter((e) => e.event === 'raised')).toHaveLength(1);
    // 80 s: raised, one update per 30 s of repeats at most, and the 60 s ack-timeout (intrusion is critical)
    expect(ev.length).toBeLessThanOrEqual(4);
    expect(ev.filter((e) => e.event === 'updated').length).toBeGreaterThanOrEqual(1);
    expect(ev.every((e) => e.incidentId === ev[0]?.incidentId)).toBe(true);
    expect(ev.at(-1)?.data.count).toBe(1000);
    expect(h.engine.open()).toHaveLength(1);
    // the siren was commanded once at the raise (and once louder at the ack timeout), not 1,000 times
    expect(h.outputs().filter((o) => o.deviceId === 'siren-b3').map((o) => o.pattern)).toEqual(['intrusion', 'escalated']);
  });

  it('a threshold still exceeded after resolve does not re-raise until it has cleared', async () => {
    h = makeHarness();
    h.engine.start();
    read(h, 'cp-b3-08', 'temperature', 70);
    const id = h.engine.open()[0]?.id ?? '';
    await h.engine.resolve({ incidentId: id, by: 'op', outcome: 'false-alarm' });
    for (let i = 0; i < 10; i++) { h.clock.advance(1000); read(h, 'cp-b3-08', 'temperature', 71); }
    expect(h.engine.open()).toHaveLength(0);
    read(h, 'cp-b3-08', 'temperature', 50); // clears (hysteresis 5)
    read(h, 'cp-b3-08', 'temperature', 70);
    expect(h.engine.open()).toHaveLength(1);
    expect(h.engine.open()[0]?.id).not.toBe(id);
  });

  it('a repeat while the incident is open is an update, not a new alarm, even after the rule cleared', async () => {
    h = makeHarness({ evidence: false });
    h.engine.start();
    read(h, 'cp-b3-08', 'temperature', 70);
    read(h, 'cp-b3-08', 'temperature', 40);
    h.clock.advance(40_000);
    read(h, 'cp-b3-08', 'temperature', 70);
    await h.flush();
    h.clock.advance(30_000);
    await h.flush();
    // raised; updated (cleared below the hysteresis, sent at the end of the 30 s update interval); at 60 s the
    // ack timeout's escalated event, which carries the repeats (the limit again, and the jump's rate of rise).
    const ev = h.appended();
    expect(ev.map((e) => e.event)).toEqual(['raised', 'updated', 'escalated']);
    expect(ev.map((e) => e.data.cleared ?? false)).toEqual([false, true, false]);
    expect(ev.map((e) => e.data.count)).toEqual([1, 1, 3]);
    expect(h.engine.open()[0]?.count).toBe(3); // the limit twice, and the jump's rate of rise (same device, same kind)
    expect(h.engine.open()[0]?.keys).toEqual(['cp-b3-08/charger-overheat', 'cp-b3-08/charger-heating']);
  });

  it('says once that the condition cleared (device back online) and keeps the incident open for the center', async () => {
    h = makeHarness({ evidence: false });
    h.engine.start();
    const avail = (state: 'online' | 'offline') =>
      h.bus.emit('availability', { device: 'cp-b3-08', state, at: h.clock.now(), mono: h.clock.mono(), ...(state === 'offline' ? { error: 'timeout' } : {}) });
    avail('online');
    avail('offline');
    for (let i = 0; i < 70; i++) h.clock.advance(1000);
    await h.flush();
    expect(h.appended().map((e) => [e.event, e.kind])).toEqual([['raised', 'device-offline']]);
    h.clock.advance(181_000);
    avail('online');
    avail('online');
    await h.flush();
    const ev = h.appended();
    expect(ev.map((e) => e.event)).toEqual(['raised', 'updated']);
    // Flapping: offline and online again and again within the interval: at most one more update per interval.
    for (let i = 0; i < 20; i++) {
      avail('offline');
      h.clock.advance(61_000);
      avail('online');
      h.clock.advance(500);
    }
    await h.flush();
    const flaps = h.appended().slice(2);
    expect(flaps.length).toBeLessThanOrEqual(Math.ceil((20 * 61.5) / 30) + 1);
    expect(flaps.length).toBeGreaterThan(0);
    expect(ev[1]?.data).toMatchObject({ cleared: true, clearedAfterS: expect.any(Number) as number });
    expect(ev[1]?.data.clearedAfterS).toBeGreaterThanOrEqual(180);
    expect(h.engine.open()).toHaveLength(1);
  });
});
