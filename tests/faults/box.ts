/**
 * The box under test for the process-level fault scenarios: the real store (openStore, Outbox) and, when
 * BROKER_URL is set, the real Uplink; incident events come from a load generator (steady rate plus random
 * bursts) through the real incident Publisher (APPEND_VIA=publisher) or straight into the outbox.
 *
 * stdout (one line each):  conn up|down <wall ms>   ready <ms since process start> <ms of store open + uplink start>   committed <highest seq of the batch>
 *                          refused <code> <n>   live <seq> <wall ms at append>   drained   stopped
 *                          stats <json>
 * stdin commands:          critical | pause | resume | stats | clock | stop | fill (a filler file until ENOSPC) | free
 * Every generated event carries data.n (the generator's counter) so a scenario can tell which offered
 * events reached the store or the center.
 *
 * env: DATA_DIR, BROKER_URL, MODE=load|drain|idle, RATE (events/s), BURST_EVERY_MS, BURST_MAX, TELEMETRY_RATE,
 *      BOX_ID (default caima-01), DRAIN_PER_S, KEEPALIVE_S, INSECURE=1, QUOTA_MB, BACKOFF_BASE_MS, BACKOFF_CAP_MS, FIRST_RETRY_MS, APPEND_VIA=outbox|publisher,
 *      CRITICAL_EVERY (every Nth steady event is critical; 0 = none), BURST_CRITICAL_EVERY, HEALTH_S, LOG_LEVEL
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { ulid } from 'ulid';
import type { IncidentEventDraft } from '../../runtime/core/contract.js';
import { Publisher } from '../../runtime/incidents/publisher.js';
import { openStore, Outbox } from '../../runtime/store/index.js';
import { HealthReporter, Uplink } from '../../runtime/uplink/index.js';

const modulesLoadedMs = performance.now();
const env = process.env;
const num = (k: string, d: number) => (env[k] !== undefined && env[k] !== '' ? Number(env[k]) : d);
const out = (s: string) => process.stdout.write(`${s}\n`);

const logger = pino({ level: env.LOG_LEVEL ?? 'silent' }, pino.destination(2));
const dataDir = env.DATA_DIR ?? '';
const storage = { dataDir, quotaMb: num('QUOTA_MB', 512), incidentTtlDays: 30, evidenceTtlDays: 7, healthTtlHours: 24,
  telemetryTtlHours: 6, evidenceRetentionMb: 2048 };
const { store, recoveredFromCorruption } = openStore({ dataDir, storage, logger });
const outbox = new Outbox(store);
outbox.lastCommittedSeq(); // reads the counters now: "ready" means the store is usable
if (recoveredFromCorruption) out(`recovered ${JSON.stringify(recoveredFromCorruption)}`);

let uplink: Uplink | null = null;
if (env.BROKER_URL) {
  uplink = new Uplink({
    config: { url: env.BROKER_URL, prefix: 'qinhe', insecure: env.INSECURE === '1', keepaliveS: num('KEEPALIVE_S', 5), drainPerS: num('DRAIN_PER_S', 5000),
      backoffBaseMs: num('BACKOFF_BASE_MS', 100), backoffCapMs: num('BACKOFF_CAP_MS', 1000), firstRetryMaxMs: num('FIRST_RETRY_MS', 50),
      // The retry budget in this box's time scale (120 an hour at the contract's 60 s cap).
      retriesPerHour: Math.round((120 * 60_000) / num('BACKOFF_CAP_MS', 1000)),
      centerKeys: [], healthIntervalS: 300 },
    estate: 'caima', box: env.BOX_ID ?? 'caima-01', secrets: {}, outbox, logger, version: '0.1.0', stateDevices: () => ({ total: 1, online: 1 }),
    onConnectionChange: (e) => out(`conn ${e.connected ? 'up' : 'down'} ${Date.now()}`),
  });
  await uplink.start();
}
// HEALTH_S: the real HealthReporter; each publish prints `tick <monotonic ms>` (timer checks under clock jumps).
let health: HealthReporter | null = null;
if (env.HEALTH_S) {
  health = new HealthReporter({ outbox, logger, intervalS: num('HEALTH_S', 10), provider: () => {
    out(`tick ${performance.now().toFixed(1)} ${Date.now()}`);
    return { v: 1, at: new Date().toISOString(), uptimeS: Math.round(process.uptime()), clockSynced: false,
      store: { pending: 0, oldestPendingAt: null, bytes: 0 }, devices: { total: 0, online: 0, offline: 0, degraded: 0 }, unhealthy: [], buses: [] };
  } });
  await health.start();
}
out(`ready ${performance.now().toFixed(1)} ${(performance.now() - modulesLoadedMs).toFixed(1)}`);

const publisher = new Publisher(outbox, logger);
const viaPublisher = env.APPEND_VIA === 'publisher';
let n = 0;
let refused = 0;
let lastRefusedCode = '';

function makeDraft(severity: 'critical' | 'major', incidentId: string, tag: string): IncidentEventDraft {
  const at = new Date().toISOString();
  n += 1;
  return { v: 1, eventId: ulid(), incidentId, event: 'raised', kind: 'fire-risk', severity,
    device: { id: 'cp-b3-07', type: 'charging-point', zone: 'B3' }, detectedAt: at, clockSynced: true,
    summary: `fault suite ${tag}`, data: { rule: 'charger-overheat', n, tag }, evidence: [], actions: [],
    timeline: { detectedAt: at, alarmedAt: at, ackedAt: null, onsiteAt: null, resolvedAt: null } };
}

function offer(d: IncidentEventDraft): Promise<number | null> {
  if (viaPublisher) {
    let seq: number | null = null;
    return publisher.publish(d, (ev) => { seq = ev.seq; }).then(() => {
      if (seq === null) refusedOne('QH_STORE_?');
      return seq;
    });
  }
  return outbox.appendIncident(d).then((ev) => ev.seq, (err: { code?: string }) => { refusedOne(err.code ?? 'unknown'); return null; });
}

function refusedOne(code: string): void {
  refused += 1;
  if (code !== lastRefusedCode || refused % 50 === 1) out(`refused ${code} ${refused}`);
  lastRefusedCode = code;
}

function report(seqs: Array<number | null>): void {
  const ok = seqs.filter((s): s is number => s !== null);
  if (ok.length > 0) out(`committed ${Math.max(...ok)}`);
}

let paused = false;
let stopping = false;
let incident = ulid();
const rate = num('RATE', 50);
const burstEvery = num('BURST_EVERY_MS', 700);
const burstMax = num('BURST_MAX', 40);
const telemetryRate = num('TELEMETRY_RATE', 0);
const criticalEvery = num('CRITICAL_EVERY', 3);
const burstCriticalEvery = num('BURST_CRITICAL_EVERY', 4);
const timers: NodeJS.Timeout[] = [];

if ((env.MODE ?? 'load') === 'load') {
  let k = 0;
  timers.push(setInterval(() => {
    if (paused || stopping) return;
    k += 1;
    if (k % 5 === 0) incident = ulid();
    const sev = criticalEvery > 0 && k % criticalEvery === 0 ? 'critical' : 'major';
    void offer(makeDraft(sev, incident, 'steady')).then((s) => report([s]));
  }, Math.max(1, Math.round(1000 / rate))));
  if (burstEvery > 0) {
    const burst = () => {
      if (!paused && !stopping) {
        const size = 1 + Math.floor(Math.random() * burstMax);
        const id = ulid();
        void Promise.all(Array.from({ length: size }, (_, i) =>
          offer(makeDraft(burstCriticalEvery > 0 && i % burstCriticalEvery === 0 ? 'critical' : 'major', id, 'burst')))).then(report);
      }
      timers.push(setTimeout(burst, Math.random() * 2 * burstEvery));
    };
    timers.push(setTimeout(burst, Math.random() * burstEvery));
  }
  if (telemetryRate > 0) {
    timers.push(setInterval(() => {
      if (paused || stopping) return;
      void outbox.append({ lane: 'telemetry', topic: 'telemetry', payload: { v: 1, readings: [{ device: 'cp-b3-07', point: 'temperature',
        value: 20 + Math.random(), at: new Date().toISOString() }] } }).catch(() => undefined);
    }, Math.max(1, Math.round(1000 / telemetryRate))));
  }
}

/** Writes DATA_DIR/filler until the disk says ENOSPC; returns the bytes written. */
function fill(): number {
  const fd = openSync(join(dataDir, 'filler'), 'a');
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let bytes = 0;
  try {
    for (;;) bytes += writeSync(fd, chunk);
  } catch {
    const small = Buffer.alloc(512, 0x5a);
    try { for (;;) bytes += writeSync(fd, small); } catch { /* full */ }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

async function stop(code: number): Promise<never> {
  stopping = true;
  for (const t of timers) clearTimeout(t);
  await publisher.idle();
  await health?.stop();
  await uplink?.stop();
  outbox.close();
  store.close();
  out('stopped');
  process.exit(code);
}

if (env.MODE === 'drain') {
  const started = Date.now();
  while (outbox.stats().pending > 0) await new Promise((r) => setTimeout(r, 20));
  out(`drained ${Date.now() - started}`);
  await stop(0);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = line.trim();
  if (cmd === 'pause') paused = true;
  else if (cmd === 'resume') paused = false;
  else if (cmd === 'stop') void stop(0);
  else if (cmd === 'clock') out(`clock ${Date.now()} ${performance.now().toFixed(1)}`);
  else if (cmd === 'fill') out(`filled ${fill()}`);
  else if (cmd === 'free') {
    rmSync(join(dataDir, 'filler'), { force: true });
    out(`freed ${Date.now()}`);
  }
  else if (cmd === 'stats') out(`stats ${JSON.stringify({ ...outbox.stats(), refused, offered: n, uplink: uplink?.counters() ?? null })}`);
  else if (cmd === 'critical') {
    const at = Date.now();
    void outbox.appendIncident(makeDraft('critical', ulid(), 'live')).then((ev) => out(`live ${ev.seq} ${at}`),
      (err: { code?: string }) => out(`refused ${err.code ?? 'unknown'} live`));
  }
});
