/**
 * Footprint of the box process itself: `qinhe run --config …` (the daemon path) with the 477-device Caima
 * estate, the simulators in another process (estate-host) and mosquitto local.
 *   start-up: spawn → the `box running` log line (node start, module load, store, uplink, drivers);
 *   RSS: /proc/PID/status VmRSS, highest sample over the steady window;
 *   CPU: /proc/PID/stat utime+stime over the steady window, as % of one core.
 * GPIO: `qinhe run` uses the config's backend (auto); on a machine without GPIO those 21 lines report offline.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { packageRoot } from '../../config/paths.js';
import { LocalBroker } from '../../runtime/demo/broker.js';
import { startBenchEstate } from './estate-proc.js';
import { figure, type Figure, type Target } from './stats.js';
import { environmentText, shippedEnvironment, shippedNodeFlags } from '../unit-node-flags.js';

const T_RSS: Target = { of: 'value', op: '<=', limit: 150 };
const T_CPU: Target = { of: 'value', op: '<=', limit: 5 };
const T_START: Target = { of: 'value', op: '<=', limit: 3000 };

export const FOOTPRINT_FIGURES: Array<[string, string, Target | undefined]> = [
  ['footprint RSS (477 devices)', 'MB', T_RSS], ['footprint CPU (477 devices)', '% of a core', T_CPU], ['start-up to ready', 'ms', T_START],
];

const TICKS_PER_S = 100; // USER_HZ on Linux

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat, after the command name). */
export function cpuSeconds(statText: string): number {
  const rest = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_S;
}

export function rssMb(statusText: string): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(statusText);
  return m?.[1] ? Number(m[1]) / 1024 : NaN;
}

/** The CLI entry the box process runs, with the unit's node flags: dist when the bench runs from dist, else the source through tsx. */
function cliCommand(): { args: string[]; fromSource: boolean; flags: string[]; env: Record<string, string> } {
  const self = fileURLToPath(import.meta.url);
  const flags = shippedNodeFlags(); // as the unit starts it
  const env = shippedEnvironment();
  if (self.endsWith('.js')) return { args: [...flags, join(packageRoot(), 'dist', 'runtime', 'cli', 'main.js')], fromSource: false, flags, env };
  return { args: [...flags, ...process.execArgv, join(packageRoot(), 'runtime', 'cli', 'main.ts')], fromSource: true, flags, env };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function footprint(o: { dir: string; logger: Logger; quick: boolean }): Promise<Figure[]> {
  const broker = new LocalBroker({ dir: o.dir, port: 0 });
  await broker.start();
  const estate = await startBenchEstate(o.dir, broker.url).catch(async (err: unknown) => { await broker.stop(); throw err; });
  const cli = cliCommand();
  const t0 = performance.now();
  const box = spawn(process.execPath, [...cli.args, 'run', '--config', estate.paths.configFile, '--log-level', 'info'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...cli.env } }); // as the unit starts it
  box.stderr?.resume(); // warnings only; never let a full pipe block the box
  try {
    const startMs = await new Promise<number>((resolve, reject) => {
      let out = '';
      const t = setTimeout(() => reject(new Error('the box did not log "box running" within 60 s')), 60_000);
      box.stdout?.on('data', (c: Buffer) => {
        if (out.length < 1_000_000) out += c.toString();
        if (out.includes('"msg":"box running"')) { clearTimeout(t); resolve(performance.now() - t0); }
      });
      box.once('exit', (code) => { clearTimeout(t); reject(new Error(`the box exited (${code})`)); });
    });
    box.stdout?.removeAllListeners('data');
    box.stdout?.resume(); // keep reading its log so it never blocks on a full pipe
    const pid = box.pid ?? 0;
    await sleep(o.quick ? 15_000 : 45_000); // devices come online, subscriptions settle
    const windowS = o.quick ? 15 : 60;
    const cpu0 = cpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const w0 = performance.now();
    let rss = 0;
    for (let i = 0; i < windowS; i++) {
      await sleep(1000);
      rss = Math.max(rss, rssMb(readFileSync(`/proc/${pid}/status`, 'utf8')));
    }
    const cpu = ((cpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8')) - cpu0) / ((performance.now() - w0) / 1000)) * 100;
    const how = (cli.fromSource ? 'box run from source through tsx (inflates RSS and start-up; `npm run bench` runs it from dist)' : 'box run from dist')
      + `, node flags of the unit: ${cli.flags.join(' ') || 'none'}`
      + `, its environment: ${environmentText(cli.env)}`;
    return [
      figure('footprint RSS (477 devices)', rss, 'MB', { target: T_RSS, note: `${how}; highest VmRSS over ${windowS} s of steady state` }),
      figure('footprint CPU (477 devices)', cpu, '% of a core', { target: T_CPU, note: `utime+stime over ${windowS} s; 4 RS-485 lines polled continuously at 9600 baud, 40 cameras subscribed` }),
      figure('start-up to ready', startMs, 'ms', { target: T_START, note: 'spawn of `qinhe run` → "box running" log line' }),
    ];
  } finally {
    await new Promise<void>((resolve) => {
      if (box.exitCode !== null || box.signalCode !== null) { resolve(); return; }
      const t = setTimeout(() => box.kill('SIGKILL'), 6000);
      box.once('exit', () => { clearTimeout(t); resolve(); });
      box.kill('SIGTERM');
    });
    await estate.stop();
    await broker.stop();
  }
}
