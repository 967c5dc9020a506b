import { describe, expect, it } from 'vitest';
import { Liveness } from '../../../runtime/uplink/liveness.js';
import { ManualTimers } from './manual-timers.js';

const KEEPALIVE_MS = 5000;

function rig(opts: { answerPingAfterMs?: number; busy?: () => boolean } = {}) {
  const timers = new ManualTimers();
  const pings: number[] = [];
  const deaths: Array<{ at: number; silentMs: number }> = [];
  const live: Liveness = new Liveness({
    keepaliveMs: KEEPALIVE_MS, mono: () => timers.now, timers,
    ping: () => {
      pings.push(timers.now);
      if (opts.answerPingAfterMs !== undefined) timers.setTimeout(() => live.received(), opts.answerPingAfterMs); // the PINGRESP
    },
    dead: (silentMs) => deaths.push({ at: timers.now, silentMs }),
    ...(opts.busy ? { busy: opts.busy } : {}),
  });
  return { timers, pings, deaths, live };
}

describe('Liveness (application-level watchdog of the broker link)', () => {
  it('sends one PINGREQ after 0.5 × keepalive of silence and declares the link dead at 1.25 × keepalive', async () => {
    const { timers, pings, deaths, live } = rig();
    live.start();
    await timers.advance(2499);
    expect(pings).toEqual([]);
    await timers.advance(1);
    expect(pings).toEqual([2500]);
    await timers.advance(6249 - 2500);
    expect(deaths).toEqual([]);
    expect(pings).toEqual([2500]); // one ping per silent spell: a second would queue behind the first on the same socket
    await timers.advance(1);
    expect(deaths).toEqual([{ at: 6250, silentMs: 6250 }]);
    expect(timers.size).toBe(0);
    await timers.advance(60_000);
    expect(deaths).toHaveLength(1);
  });

  it('waits while a large upload is unacknowledged, and applies the deadline again once it is not', async () => {
    let uploading = true;
    const { timers, deaths, live } = rig({ busy: () => uploading });
    live.start();
    await timers.advance(60_000); // a 60 s upload: silence from the broker is expected
    expect(deaths).toEqual([]);
    uploading = false; // its PUBACK never came, but nothing large is in flight any more (e.g. refused)
    await timers.advance(2500); // the next check, one ping interval later
    expect(deaths).toHaveLength(1);
    expect(deaths[0]!.silentMs).toBeGreaterThanOrEqual(60_000);
  });

  it('keeps quiet while PUBACKs keep arriving, however long', async () => {
    const { timers, pings, deaths, live } = rig();
    live.start();
    for (let i = 0; i < 600; i++) {
      await timers.advance(2400); // a packet just under every half keepalive
      live.received();
    }
    expect(pings).toEqual([]);
    expect(deaths).toEqual([]);
    expect(timers.size).toBe(1);
  });

  it('keeps an idle link alive with its own pings when the broker answers them', async () => {
    const { timers, pings, deaths, live } = rig({ answerPingAfterMs: 3000 }); // a slow answer, 0.6 × keepalive
    live.start();
    await timers.advance(600_000);
    expect(deaths).toEqual([]);
    expect(pings.length).toBeGreaterThan(100);
    // Each ping came 0.5 × keepalive after the previous answer (or the start).
    expect(pings.slice(0, 3)).toEqual([2500, 8000, 13_500]);
  });

  it('notices a cut within 1.5 × keepalive whatever its phase against the traffic', async () => {
    for (const gap of [100, 900, 2400, 3100]) {
      for (const offset of [0, 1, 37, 499, 1234]) {
        const { timers, deaths, live } = rig();
        live.start();
        const cutAt = 20_000 + offset;
        // A packet every `gap` ms until the cut, nothing after it (no FIN, no RST).
        while (timers.now + gap <= cutAt) {
          await timers.advance(gap);
          live.received();
        }
        await timers.advance(cutAt - timers.now + 3 * KEEPALIVE_MS);
        expect(deaths).toHaveLength(1);
        const detectMs = deaths[0]!.at - cutAt;
        expect(detectMs).toBeGreaterThan(1.25 * KEEPALIVE_MS - gap);
        expect(detectMs).toBeLessThanOrEqual(1.5 * KEEPALIVE_MS);
      }
    }
  });

  it('does nothing without a keepalive (0 means none)', async () => {
    const timers = new ManualTimers();
    let calls = 0;
    const live = new Liveness({ keepaliveMs: 0, mono: () => timers.now, timers, ping: () => { calls += 1; }, dead: () => { calls += 1; } });
    live.start();
    expect(timers.size).toBe(0);
    await timers.advance(60_000);
    expect(calls).toBe(0);
  });

  it('clears its timer on stop and fires nothing afterwards; stop is idempotent', async () => {
    const { timers, pings, deaths, live } = rig();
    live.start();
    await timers.advance(1000);
    live.stop();
    live.stop();
    expect(timers.size).toBe(0);
    await timers.advance(60_000);
    expect(pings).toEqual([]);
    expect(deaths).toEqual([]);
    live.start(); // a new connection starts a new count
    await timers.advance(2500);
    expect(pings).toEqual([63_500]);
    live.stop();
    expect(timers.size).toBe(0);
  });
});
