/**
 * Item 11 — wall-clock jumps (libfaketime, DONT_FAKE_MONOTONIC=1, offsets changed at run time through a
 * timestamp file). The box starts in 1970 (no RTC), then the wall clock jumps +10 years, to the real time
 * (an NTP sync), +10 years again, then −1 h, while the broker is unreachable (lib/gate.ts) and incident events and telemetry pile
 * up in the outbox. Checked: the HealthReporter's timer keeps its interval (±10 %) through every jump; when
 * the broker returns, every incident event arrives in seq order and no telemetry row was expired by a jump
 * (the TTL sweep runs at most once a minute, so each run lasts > 60 s after the first sweep).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Mosquitto } from '../../helpers/mosquitto.js';
import { spawnBox } from '../lib/child.js';
import { Center } from '../lib/center.js';
import { Gate } from '../lib/gate.js';
import { missingUpTo, summarize } from '../lib/db.js';
import { sleep, waitUntil, type Scenario } from '../lib/suite.js';

const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';
const YEAR_S = 365.25 * 86400;
/** The HealthReporter re-arms its timer after each append commits, so each period is late by one commit. */
const HEALTH_S = 5;

export const clockJump: Scenario = {
  id: 'clockjump', item: 11, title: 'wall-clock jumps (faketime)', background: true,
  sizes: 'CI 66 s (the +10 y phase spans the once-a-minute TTL sweep); --full 5 phases of 3 min',
  async run(ctx) {
    // Phase lengths: before the first jump, then after each jump. The 4th phase (+10 y after the NTP sync)
    // lasts until > 60 s after the box's first append, so the TTL sweep (at most once a minute) runs in it.
    const phases = ctx.full ? [180_000, 180_000, 180_000, 180_000, 180_000] : [3000, 3000, 3000, 54_000, 4000];
    const broker = await Mosquitto.start();
    ctx.defer(() => broker.dispose());
    const center = await Center.connect(broker.url, 'qinhe/caima/faults-clockjump/#'); // its own box id: background runs share the machine
    ctx.defer(() => center.close());
    const dir = ctx.tmp('clockjump');
    const stampFile = join(dir, 'faketime');
    const nowS = Date.now() / 1000;
    let offsetS = Math.round(86400 - nowS); // 1970-01-02
    writeFileSync(stampFile, `${offsetS >= 0 ? '+' : ''}${offsetS}\n`);
    const gate = await Gate.start(ctx, broker.port);
    const box = spawnBox({ BOX_ID: 'faults-clockjump', DATA_DIR: join(dir, 'data'), BROKER_URL: gate.url, RATE: '10', BURST_EVERY_MS: '0', TELEMETRY_RATE: '10',
      CRITICAL_EVERY: '0', HEALTH_S: String(HEALTH_S), LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: stampFile,
      FAKETIME_CACHE_DURATION: '1', DONT_FAKE_MONOTONIC: '1', FIRST_RETRY_MS: '200', BACKOFF_CAP_MS: '1000' });
    ctx.defer(() => box.kill());
    await box.line('ready', 30_000);
    // The box's monotonic clock starts at its own process start: keep that origin to place the jumps.
    const spawnedAt = box.spawnedAt;
    const clock = async () => {
      const n = box.lines.filter((l) => l.startsWith('clock ')).length;
      box.send('clock');
      await waitUntil(() => box.lines.filter((l) => l.startsWith('clock ')).length > n, 'clock', 10_000);
      return Number(box.lines.filter((l) => l.startsWith('clock ')).at(-1)!.split(' ')[1]);
    };
    const seenYears: number[] = [new Date(await clock()).getUTCFullYear()];
    await sleep(1000);
    await gate.close();
    const jumps: Array<[string, () => number]> = [
      ['+10 y', () => offsetS + Math.round(10 * YEAR_S)],
      ['to real time (NTP sync)', () => 0],
      ['+10 y', () => offsetS + Math.round(10 * YEAR_S)],
      ['−1 h', () => offsetS - 3600],
    ];
    await sleep(phases[0]!);
    const jumpTimes: number[] = [];
    for (const [k, [what, next]] of jumps.entries()) {
      offsetS = next();
      jumpTimes.push(Date.now());
      writeFileSync(stampFile, `${offsetS >= 0 ? '+' : ''}${offsetS}\n`);
      await sleep(2500); // FAKETIME_CACHE_DURATION=1: the new offset is read within a second or so
      const y = new Date(await clock()).getUTCFullYear();
      seenYears.push(y);
      ctx.log(`jump ${what}: the box now reads ${y}`);
      await sleep(phases[k + 1]! - 2500);
    }
    box.send('pause');
    box.send('stats');
    const stats = JSON.parse((await box.line('stats', 10_000)).slice(6)) as { evictions: Record<string, number>; byLane: Record<string, { pending: number }> };
    await gate.open();
    await waitUntil(() => {
      box.send('stats');
      const last = box.lines.filter((l) => l.startsWith('stats ')).at(-1);
      return last !== undefined && (JSON.parse(last.slice(6)) as { pending: number }).pending === 0;
    }, 'the outbox drained', 60_000, 500);
    box.send('stop');
    await box.line('stopped', 20_000);
    await sleep(300);

    const ticks = box.lines.filter((l) => l.startsWith('tick ')).map((l) => Number(l.split(' ')[1]));
    const intervals = ticks.slice(1).map((t, i) => t - ticks[i]!);
    const worst = intervals.reduce((w, d) => Math.max(w, Math.abs(d - HEALTH_S * 1000) / (HEALTH_S * 1000)), 0);
    // Where the worst intervals were (ms after the first tick), to tell a jump from a stalled event loop.
    const worstAt = intervals.map((d, i) => ({ d, at: ticks[i]! - ticks[0]! })).sort((a, b) => Math.abs(b.d - HEALTH_S * 1000) - Math.abs(a.d - HEALTH_S * 1000))
      .slice(0, 3).map((x) => `${x.d.toFixed(0)} ms at +${(x.at / 1000).toFixed(0)} s`);
    const jumpAt = jumpTimes.map((t) => `+${((t - (ticks[0]! + spawnedAt)) / 1000).toFixed(0)} s`);
    let maxCommitted = 0;
    for (const l of box.lines) if (l.startsWith('committed ')) maxCommitted = Math.max(maxCommitted, Number(l.slice(10)));
    const incidents = center.of('/incident');
    const firstSeen: number[] = [];
    const seen = new Set<number>();
    for (const a of incidents) {
      const s = a.json!.seq as number;
      if (!seen.has(s)) { seen.add(s); firstSeen.push(s); }
    }
    const disorder = firstSeen.filter((s, i) => i > 0 && s < firstSeen[i - 1]!).length;
    const missing = missingUpTo(seen, maxCommitted);
    const evicted = Object.values(stats.evictions).reduce((a, b) => a + b, 0);
    ctx.figure('yearsSeen', seenYears.join('→'));
    ctx.figure('healthTicks', ticks.length);
    ctx.figure('worstTimerDeviationPct', worst * 100);
    ctx.figure('incidentsCommitted', maxCommitted);
    ctx.figure('incidentsMissing', missing.length);
    ctx.figure('outOfOrder', disorder);
    ctx.figure('telemetryExpired', stats.evictions.telemetry ?? 0);
    ctx.figure('evictedAllLanes', evicted);
    ctx.figure('telemetryDelivered', center.of('/telemetry').length);
    ctx.check('control: the box saw 1970 and every jump', seenYears[0] === 1970 && seenYears[1] === 1980 && seenYears[2] === new Date().getUTCFullYear()
      && seenYears[3] === new Date().getUTCFullYear() + 10, seenYears.join(' → '));
    ctx.check('timers within ±10 % of their interval through the jumps', intervals.length >= 5 && worst <= 0.1,
      `${intervals.length} health intervals of ${HEALTH_S} s, worst deviation ${(worst * 100).toFixed(1)} % (worst: ${worstAt.join(', ')}; jumps at ${jumpAt.join(', ')})`);
    ctx.check('no incident event lost or reordered by a jump', missing.length === 0 && disorder === 0 && maxCommitted > 0,
      `${seen.size}/${maxCommitted} delivered, missing ${summarize(missing)}, ${disorder} out of order`);
    ctx.check('no outbox row expired by a jump', evicted === 0, `evictions ${JSON.stringify(stats.evictions)}`);
  },
};
