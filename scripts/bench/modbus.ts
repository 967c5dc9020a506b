/**
 * Modbus RTU on a baud-accurate simulated line: the real LineScheduler + LinePoller of drivers/modbus against
 * a SimulatedModbusLine that delays each reply by the request's and the reply's wire time plus a turnaround
 * of the 3.5-character end-of-frame silence (a slave cannot answer before it has seen the frame end).
 *
 * Physical minimum of one transaction (Modbus over Serial Line V1.02 §2.5.1.1, 11 bits per character):
 *   wire(request) + t3.5 + wire(reply) + t3.5
 * Figures: cycle over 30 units vs 30 × that minimum (target ≤ 1.02), overhead per transaction, and the cycle
 * with one dead unit of 30 vs without (target ≤ 1.10; the poller's quarantine is what makes this hold).
 */
import type { Logger } from 'pino';
import { profileSchema, serialLineSchema } from '../../config/schema.js';
import { LinePoller } from '../../drivers/modbus/line-poller.js';
import { LineScheduler } from '../../drivers/modbus/line-scheduler.js';
import { silenceMs, wireMs } from '../../drivers/modbus/timing.js';
import { systemClock } from '../../drivers/types.js';
import { SimulatedModbusLine } from '../../tests/simulators/modbus/simulated-line.js';
import { linkPair } from '../../tests/simulators/estate/link-pair.js';
import { figure, type Figure, type Target } from './stats.js';

const BAUD = 9600;
const UNITS = 30;
const REGISTERS = 5;
// 8E1: 11 bits per character, as the Modbus serial line spec counts an RTU character (§2.5.1).
const LINK = { baud: BAUD, dataBits: 8 as const, parity: 'even' as const, stopBits: 1 as const };
// The simulator times replies as 10-bit characters (8N1): give it the baud that makes them 11-bit long.
const SIM_BAUD = (BAUD * 10) / 11;
const T_CYCLE: Target = { of: 'ratio', op: '<=', limit: 1.02 };
const T_DEAD: Target = { of: 'ratio', op: '<=', limit: 1.1 };

export const MODBUS_FIGURES: Array<[string, string, Target | undefined]> = [
  ['modbus cycle, 30 units', 'ms', T_CYCLE],
  ['modbus overhead per transaction', 'ms', undefined],
  ['modbus cycle with 1 dead unit of 30', 'ms', T_DEAD],
];

/** Bytes of an FC3 request and of its reply for `n` registers. */
export function fc3Bytes(n: number): { request: number; reply: number } {
  return { request: 8, reply: 5 + 2 * n };
}

export function physicalTransactionMs(n: number): number {
  const b = fc3Bytes(n);
  return wireMs(b.request, LINK) + silenceMs(LINK) + wireMs(b.reply, LINK) + silenceMs(LINK);
}

const profile = profileSchema.parse({
  model: 'bench-unit', description: 'bench: five fast holding registers', type: 'charging-point', protocol: 'modbus-rtu', offlineAfterS: 5,
  points: Array.from({ length: REGISTERS }, (_, i) => ({ name: `r${i}`, table: 'holding', address: i, pollClass: 'fast' })),
});

/** Runs the poller back to back for `measureMs` after `warmMs`; returns the mean fast-cycle time. */
async function meanCycle(logger: Logger, dead: number | undefined, warmMs: number, measureMs: number): Promise<number> {
  const units = new Map(Array.from({ length: UNITS }, (_, i) => [i + 1, { holding: { 0: 1, 1: 2, 2: 3, 3: 4, 4: 5 } }]));
  const sim = new SimulatedModbusLine({ units, baud: SIM_BAUD, turnaroundMs: silenceMs(LINK) });
  const [boxEnd, simEnd] = linkPair('/bench/rs485');
  await simEnd.open();
  sim.connect(simEnd);
  if (dead !== undefined) sim.setSilent(dead, true);
  const config = serialLineSchema.parse({ id: 'bench', path: '/bench/rs485', baud: BAUD, parity: 'even', fastPollMs: 50, slowPollMs: 3_600_000 });
  const scheduler = new LineScheduler({ id: 'bench', link: { path: config.path, ...LINK }, timing: config, openLink: () => boxEnd, logger, clock: systemClock });
  const noop = () => undefined;
  const poller = new LinePoller({
    line: scheduler, config, facts: { reading: noop, event: noop, availability: noop }, clock: systemClock, logger,
    devices: Array.from({ length: UNITS }, (_, i) => ({ id: `u${i + 1}`, unit: i + 1, profile })),
  });
  await scheduler.start();
  poller.start();
  try {
    await new Promise((r) => setTimeout(r, warmMs));
    const a = poller.cycleStats().fast;
    await new Promise((r) => setTimeout(r, measureMs));
    const b = poller.cycleStats().fast;
    const cycles = b.count - a.count;
    if (cycles <= 0 || a.avgMs === null || b.avgMs === null) throw new Error('no poll cycle completed');
    return (b.avgMs * b.count - a.avgMs * a.count) / cycles;
  } finally {
    await poller.stop();
    await scheduler.stop();
    await sim.close();
  }
}

export async function modbusFigures(o: { logger: Logger; quick: boolean }): Promise<Figure[]> {
  const perTx = physicalTransactionMs(REGISTERS);
  const physicalCycle = perTx * UNITS;
  const healthy = await meanCycle(o.logger, undefined, o.quick ? 2000 : 5000, o.quick ? 5000 : 20_000);
  // The dead unit's quarantine backs off to 30 s: measure after it has got there.
  const withDead = await meanCycle(o.logger, 17, o.quick ? 10_000 : 75_000, o.quick ? 10_000 : 60_000);
  return [
    figure('modbus cycle, 30 units', healthy, 'ms', { baseline: physicalCycle, target: T_CYCLE,
      note: `${BAUD} baud 8E1 (11 bits/char), FC3 × ${REGISTERS} registers per unit; baseline = 30 × (wire(req) + t3.5 + wire(reply) + t3.5)` }),
    figure('modbus overhead per transaction', healthy / UNITS - perTx, 'ms', { baseline: perTx, note: 'measured per-transaction time minus the physical minimum; interFrameGapMs at its config default (0)' }),
    figure('modbus cycle with 1 dead unit of 30', withDead, 'ms', { baseline: healthy, target: T_DEAD,
      note: 'unit 17 silent; timeoutMs 300, retries 1, quarantine backoff to 30 s; measured after the backoff settles' }),
  ];
}
