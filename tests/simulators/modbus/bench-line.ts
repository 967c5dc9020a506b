/**
 * Modbus line bench on a simulated line (socat PTY pair + SimulatedModbusLine emulating 9600 bit/s wire time
 * and a slave turnaround). Two figures:
 *   - overhead per transaction: measured transaction time minus what the wire and the slave must take
 *     (request + reply wire time, turnaround, the 3.5-character silence), plus the process CPU per transaction;
 *   - dead-unit cycle stretch: mean fast-cycle time of N units with one unit silent vs an identical line with
 *     all answering, polled side by side so both see the same CPU load.
 * Run: node --import tsx tests/simulators/modbus/bench-line.ts [--units 30] [--seconds 60] [--transactions 500]
 * Needs socat. The bench issue reuses measureOverhead() and measureDeadUnitStretch().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { profileSchema, serialLineSchema } from '../../../config/schema.js';
import { createModbusDriver, LineScheduler, type ModbusDriver } from '../../../drivers/modbus/index.js';
import { silenceMs, wireMs } from '../../../drivers/modbus/timing.js';
import { MockLink } from '../../../drivers/transport/mock.js';
import { openSerialLink } from '../../../drivers/transport/serial.js';
import { systemClock, type ResolvedDevice } from '../../../drivers/types.js';
import { PtyPair } from './pty-pair.js';
import { SimulatedModbusLine } from './simulated-line.js';
import { ModbusSlave } from './slave.js';
import { UnitMemory } from './unit-memory.js';

const LINK = { baud: 9600, parity: 'none' as const, stopBits: 1 as const, dataBits: 8 as const };
const quiet = pino({ level: 'silent' });

async function withLine<T>(units: number, turnaroundMs: number, fn: (path: string, sim: SimulatedModbusLine) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'qinhe-bench-'));
  const pair = new PtyPair(join(dir, 'master'), join(dir, 'slave'));
  await pair.start();
  const sim = new SimulatedModbusLine({
    units: new Map(Array.from({ length: units }, (_, i) => [i + 1, { input: { 0: 200 + i, 1: 1000 + i } }])),
    baud: LINK.baud, turnaroundMs,
  });
  try {
    await sim.attach(pair.b);
    return await fn(pair.a, sim);
  } finally {
    await sim.close();
    await pair.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface OverheadResult {
  transactions: number;
  meanMs: number;
  floorMs: number;
  overheadMs: number;
  cpuUsPerTx: number;
}

/** Sequential reads of 2 input registers; floor = wire(8) + turnaround + wire(9) + t3.5. */
export async function measureOverhead(transactions = 500, turnaroundMs = 2): Promise<OverheadResult> {
  return withLine(1, turnaroundMs, async (path) => {
    const line = new LineScheduler({
      id: 'bench', link: { path, ...LINK }, timing: { timeoutMs: 300, retries: 0, interFrameGapMs: 0 },
      openLink: openSerialLink, logger: quiet, clock: systemClock,
    });
    await line.open();
    for (let i = 0; i < 20; i++) await line.request({ unit: 1, fc: 4, address: 0, count: 2 });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < transactions; i++) await line.request({ unit: 1, fc: 4, address: 0, count: 2 });
    const elapsed = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await line.stop();
    const meanMs = elapsed / transactions;
    const floorMs = wireMs(8, LINK) + turnaroundMs + wireMs(9, LINK) + silenceMs(LINK);
    return { transactions, meanMs: r2(meanMs), floorMs: r2(floorMs), overheadMs: r2(meanMs - floorMs), cpuUsPerTx: Math.round((cpu.user + cpu.system) / transactions) };
  });
}

/** CPU per transaction of the master alone: mock link, slave answering on the next tick, no serial I/O. */
export async function measureMasterCpu(transactions = 2000): Promise<{ transactions: number; cpuUsPerTx: number }> {
  const slave = new ModbusSlave(new Map([[1, new UnitMemory({ input: { 0: 1, 1: 2 } })]]));
  const line = new LineScheduler({
    id: 'bench-mock', link: { path: '/dev/null', baud: 115200, parity: 'none', stopBits: 1, dataBits: 8 },
    timing: { timeoutMs: 300, retries: 0, interFrameGapMs: 0 }, logger: quiet, clock: systemClock,
    openLink: (o) => {
      const link = new MockLink(o);
      link.respond = (frame, l) => { const r = slave.handle(frame); if (r) setImmediate(() => l.inject(r)); };
      return link;
    },
  });
  await line.open();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < transactions; i++) await line.request({ unit: 1, fc: 4, address: 0, count: 2 });
  const cpu = process.cpuUsage(cpu0);
  await line.stop();
  return { transactions, cpuUsPerTx: Math.round((cpu.user + cpu.system) / transactions) };
}

