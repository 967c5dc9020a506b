/**
 * Item 15 — Modbus RTU under line faults. The real LineScheduler (framing, CRC, reply-vs-request checks,
 * stale guard) talks through an in-memory fault proxy (a MockLink whose device side is the simulator's
 * ModbusSlave) that spoils 10 % of the replies: a flipped byte (bad CRC), truncation, garbage around the
 * frame, a wrong unit (valid CRC), or a late reply (after the timeout, inside the stale guard). Before each
 * request the slave's registers are set to values that encode the request number, so a stale or foreign
 * reply accepted for a later request is a detected wrong value. Retries are 0: each request is one attempt,
 * so "resync within one request" means the first clean request after a spoiled one succeeds.
 * (tests/simulators/modbus/fault-proxy.ts does the same over socat PTYs with a pymodbus slave but has no
 * wrong-unit fault and runs at PTY speed; this one runs 10,000 polls in CI-sized time.)
 */
import { pino } from 'pino';
import { LineScheduler, withCrc, type ModbusRequest } from '../../../drivers/modbus/index.js';
import { MockLink } from '../../../drivers/transport/mock.js';
import { systemClock } from '../../../drivers/types.js';
import { isQinheError } from '../../../runtime/core/errors.js';
import { ModbusSlave } from '../../simulators/modbus/slave.js';
import { UnitMemory } from '../../simulators/modbus/unit-memory.js';
import type { Scenario } from '../lib/suite.js';

type Fault = 'crc' | 'truncate' | 'garbage' | 'wrong-unit' | 'late' | 'forged';
const FAULTS: Fault[] = ['crc', 'truncate', 'garbage', 'wrong-unit', 'late'];
const TIMEOUT_MS = 40;
const GUARD_MS = 60;

