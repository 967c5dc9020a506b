/**
 * The box under test of the soak (scenarios/soak.ts): the path of `qinhe run` (loadBoxConfig → Box with the
 * composition of runtime/app/compose.ts → installSignalHandlers) with the demo's driver options (fake GPIO,
 * no clips: the simulated cameras serve no RTSP), on a configuration the soak provisioned for the simulated
 * estate. An uncaught exception ends this process (exit 70, as under systemd): the soak counts that as a restart.
 *
 * The event-loop delay is measured here with perf_hooks.monitorEventLoopDelay (RESOLUTION_MS timer; a sample
 * is the interval between two ticks, so the delay is the sample minus the resolution).
 *
 * stdout (one line each):  ready <ms since process start>
 *                          sample <json: event-loop delay since the previous sample (ms), heap used and resident (by space), external>
 *                          eld <json: event-loop delay since `warm`, and the stalls ≥ 200 ms>   stats <json>   stopped
 *                          heap <json: after a full GC: heapUsed, external, arrayBuffers, rss (MB)>
 * stdin commands:          sample | warm (restart the after-warm-up histogram) | eld | gc (needs node --expose-gc) | stats | stop
 *                          snapshot <file> (a heap snapshot, after the forced GC; answers `snapshot "<file>"`: for a leak hunt)
 * env: CONFIG, LOG_FILE, LOG_LEVEL (default info)
 * The soak forces a full GC twice only (20 s before `warm`, just after the last `eld`), so the retained heap can be
 * compared without the GC's own pauses in the event-loop figures and with RSS back at its own level by the window.
 */
import { createWriteStream } from 'node:fs';
import { getHeapSpaceStatistics, getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { formatIssue } from '../../config/issues.js';
import { loadBoxConfig } from '../../config/load.js';
import { FakeGpio } from '../../drivers/gpio/fake.js';
import { Box } from '../../runtime/app/box.js';
import { createComposer, type BoxHandle } from '../../runtime/app/compose.js';
import { installSignalHandlers } from '../../runtime/app/signals.js';
import { createLogger } from '../../runtime/core/logger.js';

const RESOLUTION_MS = 10;
const env = process.env;
const out = (s: string) => process.stdout.write(`${s}\n`);
const configFile = env.CONFIG ?? '';

const logger = createLogger({ level: env.LOG_LEVEL ?? 'info', name: 'qinhe-soak', ...(env.LOG_FILE ? { destination: createWriteStream(env.LOG_FILE, { flags: 'a' }) } : {}) });
const result = loadBoxConfig(configFile, { requireSecrets: true });
if (!result.ok) {
  process.stderr.write(`${result.issues.map(formatIssue).join('\n')}\n`);
  process.exit(2);
}
const composer = createComposer({ drivers: { gpio: { backend: 'fake', fake: new FakeGpio() }, onvif: { clips: false } } });
const box = new Box(composer, logger, { requireSecrets: true });
installSignalHandlers(box, configFile, logger);
await box.start(result.loaded);

const windowEld = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
const warmEld = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
windowEld.enable();
warmEld.enable();
/**
 * Stalls: each time the loop was blocked ≥ STALL_MS (a 50 ms timer fired that much late), when and for how long,
 * since `warm` (the last 20): the histogram says how often, this says when, to match against the box's log.
 */
const STALL_MS = 200;
const stalls: Array<{ at: string; ms: number }> = [];
let tickAt = performance.now();
setInterval(() => {
  const now = performance.now();
  const late = now - tickAt - 50;
  if (late >= STALL_MS) { stalls.push({ at: new Date().toISOString(), ms: Math.round(late) }); if (stalls.length > 20) stalls.shift(); }
  tickAt = now;
}, 50).unref();
const mb = (b: number) => Math.round((b / 1048576) * 100) / 100;
/** Delay figures in ms: each sample less the timer's own interval. */
function delays(h: IntervalHistogram): Record<string, number> {
  const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), count: h.count };
}

/** Incident events not yet acknowledged by the broker (the critical lane holds incident events too). */
function pendingIncidents(): number | null {
  const lanes = handle()?.core.outbox?.stats().byLane;
  return lanes ? lanes.critical.pending + lanes.incident.pending : null;
}

const handle = () => box.composition?.handle as BoxHandle | undefined;
function stats(): Record<string, unknown> {
  const h = handle();
  const outbox = h?.core.outbox;
  return {
    lastSeq: outbox?.lastCommittedSeq() ?? null, pending: outbox?.stats().pending ?? null, pendingIncidents: pendingIncidents(),
    uplink: h?.core.uplink?.counters() ?? null, connected: h?.core.uplinkState.connected ?? null, devices: h?.registry.counts() ?? null,
    drivers: h?.supervisor.status().map((s) => ({ name: s.name, state: s.state, restarts: s.restarts })) ?? [],
  };
}

out(`ready ${performance.now().toFixed(0)}`);
createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = line.trim();
  if (cmd === 'sample') {
    const m = process.memoryUsage();
    // v8PhysicalMb: the V8 heap's resident pages (what of the process's anonymous memory V8 holds); the soak
    // subtracts it from /proc/PID/smaps' anonymous RSS to get native memory.
    out(`sample ${JSON.stringify({ ...delays(windowEld), heapMb: mb(m.heapUsed), externalMb: mb(m.external), rssMb: mb(m.rss),
      v8PhysicalMb: mb(getHeapStatistics().total_physical_size),
      spacesMb: Object.fromEntries(getHeapSpaceStatistics().map((sp) => [sp.space_name.replace(/_space$/, ''), mb(sp.physical_space_size)])) })}`);
    windowEld.reset();
  } else if (cmd === 'warm') { warmEld.reset(); stalls.length = 0; }
  else if (cmd === 'eld') out(`eld ${JSON.stringify({ ...delays(warmEld), stalls })}`);
  else if (cmd === 'gc') {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) { gc(); gc(); } // twice: the first pass leaves weakly held and finalised objects for the second
    const m = process.memoryUsage();
    out(`heap ${JSON.stringify({ forced: gc !== undefined, heapMb: mb(m.heapUsed), externalMb: mb(m.external), arrayBuffersMb: mb(m.arrayBuffers), rssMb: mb(m.rss) })}`);
  } else if (cmd.startsWith('snapshot ')) {
    const file = cmd.slice('snapshot '.length).trim();
    out(`snapshot ${JSON.stringify(writeHeapSnapshot(file))}`);
  } else if (cmd === 'stats') out(`stats ${JSON.stringify(stats())}`);
  else if (cmd === 'stop') void box.stop().then(() => { out('stopped'); process.exit(0); });
});
// The soak going away (stdin closed) ends the box too.
process.stdin.on('end', () => void box.stop().then(() => process.exit(0)));