export interface StretchResult {
  units: number;
  seconds: number;
  aliveCycles: number;
  aliveMeanMs: number;
  aliveMedianMs: number;
  deadCycles: number;
  deadMeanMs: number;
  deadMedianMs: number;
  /** Timeouts of the dead unit (first detection with its retry, then one per quarantine probe). */
  deadTimeouts: number;
  /** Mean fast-cycle time with the dead unit vs without, in %. */
  stretchPct: number;
  /** Line time spent on the dead unit (timeouts × (timeout + reply wire + stale guard)) / elapsed, in %. */
  deadLineTimePct: number;
}

/**
 * Two identical lines of N units polled side by side (same CPU conditions, which matters on a shared box):
 * on one, a unit is silent from the start of the measurement. One fast block per unit, line defaults
 * (timeoutMs 300, retries 1, fastPollMs 1000, stale guard = timeoutMs, quarantine 2 s doubling to 30 s).
 */
export async function measureDeadUnitStretch(units = 30, seconds = 60, turnaroundMs = 5): Promise<StretchResult> {
  return withLine(units, turnaroundMs, (alivePath) => withLine(units, turnaroundMs, async (deadPath, deadSim) => {
    const profile = profileSchema.parse({
      model: 'bench-point', description: 'bench', type: 'heat', protocol: 'modbus-rtu', offlineAfterS: 5,
      points: [{ name: 'temperature', table: 'input', address: 0, pollClass: 'fast' }, { name: 'current', table: 'input', address: 1, pollClass: 'fast' }],
    });
    const facts = { reading: () => undefined, event: () => undefined, availability: () => undefined };
    const drive = (id: string, path: string) => {
      const devices: ResolvedDevice[] = Array.from({ length: units }, (_, i) => ({
        config: { id: `${id}-${i + 1}`, type: 'heat', profile: 'bench-point', zone: 'B1', address: `modbus-rtu://${path}?unit=${i + 1}` }, profile,
      }));
      const line = serialLineSchema.parse({ id, path, baud: 9600, slowPollMs: 3_600_000 });
      return createModbusDriver({ logger: quiet, facts, clock: systemClock, devices, credentials: () => undefined, dataDir: tmpdir() }, [line]) as ModbusDriver;
    };
    const alive = drive('alive', alivePath);
    const dead = drive('dead', deadPath);
    await alive.start(new AbortController().signal);
    await dead.start(new AbortController().signal);
    await new Promise((r) => setTimeout(r, 3000));
    deadSim.setSilent(Math.ceil(units / 2), true);
    const timeouts0 = dead.buses()[0]?.timeouts ?? 0;
    const t0 = performance.now();
    const [a, d] = await Promise.all([sampleCycles(alive, seconds), sampleCycles(dead, seconds)]);
    const elapsed = performance.now() - t0;
    const deadTimeouts = (dead.buses()[0]?.timeouts ?? 0) - timeouts0;
    await Promise.all([alive.stop(), dead.stop()]);
    const perTimeout = 300 + wireMs(9, LINK) + 300;
    return {
      units, seconds, aliveCycles: a.length, aliveMeanMs: r2(mean(a)), aliveMedianMs: r2(median(a)),
      deadCycles: d.length, deadMeanMs: r2(mean(d)), deadMedianMs: r2(median(d)), deadTimeouts,
      stretchPct: r2((mean(d) / mean(a) - 1) * 100),
      deadLineTimePct: r2((deadTimeouts * perTimeout * 100) / elapsed),
    };
  }));
}

/** Every fast-cycle duration for `seconds` (the poller keeps the last one; sampled often enough to see each). */
async function sampleCycles(driver: ModbusDriver, seconds: number): Promise<number[]> {
  const fast = () => (driver.buses()[0]?.cycles as { fast: { count: number; lastMs: number | null } }).fast;
  const out: number[] = [];
  let seen = fast().count;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    const f = fast();
    if (f.count > seen && f.lastMs !== null) out.push(f.lastMs);
    seen = f.count;
  }
  return out;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function r2(x: number): number {
  return Math.round(x * 100) / 100;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify({ masterCpu: await measureMasterCpu(), loadAverage: (await import('node:os')).loadavg() }));
  const overhead = await measureOverhead(arg('transactions', 500));
  console.log(JSON.stringify({ overhead }));
  const stretch = await measureDeadUnitStretch(arg('units', 30), arg('seconds', 60));
  console.log(JSON.stringify({ stretch }));
}