export const modbus: Scenario = {
  id: 'modbus', item: 15, title: 'Modbus polls through a fault proxy', sizes: 'CI 2,000 polls; --full 10,000; 10 % spoiled replies',
  async run(ctx) {
    const polls = ctx.full ? 10_000 : 2_000;
    const units = new Map<number, UnitMemory>([1, 2, 3].map((u) => [u, new UnitMemory({}, 10_000)] as const));
    const slave = new ModbusSlave(units);
    const applied: Record<Fault | 'clean', number> = { clean: 0, crc: 0, truncate: 0, garbage: 0, 'wrong-unit': 0, late: 0, forged: 0 };
    let pendingFault: Fault | null = null;
    const link = new MockLink({ path: '/dev/faulty', baud: 9600, parity: 'none', stopBits: 1, dataBits: 8 });
    const timers = new Set<NodeJS.Timeout>();
    ctx.defer(() => { for (const t of timers) clearTimeout(t); });
    const later = (ms: number, fn: () => void) => { const t = setTimeout(() => { timers.delete(t); fn(); }, ms); timers.add(t); };
    link.respond = (frame, l) => {
      const reply = slave.handle(frame);
      if (!reply) return;
      const fault = pendingFault;
      pendingFault = null;
      const r = Buffer.from(reply);
      applied[fault ?? 'clean'] += 1;
      switch (fault) {
        case null: later(1, () => l.inject(r)); break;
        case 'crc': { const i = 2 + Math.floor(Math.random() * (r.length - 2)); r[i] = r[i]! ^ (1 + Math.floor(Math.random() * 255)); later(1, () => l.inject(r)); break; }
        case 'truncate': later(1, () => l.inject(r.subarray(0, Math.max(1, r.length - 1 - Math.floor(Math.random() * 3))))); break;
        case 'garbage': later(1, () => l.inject(Buffer.concat([Buffer.from([0x00, 0xff, 0x13, 0x37].slice(0, 1 + Math.floor(Math.random() * 4))), r,
          Buffer.from([Math.floor(Math.random() * 256)])]))); break;
        case 'wrong-unit': { const body = Buffer.from(r.subarray(0, r.length - 2)); body[0] = body[0] === 3 ? 1 : body[0]! + 1; later(1, () => l.inject(withCrc(body))); break; }
        case 'late': later(TIMEOUT_MS + 5 + Math.random() * (GUARD_MS - 15), () => l.inject(r)); break;
        // Control only: a well-formed reply whose values are off by one (what an undetectable stale reply looks
        // like); the line must accept it and the value check must count it.
        case 'forged': { const body = Buffer.from(r.subarray(0, r.length - 2)); body[body.length - 1] = body[body.length - 1]! ^ 1; later(1, () => l.inject(withCrc(body))); break; }
      }
    };
    const line = new LineScheduler({ id: 'faults', link: link.options, timing: { timeoutMs: TIMEOUT_MS, retries: 0, interFrameGapMs: 0 },
      openLink: () => link, logger: pino({ level: 'silent' }), clock: systemClock, staleGuardMs: GUARD_MS });
    await line.open();
    ctx.defer(() => line.stop());
    let accepted = 0;
    let failed = 0;
    let wrong = 0;
    let resyncMiss = 0;
    let cleanAfterFault = 0;
    const examples: string[] = [];
    const codes: Record<string, number> = {};
    let prevFaulted = false;
    const t0 = Date.now();
    for (let i = 1; i <= polls; i++) {
      const unit = 1 + (Math.floor(i / 7) % 3);
      const fc = Math.floor(i / 3) % 2 === 0 ? 3 : 4;
      const address = (i * 13) % 200;
      const count = 1 + (i % 4);
      const want = Array.from({ length: count }, (_, k) => (i * 8 + k) & 0xffff);
      for (let k = 0; k < count; k++) units.get(unit)!.set(fc === 3 ? 'holding' : 'input', address + k, want[k]!);
      const faulted = Math.random() < 0.1;
      pendingFault = faulted ? FAULTS[Math.floor(Math.random() * FAULTS.length)]! : null;
      const req: ModbusRequest = { unit, fc, address, count };
      try {
        const reply = await line.request(req);
        accepted += 1;
        if (reply.kind !== 'registers' || reply.values.join() !== want.join()) {
          wrong += 1;
          if (examples.length < 5) examples.push(`#${i} ${JSON.stringify(req)} got ${JSON.stringify(reply)} want ${want.join()}`);
        }
        if (prevFaulted && !faulted) cleanAfterFault += 1;
      } catch (err) {
        failed += 1;
        const code = isQinheError(err) ? err.code : String(err);
        codes[code] = (codes[code] ?? 0) + 1;
        if (prevFaulted && !faulted) { cleanAfterFault += 1; resyncMiss += 1; }
      }
      prevFaulted = faulted;
    }
    const seconds = (Date.now() - t0) / 1000;
    // Control: 20 forged replies must show up as 20 wrong values, or the value check proves nothing.
    let forgedWrong = 0;
    for (let i = polls + 1; i <= polls + 20; i++) {
      const want = [(i * 8) & 0xffff];
      units.get(1)!.set('holding', 5, want[0]!);
      pendingFault = 'forged';
      const reply = await line.request({ unit: 1, fc: 3, address: 5, count: 1 }).catch(() => null);
      if (reply && (reply.kind !== 'registers' || reply.values.join() !== want.join())) forgedWrong += 1;
    }
    for (const e of examples) ctx.log(`wrong value: ${e}`);
    const spoiled = FAULTS.reduce((n, f) => n + applied[f], 0);
    ctx.figure('polls', polls);
    ctx.figure('spoiled', spoiled);
    ctx.figure('faults', FAULTS.map((f) => `${f}:${applied[f]}`).join(' '));
    ctx.figure('accepted', accepted);
    ctx.figure('failed', failed);
    ctx.figure('failureCodes', Object.entries(codes).map(([c, n]) => `${c}:${n}`).join(' '));
    ctx.figure('wrongValuesAccepted', wrong);
    ctx.figure('cleanRequestsAfterAFault', cleanAfterFault);
    ctx.figure('resyncMisses', resyncMiss);
    ctx.figure('pollsPerS', polls / seconds);
    ctx.check('control: 20 forged replies counted as 20 wrong values', forgedWrong === 20, `${forgedWrong}/20`);
    ctx.check('faults really applied (≈10 %)', spoiled >= polls * 0.07 && FAULTS.every((f) => applied[f] > 0), `${spoiled} of ${polls}`);
    ctx.check('0 wrong values accepted', wrong === 0, `${wrong} wrong of ${accepted} accepted`);
    ctx.check('resync within one request', resyncMiss === 0, `${resyncMiss} of ${cleanAfterFault} clean requests after a fault failed`);
  },
};
