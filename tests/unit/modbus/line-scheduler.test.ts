import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { isQinheError } from '../../../runtime/core/errors.js';
import { withCrc } from '../../../drivers/modbus/crc.js';
import type { LineScheduler } from '../../../drivers/modbus/line-scheduler.js';
import { MockLink } from '../../../drivers/transport/mock.js';
import type { LinkOptions } from '../../../drivers/transport/types.js';
import { silenceMs } from '../../../drivers/modbus/timing.js';
import { systemClock } from '../../../drivers/types.js';
import { mockBus, scheduler } from './helpers.js';

const open: LineScheduler[] = [];
afterEach(async () => { await Promise.all(open.splice(0).map((s) => s.stop())); });

function start(s: LineScheduler): LineScheduler {
  open.push(s);
  return s;
}

/** A link whose replies the test writes by hand. */
function manualLink() {
  let link: MockLink | undefined;
  const openLink = (o: LinkOptions) => (link = new MockLink(o));
  return { openLink, get link(): MockLink { if (!link) throw new Error('not opened'); return link; } };
}

function regReply(unit: number, fc: number, values: number[]): Buffer {
  return withCrc(Uint8Array.from([unit, fc, values.length * 2, ...values.flatMap((v) => [v >> 8, v & 0xff])]));
}

async function code(p: Promise<unknown>): Promise<string> {
  try { await p; return 'resolved'; } catch (err) { return isQinheError(err) ? err.code : String(err); }
}

