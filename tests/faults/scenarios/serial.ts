/**
 * Item 9 — serial unplug/replug. A real LineScheduler on a socat PTY (SerialLink) polls a simulated unit;
 * socat is killed (both ends get EIO, as an unplugged USB adapter does) and restarted on the same paths, cycle
 * after cycle. A second line (its own socat PTY, simulator and LineScheduler) is polled all along: the
 * neighbour an unplug must not disturb. Checked: every unplug detected (the line's offline event) within 2 s of
 * the kill; every replug followed by a good poll within 3 s (the reopen backoff is 250 ms doubling to 2 s;
 * the issue allows 5 s); exactly one offline and one online event per cycle; no wrong value ever accepted
 * (each poll's registers encode its number); the line counts every loss; the neighbour line lost no poll, saw
 * no link event and no wrong value; the process's PTY file descriptors back to their baseline.
 *
 * Inside a cycle the line is left plugged 150–500 ms after its recovery poll (padding: the recovery itself was
 * just measured) and unplugged for 200–1500 ms (kept: the unplug length decides where the reopen backoff stands
 * at the replug, which is what the recovery time measures).
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { LineScheduler } from '../../../drivers/modbus/index.js';
import { openSerialLink } from '../../../drivers/transport/serial.js';
import { systemClock } from '../../../drivers/types.js';
import { PtyPair } from '../../simulators/modbus/pty-pair.js';
import { SimulatedModbusLine } from '../../simulators/modbus/simulated-line.js';
import { percentile, sleep, waitUntil, type Scenario } from '../lib/suite.js';

/** Open PTY descriptors of this process (other scenarios running alongside open sockets, never PTYs). */
const fds = () => readdirSync('/proc/self/fd').filter((f) => { try { return readlinkSync(`/proc/self/fd/${f}`).startsWith('/dev/pts/'); } catch { return false; } }).length;

const newSim = () => new SimulatedModbusLine({ units: new Map([[1, { holding: { 0: 0, 1: 0 } }]]) });

interface Poller { n: number; ok: number; failed: number; wrong: number; lastOk: number; maxGapMs: number; done: Promise<void> }

/** Polls unit 1 of `line` every 30 ms until `stopped()`; each poll first writes its number into the registers. */
function poll(line: LineScheduler, sim: () => SimulatedModbusLine, stopped: () => boolean, gapFrom: () => number): Poller {
  const p: Poller = { n: 0, ok: 0, failed: 0, wrong: 0, lastOk: 0, maxGapMs: 0, done: Promise.resolve() };
  p.done = (async () => {
    while (!stopped()) {
      p.n += 1;
      const want = [p.n & 0xffff, (p.n * 3) & 0xffff];
      sim().setRegister(1, 'holding', 0, want[0]!);
      sim().setRegister(1, 'holding', 1, want[1]!);
      try {
        const r = await line.request({ unit: 1, fc: 3, address: 0, count: 2 });
        const now = Date.now();
        if (p.lastOk > 0 && p.lastOk >= gapFrom()) p.maxGapMs = Math.max(p.maxGapMs, now - p.lastOk);
        p.ok += 1;
        p.lastOk = now;
        if (r.kind !== 'registers' || r.values.join() !== want.join()) p.wrong += 1;
      } catch {
        p.failed += 1;
      }
      await sleep(30);
    }
  })();
  return p;
}

