/**
 * Item 13 — soak. The box (store + uplink + HealthReporter + load generator) runs for a long time with its
 * broker connection cut (gate closed 2 s) every 15 s (CI) / 60 s (full); its RSS and open file descriptors are sampled from /proc once a
 * second. Checked: no fd growth, RSS flat in the second half (< 20 MB growth), and every incident event
 * delivered at the end. The CI run is a short smoke of the same harness (say so: 45 s is not a soak).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Mosquitto } from '../../helpers/mosquitto.js';
import { spawnBox } from '../lib/child.js';
import { Center } from '../lib/center.js';
import { Gate } from '../lib/gate.js';
import { missingUpTo, summarize } from '../lib/db.js';
import { sleep, waitUntil, type Scenario } from '../lib/suite.js';

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

export const soak: Scenario = {
  id: 'soak', item: 13, title: 'soak with broker outages', sizes: 'CI 45 s (a smoke, not a soak); --full 30 min', background: true,
  async run(ctx) {
    const totalMs = ctx.full ? 30 * 60_000 : 45_000;
    const flapMs = ctx.full ? 60_000 : 15_000;
    const broker = await Mosquitto.start();
    ctx.defer(() => broker.dispose());
    const center = await Center.connect(broker.url, 'qinhe/caima/faults-soak/#'); // its own box id: background runs share the machine
    ctx.defer(() => center.close());
    const gate = await Gate.start(ctx, broker.port);
    const box = spawnBox({ BOX_ID: 'faults-soak', DATA_DIR: ctx.tmp('soak'), BROKER_URL: gate.url, RATE: '10', BURST_EVERY_MS: '3000', BURST_MAX: '20',
      TELEMETRY_RATE: '5', HEALTH_S: '10', FIRST_RETRY_MS: '500', BACKOFF_CAP_MS: '2000' });
    ctx.defer(() => box.kill());
    await box.line('ready', 30_000);
    const pid = box.proc.pid!;
    const samples: Array<{ t: number; rss: number; fds: number }> = [];
    const t0 = Date.now();
    let nextFlap = t0 + flapMs;
    let flaps = 0;
    while (Date.now() - t0 < totalMs) {
      samples.push({ t: Date.now() - t0, rss: rssMb(pid), fds: readdirSync(`/proc/${pid}/fd`).length });
      if (Date.now() >= nextFlap) {
        await gate.close();
        await sleep(2000);
        await gate.open();
        flaps += 1;
        nextFlap = Date.now() + flapMs;
      }
      await sleep(1000);
    }
    box.send('pause');
    await waitUntil(() => {
      box.send('stats');
      const last = box.lines.filter((l) => l.startsWith('stats ')).at(-1);
      return last !== undefined && (JSON.parse(last.slice(6)) as { pending: number }).pending === 0;
    }, 'the outbox drained', 60_000, 300).catch(() => undefined);
    let maxCommitted = 0;
    for (const l of box.lines) if (l.startsWith('committed ')) maxCommitted = Math.max(maxCommitted, Number(l.slice(10)));
    await sleep(500);
    const missing = missingUpTo(new Set(center.of('/incident').map((a) => a.json!.seq as number)), maxCommitted);
    const half = samples.filter((s) => s.t >= totalMs / 2);
    const rssGrowth = Math.max(...half.map((s) => s.rss)) - (half[0]?.rss ?? 0);
    const fdStart = samples[2]?.fds ?? samples[0]!.fds;
    const fdEnd = samples.at(-1)!.fds;
    ctx.figure('minutes', totalMs / 60_000);
    ctx.figure('brokerRestarts', flaps);
    ctx.figure('committed', maxCommitted);
    ctx.figure('missing', missing.length);
    ctx.figure('rssStartMb', samples[2]?.rss ?? samples[0]!.rss);
    ctx.figure('rssEndMb', samples.at(-1)!.rss);
    ctx.figure('rssGrowthSecondHalfMb', rssGrowth);
    ctx.figure('fdStart', fdStart);
    ctx.figure('fdEnd', fdEnd);
    ctx.check('every incident event delivered', missing.length === 0 && maxCommitted > 0, `${maxCommitted} committed, missing ${summarize(missing)}`);
    ctx.check('no fd growth', fdEnd <= fdStart + 3, `${fdStart} → ${fdEnd}`);
    ctx.check('RSS flat in the second half (< 20 MB growth)', rssGrowth < 20, `${rssGrowth.toFixed(1)} MB`);
    if (!ctx.full) ctx.note('CI size is a 45 s smoke of the soak harness; the soak itself is --full (30 min)');
  },
};