describe('LineScheduler', () => {
  it('reads registers through the mock link', async () => {
    const bus = mockBus({ 3: { holding: { 10: 0x1234, 11: 7 } } });
    const s = start(scheduler(bus.openLink));
    await s.open();
    expect(await s.request({ unit: 3, fc: 3, address: 10, count: 2 })).toEqual({ kind: 'registers', values: [0x1234, 7] });
    expect(s.health.counters.txOk).toBe(1);
  });

  it('serves actuation before commands before polls, one transaction at a time', async () => {
    const m = manualLink();
    const s = start(scheduler(m.openLink));
    await s.open();
    const first = s.request({ unit: 1, fc: 3, address: 0, count: 1 });
    await new Promise((r) => setImmediate(r));
    const poll = s.request({ unit: 2, fc: 3, address: 0, count: 1 }, { priority: 'poll' });
    const command = s.request({ unit: 3, fc: 3, address: 0, count: 1 }, { priority: 'command' });
    const actuation = s.request({ unit: 4, fc: 5, address: 0, value: true }, { priority: 'actuation' });
    expect(m.link.written.length).toBe(1);
    m.link.respond = (frame, link) => setImmediate(() => link.inject(frame[1] === 5 ? frame : regReply(frame[0] ?? 0, 3, [frame[0] ?? 0])));
    m.link.inject(regReply(1, 3, [1]));
    await Promise.all([first, poll, command, actuation]);
    expect(m.link.written.map((f) => f[0])).toEqual([1, 4, 3, 2]);
  });

  it('retries a request whose reply failed its CRC and flushes before the retry', async () => {
    const bus = mockBus({ 5: { input: { 0: 99 } } });
    bus.slave.fault(5, { badCrc: true });
    const s = start(scheduler(bus.openLink));
    await s.open();
    const reply = s.request({ unit: 5, fc: 4, address: 0, count: 1 });
    await new Promise((r) => setTimeout(r, 5));
    bus.slave.fault(5, { badCrc: false });
    expect(await reply).toEqual({ kind: 'registers', values: [99] });
    expect(s.health.counters.crcErrors).toBeGreaterThanOrEqual(1);
    expect(bus.links[0]?.flushes).toBeGreaterThanOrEqual(2);
  });

  it('sends the next request only once the line has been silent for 3.5 characters since the last reply byte', async () => {
    // 9600 8E1: t3.5 = 4.01 ms, a wait setTimeout cannot time (whole milliseconds); the scheduler sleeps the
    // fraction in the kernel. A lower bound on the scheduler's own clock: it can only fail if a request goes early.
    const link9600 = { path: '/dev/ttyMOCK0', baud: 9600, parity: 'even', stopBits: 1, dataBits: 8 } as const;
    const m = manualLink();
    const s = start(scheduler(m.openLink, { link: link9600 }));
    await s.open();
    const sent: number[] = [];
    const replied: number[] = [];
    m.link.respond = (frame, link) => {
      sent.push(systemClock.mono());
      setImmediate(() => { replied.push(systemClock.mono()); link.inject(regReply(frame[0] ?? 0, 3, [1])); });
    };
    for (let i = 0; i < 15; i++) await s.request({ unit: 1 + (i % 3), fc: 3, address: 0, count: 1 });
    expect(sent).toHaveLength(15);
    for (let i = 1; i < sent.length; i++) expect((sent[i] ?? 0) - (replied[i - 1] ?? Infinity)).toBeGreaterThanOrEqual(silenceMs(link9600));
  });

  it('rejects an exception reply at once, without retrying', async () => {
    const bus = mockBus({ 6: {} });
    bus.slave.fault(6, { exception: 2 });
    const s = start(scheduler(bus.openLink));
    await s.open();
    expect(await code(s.request({ unit: 6, fc: 3, address: 0, count: 1 }))).toBe('QH_MODBUS_EXCEPTION');
    expect(bus.requestsTo(6)).toBe(1);
    expect(s.health.counters.exceptions).toBe(1);
  });

  it('times out a silent unit after its retries and counts each timeout', async () => {
    const bus = mockBus({ 7: {} });
    bus.slave.fault(7, { silent: true });
    const s = start(scheduler(bus.openLink));
    await s.open();
    expect(await code(s.request({ unit: 7, fc: 3, address: 0, count: 1 }, { retries: 2 }))).toBe('QH_MODBUS_TIMEOUT');
    expect(bus.requestsTo(7)).toBe(3);
    expect(s.health.counters.timeouts).toBe(3);
  });

  it('drains a late reply instead of taking it as the answer to the next request', async () => {
    const m = manualLink();
    const s = start(scheduler(m.openLink, { staleGuardMs: 250 }));
    await s.open();
    // Unit 1 answers each request 60 ms late (timeout is 40 ms): the reply to request N must never be taken
    // for request N+1, although both read one register of the same unit with the same function.
    m.link.respond = (frame, link) => {
      const address = frame.readUInt16BE(2);
      setTimeout(() => link.inject(regReply(1, 3, [1000 + address])), 60);
    };
    const accepted: [number, number][] = [];
    for (const address of [0, 1, 2]) {
      try {
        const r = await s.request({ unit: 1, fc: 3, address, count: 1 }, { retries: 0 });
        if (r.kind === 'registers') accepted.push([address, r.values[0] ?? -1]);
      } catch (err) {
        expect(isQinheError(err, 'QH_MODBUS_TIMEOUT')).toBe(true);
      }
    }
    for (const [address, value] of accepted) expect(value).toBe(1000 + address);
    expect(s.health.counters.timeouts).toBe(3);
    expect(s.health.counters.discardedBytes).toBeGreaterThan(0);
  });

  it('ignores a stray frame of another unit in the same chunk as the awaited reply', async () => {
    const m = manualLink();
    const s = start(scheduler(m.openLink));
    await s.open();
    m.link.respond = (_frame, link) => setImmediate(() => link.inject(Buffer.concat([Buffer.from([0xff, 0x00]), regReply(9, 3, [666]), regReply(2, 3, [42])])));
    expect(await s.request({ unit: 2, fc: 3, address: 0, count: 1 })).toEqual({ kind: 'registers', values: [42] });
  });

  it('rejects a reply with the right unit but the wrong length and retries', async () => {
    const m = manualLink();
    const s = start(scheduler(m.openLink));
    await s.open();
    let n = 0;
    m.link.respond = (_frame, link) => setImmediate(() => link.inject(++n === 1 ? regReply(2, 3, [5, 6]) : regReply(2, 3, [7])));
    expect(await s.request({ unit: 2, fc: 3, address: 0, count: 1 })).toEqual({ kind: 'registers', values: [7] });
    expect(s.health.counters.badReplies).toBe(1);
  });

  it('fails waiting requests when the adapter disappears and resumes after it is back', async () => {
    const bus = mockBus({ 1: { holding: { 0: 11 } } });
    const s = start(scheduler(bus.openLink));
    const changes: boolean[] = [];
    s.onLinkChange((up) => changes.push(up));
    await s.open();
    const link = bus.links[0];
    if (!link) throw new Error('no link');
    bus.slave.fault(1, { silent: true });
    const pending = s.request({ unit: 1, fc: 3, address: 0, count: 1 });
    const queued = s.request({ unit: 1, fc: 3, address: 0, count: 1 });
    await new Promise((r) => setImmediate(r));
    link.unplug();
    expect(await code(pending)).toBe('QH_SERIAL_GONE');
    expect(await code(queued)).toBe('QH_SERIAL_GONE');
    expect(await code(s.request({ unit: 1, fc: 3, address: 0, count: 1 }))).toBe('QH_SERIAL_GONE');
    bus.slave.fault(1, { silent: false });
    link.replug();
    // the scheduler opens a new link on the same path
    await vi_waitFor(() => s.isUp);
    expect(await s.request({ unit: 1, fc: 3, address: 0, count: 1 })).toEqual({ kind: 'registers', values: [11] });
    expect(changes).toEqual([true, false, true]);
    expect(s.health.counters.linkLost).toBe(1);
  });

  it('logs an unplug once and the return once, however many reopen attempts fail in between', async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'debug' }, { write: (s: string) => { lines.push(JSON.parse(s) as { level: number; msg: string }); } });
    const bus = mockBus({ 1: {} });
    const s = start(scheduler(bus.openLink, { logger, reopenMinMs: 5, reopenMaxMs: 5 }));
    await s.open();
    bus.unplug();
    await vi_waitFor(() => bus.links.length >= 6);
    expect(s.isUp).toBe(false);
    bus.replug();
    await vi_waitFor(() => s.isUp);
    const info = lines.filter((l) => l.level >= 30).map((l) => l.msg);
    expect(info.filter((m) => /lost/.test(m))).toHaveLength(1);
    expect(info.filter((m) => /back after/.test(m))).toHaveLength(1);
  });

  it('keeps the queue moving when a link operation throws unexpectedly', async () => {
    const bus = mockBus({ 1: { holding: { 0: 5 } } });
    const s = start(scheduler(bus.openLink));
    await s.open();
    const link = bus.links[0];
    if (!link) throw new Error('no link');
    const flush = link.flush.bind(link);
    let broken = true;
    link.flush = async () => { if (broken) { broken = false; throw new Error('tcflush: EIO'); } await flush(); };
    expect(await code(s.request({ unit: 1, fc: 3, address: 0, count: 1 }))).toMatch(/EIO/);
    expect(await s.request({ unit: 1, fc: 3, address: 0, count: 1 })).toEqual({ kind: 'registers', values: [5] });
  });

  it('rejects everything queued on stop and stop is idempotent', async () => {
    const m = manualLink();
    const s = start(scheduler(m.openLink));
    await s.open();
    const a = s.request({ unit: 1, fc: 3, address: 0, count: 1 });
    const b = s.request({ unit: 2, fc: 3, address: 0, count: 1 });
    await Promise.all([s.stop(), s.stop()]);
    expect(await code(b)).toBe('QH_MODBUS_LINE_STOPPED');
    expect(await code(a)).toBe('QH_MODBUS_LINE_STOPPED');
    expect(await code(s.request({ unit: 1, fc: 3, address: 0, count: 1 }))).toBe('QH_MODBUS_LINE_STOPPED');
  });
});

async function vi_waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error('condition not met');
}
