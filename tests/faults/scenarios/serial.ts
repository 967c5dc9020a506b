/**
 * Item 9 — serial unplug/replug. A real LineScheduler on a socat PTY (SerialLink) polls a simulated unit;
 * socat is killed (both ends get EIO, as an unplugged USB adapter does) and restarted on the same paths, cycle
 * after cycle. Checked: every replug is followed by a good poll within 3 s (the reopen backoff is 250 ms
 * doubling to 2 s), no wrong value is ever accepted (each poll's registers encode its number), the line counts
 * every loss, and the process does not leak file descriptors.
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

export const serial: Scenario = {
  id: 'serial', item: 9, title: 'serial adapter unplug/replug cycles', sizes: 'CI 8 cycles; --full 100', background: true,
  async run(ctx) {
    const cycles = ctx.full ? 100 : 8;
    const dir = ctx.tmp('serial');
    const pty = new PtyPair(join(dir, 'a'), join(dir, 'b'));
    await pty.start();
    ctx.defer(() => pty.stop());
    let sim = new SimulatedModbusLine({ units: new Map([[1, { holding: { 0: 0, 1: 0 } }]]) });
    await sim.attach(pty.b);
    ctx.defer(() => sim.close());
    const line = new LineScheduler({ id: 'rs485-test', link: { path: pty.a, baud: 9600, parity: 'none', stopBits: 1, dataBits: 8 },
      timing: { timeoutMs: 100, retries: 0, interFrameGapMs: 0 }, openLink: openSerialLink, logger: pino({ level: 'silent' }), clock: systemClock });
    await line.start();
    ctx.defer(() => line.stop());
    await sleep(300);
    const fdsBefore = fds();
    let n = 0;
    let ok = 0;
    let failed = 0;
    let wrong = 0;
    let lastOk = 0;
    let stop = false;
    const poller = (async () => {
      while (!stop) {
        n += 1;
        const want = [n & 0xffff, (n * 3) & 0xffff];
        sim.setRegister(1, 'holding', 0, want[0]!);
        sim.setRegister(1, 'holding', 1, want[1]!);
        try {
          const r = await line.request({ unit: 1, fc: 3, address: 0, count: 2 });
          ok += 1;
          lastOk = Date.now();
          if (r.kind !== 'registers' || r.values.join() !== want.join()) wrong += 1;
        } catch {
          failed += 1;
        }
        await sleep(30);
      }
    })();
    const recoveries: number[] = [];
    let unrecovered = 0;
    for (let c = 0; c < cycles; c++) {
      await sleep(300 + Math.random() * 700);
      await pty.stop();
      await sim.close();
      await sleep(200 + Math.random() * 1300);
      await pty.start();
      const replugAt = Date.now();
      sim = new SimulatedModbusLine({ units: new Map([[1, { holding: { 0: 0, 1: 0 } }]]) });
      await sim.attach(pty.b);
      try {
        await waitUntil(() => lastOk > replugAt, 'a good poll after the replug', 5000, 10);
        recoveries.push(lastOk - replugAt);
      } catch {
        unrecovered += 1;
      }
    }
    await sleep(500);
    stop = true;
    await poller;
    const fdsAfter = fds();
    const lost = line.health.counters.linkLost;
    ctx.figure('cycles', cycles);
    ctx.figure('polls', n);
    ctx.figure('ok', ok);
    ctx.figure('failed', failed);
    ctx.figure('wrongValues', wrong);
    ctx.figure('recoveryP50Ms', percentile(recoveries, 50));
    ctx.figure('recoveryMaxMs', Math.max(0, ...recoveries));
    ctx.figure('linkLostCounted', lost);
    ctx.figure('fdDelta', fdsAfter - fdsBefore);
    ctx.check('a good poll within 3 s of every replug', unrecovered === 0 && recoveries.every((r) => r <= 3000),
      `${recoveries.length}/${cycles} recovered, max ${Math.max(0, ...recoveries)} ms, ${unrecovered} never`);
    ctx.check('0 wrong values accepted', wrong === 0 && ok > 0, `${wrong} wrong of ${ok}`);
    ctx.check('every unplug counted', lost === cycles, `linkLost ${lost} for ${cycles} unplugs`);
    ctx.check('no file descriptor leak (PTY fds)', fdsAfter - fdsBefore <= 0, `${fdsBefore} → ${fdsAfter} open /dev/pts descriptors`);
  },
};