export const serial: Scenario = {
  id: 'serial', item: 9, title: 'serial adapter unplug/replug cycles', sizes: 'CI 20 cycles; --full 100', background: true,
  async run(ctx) {
    const cycles = ctx.full ? 100 : 20;
    const dir = ctx.tmp('serial');
    const log = pino({ level: 'silent' });
    const pty = new PtyPair(join(dir, 'a'), join(dir, 'b'));
    await pty.start();
    ctx.defer(() => pty.stop());
    let sim = newSim();
    await sim.attach(pty.b);
    ctx.defer(() => sim.close());
    // The neighbour: another adapter on the same box, never unplugged.
    const pty2 = new PtyPair(join(dir, 'c'), join(dir, 'd'));
    await pty2.start();
    ctx.defer(() => pty2.stop());
    const sim2 = newSim();
    await sim2.attach(pty2.b);
    ctx.defer(() => sim2.close());
    const line = new LineScheduler({ id: 'rs485-test', link: { path: pty.a, baud: 9600, parity: 'none', stopBits: 1, dataBits: 8 },
      timing: { timeoutMs: 100, retries: 0, interFrameGapMs: 0 }, openLink: openSerialLink, logger: log, clock: systemClock });
    const line2 = new LineScheduler({ id: 'rs485-neighbour', link: { path: pty2.a, baud: 9600, parity: 'none', stopBits: 1, dataBits: 8 },
      timing: { timeoutMs: 100, retries: 0, interFrameGapMs: 0 }, openLink: openSerialLink, logger: log, clock: systemClock });
    await line.start();
    ctx.defer(() => line.stop());
    await line2.start();
    ctx.defer(() => line2.stop());
    const events: Array<{ up: boolean; at: number }> = [];
    line.onLinkChange((up) => events.push({ up, at: Date.now() }));
    let events2 = 0;
    line2.onLinkChange(() => { events2 += 1; });
    await sleep(300);
    const fdsBefore = fds();
    let stop = false;
    const cyclesFrom = Date.now();
    const p1 = poll(line, () => sim, () => stop, () => Number.POSITIVE_INFINITY);
    const p2 = poll(line2, () => sim2, () => stop, () => cyclesFrom);
    const recoveries: number[] = [];
    const detections: number[] = [];
    const badCycles: string[] = [];
    let unrecovered = 0;
    const t0 = Date.now();
    for (let c = 0; c < cycles; c++) {
      await sleep(150 + Math.random() * 350);
      const unplugAt = Date.now();
      const seen = events.length;
      await pty.stop();
      await sim.close();
      await sleep(200 + Math.random() * 1300);
      await pty.start();
      const replugAt = Date.now();
      sim = newSim();
      await sim.attach(pty.b);
      try {
        await waitUntil(() => p1.lastOk > replugAt, 'a good poll after the replug', 5000, 10);
        recoveries.push(p1.lastOk - replugAt);
      } catch {
        unrecovered += 1;
      }
      const mine = events.slice(seen);
      const down = mine.filter((e) => !e.up);
      const up = mine.filter((e) => e.up);
      if (down[0]) detections.push(down[0].at - unplugAt);
      if (down.length !== 1 || up.length !== 1 || mine[0]?.up !== false || mine.at(-1)?.up !== true) {
        badCycles.push(`cycle ${c + 1}: ${mine.map((e) => (e.up ? 'online' : 'offline')).join(',') || 'no event'}`);
      }
    }
    const cycleMs = (Date.now() - t0) / cycles;
    await sleep(500);
    stop = true;
    await Promise.all([p1.done, p2.done]);
    const fdsAfter = fds();
    const lost = line.health.counters.linkLost;
    const lost2 = line2.health.counters.linkLost;
    ctx.figure('cycles', cycles);
    ctx.figure('cycleMeanMs', cycleMs);
    ctx.figure('polls', p1.n);
    ctx.figure('ok', p1.ok);
    ctx.figure('failed', p1.failed);
    ctx.figure('wrongValues', p1.wrong);
    ctx.figure('detectP50Ms', percentile(detections, 50));
    ctx.figure('detectMaxMs', Math.max(0, ...detections));
    ctx.figure('recoveryP50Ms', percentile(recoveries, 50));
    ctx.figure('recoveryMaxMs', Math.max(0, ...recoveries));
    ctx.figure('offlineEvents', events.filter((e) => !e.up).length);
    ctx.figure('onlineEvents', events.filter((e) => e.up).length);
    ctx.figure('linkLostCounted', lost);
    ctx.figure('neighbourPolls', p2.n);
    ctx.figure('neighbourOk', p2.ok);
    ctx.figure('neighbourFailed', p2.failed);
    ctx.figure('neighbourMaxGapMs', p2.maxGapMs);
    ctx.figure('fdBefore', fdsBefore);
    ctx.figure('fdDelta', fdsAfter - fdsBefore);
    ctx.check('every unplug detected within 2 s', detections.length === cycles && detections.every((d) => d <= 2000),
      `${detections.length}/${cycles} detected, p50 ${percentile(detections, 50)} ms, max ${Math.max(0, ...detections)} ms`);
    ctx.check('a good poll within 3 s of every replug', unrecovered === 0 && recoveries.length === cycles && recoveries.every((r) => r <= 3000),
      `${recoveries.length}/${cycles} recovered, max ${Math.max(0, ...recoveries)} ms, ${unrecovered} never`);
    ctx.check('one offline and one online event per cycle', badCycles.length === 0 && events.length === 2 * cycles,
      badCycles.slice(0, 5).join('; ') || `${cycles} × offline, online (${events.length} events)`);
    ctx.check('0 wrong values accepted', p1.wrong === 0 && p1.ok > 0, `${p1.wrong} wrong of ${p1.ok}`);
    ctx.check('every unplug counted', lost === cycles, `linkLost ${lost} for ${cycles} unplugs`);
    ctx.check('the other line unaffected (every poll good, no link event)',
      p2.ok > 0 && p2.failed === 0 && p2.wrong === 0 && lost2 === 0 && events2 === 0,
      `${p2.ok}/${p2.n} polls good, ${p2.failed} failed, ${p2.wrong} wrong, linkLost ${lost2}, ${events2} link events, longest gap between good polls ${p2.maxGapMs} ms`);
    ctx.check('no file descriptor leak (PTY fds back to baseline)', fdsAfter - fdsBefore <= 0 && fdsBefore > 0,
      `${fdsBefore} → ${fdsAfter} open /dev/pts descriptors`);
  },
};
