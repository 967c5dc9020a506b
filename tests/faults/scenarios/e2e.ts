/**
 * Item 3 — end-to-end at least once. The box (box.ts: real store + Uplink, steady load plus bursts, several
 * events per incident, a critical one opening each steady incident and escalating some bursts) reaches a real
 * mosquitto through a TCP gate (lib/gate.ts); the path is cut for a few seconds each round so a backlog builds
 * up, then, while it drains, the three faults are applied in random order at random moments: kill -9 of the box
 * (and a restart on the same data directory), a broker restart (SIGTERM, start again on the same port), and a
 * broker SIGSTOP for 1–5 s (PUBACKs held; with KEEPALIVE_S=2 the longer ones also make the box drop the
 * connection and publish the held rows again) then SIGCONT.
 *
 * The center must not lose anything itself, or the scenario would measure the center and not the box: it is a
 * persistent session (fixed client id, clean: false, 1 h expiry, QoS 1 subscription) on its own connection
 * (through a second gate, so the harness can cut it), and mosquitto runs with persistence, saved at each clean
 * stop, so what was queued for the center while it was away survives a broker restart. Two controls check
 * that: a message published while the center is cut off, kept across a broker restart, must arrive; and a
 * probe client publishes QoS 1 every 50 ms throughout, every probe the broker acknowledged must arrive.
 *
 * The window. The drain keeps at most W publishes unacknowledged (the uplink's window, capped by mosquitto's
 * receiveMaximum: 20) and drains lane by lane (critical, then incident), FIFO in each, and a row leaves the
 * store only after its PUBACK; so at any failure the rows the broker may already hold but the box will send
 * again are among the first W stored rows of each lane. At each failure point, once no PUBACK can arrive any
 * more (the files as a kill left them; the live store while the broker is stopped, SIGSTOPped or the path
 * cut), the lowest stored seq of each lane is read; the window of that failure is the W seqs of that lane
 * from there up (seqs appended later included). Every seq the box sent twice (copies without the broker's DUP
 * flag; a DUP copy is the broker redelivering to the center after a restart, counted apart) must lie in the
 * window of some failure. A third control: the box frozen (SIGSTOP) with a full window whose PUBACKs the
 * broker has sent, then killed -9, must show duplicates at the center, all in that failure's window.
 *
 * Load: 40 events/s in incidents of 5 (a critical one first) plus bursts of 1–32 events of one incident (a
 * critical first; bursts over 28 escalate: a critical after major ones), DRAIN_PER_S 50 so the backlog of a
 * cut is still draining through the round's faults (after every reconnect all stored rows are backlog again).
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import mqtt from 'mqtt';
import { Mosquitto } from '../../helpers/mosquitto.js';
import { Center } from '../lib/center.js';
import { spawnBox, type Child } from '../lib/child.js';
import { missingUpTo, summarize } from '../lib/db.js';
import { Gate } from '../lib/gate.js';
import { percentile, sleep, waitUntil, type Scenario } from '../lib/suite.js';

const PROBE_TOPIC = 'qinhe/caima/caima-01/e2e-probe';
type Lane = 'critical' | 'incident';
const LANE_INDEX: Record<Lane, number> = { critical: 0, incident: 1 }; // LANES in runtime/core/ports.ts

/** The store at a failure point: lowest stored incident seq per lane, last committed seq, rows pending. */
interface Heads { head: Record<Lane, number | null>; lastSeq: number; pending: number }

interface Failure {
  kind: 'cut' | 'kill' | 'restart' | 'sigstop' | 'control-kill';
  at: number;
  heads: Heads;
  detail: string;
}

function readHeads(db: BetterSqlite3.Database): Heads {
  const head: Record<Lane, number | null> = { critical: null, incident: null };
  for (const lane of ['critical', 'incident'] as const) {
    head[lane] = db.prepare<[number], { s: number | null }>('SELECT MIN(seq) AS s FROM outbox WHERE lane = ? AND seq IS NOT NULL')
      .get(LANE_INDEX[lane])?.s ?? null;
  }
  const meta = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'lastSeq'").get()?.value ?? 0;
  const max = db.prepare<[], { m: number | null }>('SELECT MAX(seq) AS m FROM outbox').get()?.m ?? 0;
  const pending = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE seq IS NOT NULL').get()?.n ?? 0;
  return { head, lastSeq: Math.max(meta, max), pending };
}

/** A running box's store, read through SQLite (WAL: a reader beside the writer); read-only, so it never checkpoints or removes the WAL. */
function liveHeads(dataDir: string): Heads {
  const db = new BetterSqlite3(join(dataDir, 'outbox.db'), { readonly: true, fileMustExist: true, timeout: 5000 });
  try { return readHeads(db); } finally { db.close(); }
}

/** A killed box's store: a copy of the files exactly as left (WAL recovery runs on the copy). */
function crashedHeads(dataDir: string): Heads {
  const dir = mkdtempSync(join(tmpdir(), 'qinhe-faults-e2e-'));
  try {
    for (const f of ['outbox.db', 'outbox.db-wal']) if (existsSync(join(dataDir, f))) copyFileSync(join(dataDir, f), join(dir, f));
    const db = new BetterSqlite3(join(dir, 'outbox.db'));
    try { return readHeads(db); } finally { db.close(); }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rand = (lo: number, hi: number) => lo + Math.random() * (hi - lo);
function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** The box's last `conn` line says it is connected. */
function isUp(box: Child): boolean {
  for (let i = box.lines.length - 1; i >= 0; i--) {
    const l = box.lines[i]!;
    if (l.startsWith('conn ')) return l.startsWith('conn up ');
  }
  return false;
}

function droppedSince(box: Child, t: number): boolean {
  return box.lines.some((l) => l.startsWith('conn down ') && Number(l.split(' ')[2]) >= t);
}

async function stats(box: Child): Promise<{ pending: number; uplink: { window: number; receiveMaximum?: number } | null }> {
  const from = box.lines.length;
  box.send('stats');
  let line = '';
  await waitUntil(() => {
    line = box.lines.slice(from).find((l) => l.startsWith('stats ')) ?? '';
    return line !== '';
  }, 'box stats', 10_000);
  return JSON.parse(line.slice(6)) as { pending: number; uplink: { window: number; receiveMaximum?: number } | null };
}

export const e2e: Scenario = {
  id: 'e2e', item: 3, title: 'end-to-end at least once: kill -9, broker restart, broker SIGSTOP during a drain',
  sizes: 'CI 3 rounds × 3 faults (one of each, random order) + 1 control kill, ~50 s; --full 20 rounds × 6',
  async run(ctx) {
    const t0 = Date.now();
    const rounds = ctx.full ? 20 : 3;
    const perRound = ctx.full ? 2 : 1; // faults of each kind per round
    const cutMs = ctx.full ? 10_000 : 6_000;

    const broker = await Mosquitto.start({ persistence: true });
    ctx.defer(() => broker.dispose());
    let brokerStopped = false;
    const brokerSignal = (sig: 'SIGSTOP' | 'SIGCONT') => {
      process.kill(broker.pid!, sig);
      brokerStopped = sig === 'SIGSTOP';
    };
    ctx.defer(() => { if (brokerStopped && broker.pid) process.kill(broker.pid, 'SIGCONT'); });
    const boxGate = await Gate.start(ctx, broker.port);
    const centerGate = await Gate.start(ctx, broker.port);
    const center = await Center.connect(centerGate.url, 'qinhe/caima/caima-01/#', {
      clientId: `e2e-center-${process.pid}`, clean: false, properties: { sessionExpiryInterval: 3600 }, keepalive: 30, reconnectPeriod: 200 });
    ctx.defer(() => center.close());

    // The probe: QoS 1 every 50 ms on its own connection, straight to the broker; what the broker acknowledged must reach the center.
    const probe = mqtt.connect(broker.url, { protocolVersion: 5, clientId: `e2e-probe-${process.pid}`, reconnectPeriod: 200, keepalive: 30 });
    ctx.defer(() => probe.endAsync(true));
    await new Promise<void>((resolve, reject) => { probe.once('connect', () => resolve()); probe.once('error', reject); });
    const probesAcked = new Set<number>();
    let probeN = 0;
    let probing = true;
    const probeTimer = setInterval(() => {
      if (!probing || !probe.connected) return;
      const n = ++probeN;
      probe.publish(PROBE_TOPIC, JSON.stringify({ v: 1, probe: n }), { qos: 1 }, (err) => { if (!err) probesAcked.add(n); });
    }, 50);
    ctx.defer(() => clearInterval(probeTimer));

    // Control 1: a message published while the center is cut off, then a broker restart, then the center back.
    await centerGate.close();
    await probe.publishAsync(PROBE_TOPIC, JSON.stringify({ v: 1, away: 1 }), { qos: 1 });
    await broker.stop();
    await broker.start();
    await centerGate.open();
    const awayArrived = await waitUntil(() => center.of('/e2e-probe').some((a) => a.json?.away === 1), 'the away message', 15_000)
      .then(() => true, () => false);

    const dataDir = ctx.tmp('e2e');
    const env = { DATA_DIR: dataDir, BROKER_URL: boxGate.url, RATE: '40', BURST_EVERY_MS: '1000', BURST_MAX: '32',
      CRITICAL_EVERY: '5', BURST_CRITICAL_EVERY: '28', DRAIN_PER_S: '50', KEEPALIVE_S: '2',
      BACKOFF_BASE_MS: '100', BACKOFF_CAP_MS: '1000', FIRST_RETRY_MS: '50' };
    const boxes: Child[] = [];
    const startBox = async (): Promise<Child> => {
      const b = spawnBox(env);
      boxes.push(b);
      ctx.defer(() => b.kill());
      await b.line('ready', 30_000);
      return b;
    };
    let box = await startBox();
    const settle = (what: string) => waitUntil(() => isUp(box), `the box connected again after ${what}`, 30_000);
    await settle('start');
    await box.line('committed', 30_000);
    await sleep(500);
    const windows = new Set<number>();
    const noteWindow = async () => {
      const s = await stats(box);
      if (s.uplink && isUp(box)) windows.add(s.uplink.window);
    };
    await noteWindow();

    const stopPhase = Math.random() < 0.5 ? 0 : 1;
    const failures: Failure[] = [];
    /** [from, to] of each fault (until the box was connected again): a `conn down` outside them was not caused here. */
    const faultSpans: Array<[number, number]> = [];
    const counts = { cut: 0, kill: 0, restart: 0, sigstop: 0, sigstopDropped: 0, 'control-kill': 0 };
    const timeline: string[] = [];
    const fail = (kind: Failure['kind'], at: number, heads: Heads, detail: string) => {
      failures.push({ kind, at, heads, detail });
      timeline.push(`${kind}${detail ? `(${detail})` : ''}@${heads.pending}`);
    };

    const apply = {
      /** The box's path cut at the gate: the backlog builds up; reopened, the drain starts. */
      async cut(ms: number) {
        const at = Date.now();
        await boxGate.close();
        await sleep(300);
        fail('cut', at, liveHeads(dataDir), `${(ms / 1000).toFixed(0)} s`);
        await sleep(ms - 300);
        await boxGate.open();
        await settle('the cut');
        counts.cut += 1;
      },
      async kill() {
        const at = Date.now();
        await box.kill('SIGKILL');
        fail('kill', at, crashedHeads(dataDir), '');
        box = await startBox();
        await settle('kill -9');
        counts.kill += 1;
      },
      async restart() {
        const at = Date.now();
        await broker.stop();
        await sleep(100);
        const down = rand(200, 1200);
        fail('restart', at, liveHeads(dataDir), `${(down / 1000).toFixed(1)} s`);
        await sleep(down);
        await broker.start();
        await settle('the broker restart');
        counts.restart += 1;
      },
      async sigstop() {
        const at = Date.now();
        brokerSignal('SIGSTOP');
        // Alternately (random phase) short, PUBACKs only held, and long enough for the box's keepalive (2 s:
        // timeout ~3 s after its last packet) to drop the connection and send the held rows again.
        const hold = (counts.sigstop + stopPhase) % 2 === 0 ? rand(1000, 2500) : rand(3500, 5000);
        await sleep(hold);
        // Read just before SIGCONT: nothing was acknowledged since the stop, and the box has sent what it could.
        const heads = liveHeads(dataDir);
        brokerSignal('SIGCONT');
        await sleep(300);
        const dropped = droppedSince(box, at);
        fail('sigstop', at, heads, `${(hold / 1000).toFixed(1)} s${dropped ? ', dropped' : ''}`);
        await settle('SIGCONT');
        counts.sigstop += 1;
        if (dropped) counts.sigstopDropped += 1;
      },
      /**
       * Control: the broker held (SIGSTOP) while the box fills its window, the box then frozen (SIGSTOP) and the
       * broker let go: it takes every held publish and its PUBACKs wait unread in the frozen box, killed -9 then.
       * Everything that was in flight reached the center and is sent again: duplicates the center must see.
       */
      async controlKill() {
        const at = Date.now();
        brokerSignal('SIGSTOP');
        await sleep(700);
        box.proc.kill('SIGSTOP');
        brokerSignal('SIGCONT');
        await sleep(700);
        await box.kill('SIGKILL');
        fail('control-kill', at, crashedHeads(dataDir), '');
        box = await startBox();
        await settle('the control kill');
        counts['control-kill'] += 1;
      },
    };

    const spanned = async (fn: () => Promise<void>) => {
      const from = Date.now();
      await fn();
      faultSpans.push([from, Date.now()]);
    };
    for (let r = 0; r < rounds; r++) {
      const from = timeline.length;
      await spanned(() => apply.cut(cutMs));
      if (r === 0) {
        await sleep(rand(200, 800));
        await spanned(() => apply.controlKill());
      }
      const plan = shuffle(Array.from({ length: perRound }, () => ['kill', 'restart', 'sigstop'] as const).flat());
      for (const kind of plan) {
        await sleep(rand(200, 1500));
        await spanned(() => apply[kind]());
      }
      ctx.note(`round ${r + 1}: ${timeline.slice(from).join(', ')} (kind(detail)@rows pending)`);
    }
    await noteWindow();

    // A clean drain: the load stops, every pending row goes out, then a clean stop.
    box.send('pause');
    const drainStart = Date.now();
    const unplannedDrops = boxes.flatMap((b) => b.lines.filter((l) => l.startsWith('conn down ')).map((l) => Number(l.split(' ')[2])))
      .filter((t) => t < drainStart && !faultSpans.some(([a, b]) => t >= a && t <= b));
    let pendingLeft = (await stats(box)).pending;
    const pendingAtPause = pendingLeft;
    const drainDeadline = Date.now() + 30_000 + (pendingAtPause / 50) * 2000; // DRAIN_PER_S 50, twice the time
    while (Date.now() < drainDeadline) {
      pendingLeft = (await stats(box)).pending;
      if (pendingLeft === 0) break;
      await sleep(250);
    }
    const drainS = (Date.now() - drainStart) / 1000;
    box.send('stop');
    await box.line('stopped', 30_000).catch(() => undefined);
    const final = crashedHeads(dataDir);
    let maxCommitted = final.lastSeq;
    for (const b of boxes) for (const l of b.lines) if (l.startsWith('committed ')) maxCommitted = Math.max(maxCommitted, Number(l.slice(10)));
    const incidentSeqs = () => new Set(center.of('/incident').map((a) => a.json?.seq as number));
    await waitUntil(() => missingUpTo(incidentSeqs(), maxCommitted).length === 0, 'every seq at the center', 20_000, 200).catch(() => undefined);
    probing = false;
    await sleep(300);
    const probeSeen = () => new Set(center.of('/e2e-probe').map((a) => a.json?.probe as number));
    await waitUntil(() => { const seen = probeSeen(); return [...probesAcked].every((n) => seen.has(n)); },
      'every acknowledged probe at the center', 10_000, 200).catch(() => undefined);
    const seenProbes = probeSeen();
    const probesMissing = [...probesAcked].filter((n) => !seenProbes.has(n)).sort((a, b) => a - b);

    // What the center holds.
    const arrivals = center.of('/incident');
    interface Seq { lane: Lane; severity: string; incidentId: string; copies: number[]; dupFlagged: number }
    const bySeq = new Map<number, Seq>();
    const firstOrder: number[] = [];
    for (const a of arrivals) {
      const s = a.json!.seq as number;
      let e = bySeq.get(s);
      if (!e) {
        const severity = a.json!.severity as string;
        e = { lane: severity === 'critical' ? 'critical' : 'incident', severity, incidentId: a.json!.incidentId as string, copies: [], dupFlagged: 0 };
        bySeq.set(s, e);
        firstOrder.push(s);
      }
      if (a.dup) e.dupFlagged += 1;
      else e.copies.push(a.at);
    }
    const unique = bySeq.size;
    const maxSeq = Math.max(maxCommitted, ...bySeq.keys());
    const missing = missingUpTo(bySeq.keys(), maxSeq);
    const centerRedeliveries = [...bySeq.values()].reduce((n, e) => n + e.dupFlagged, 0);
    const dupSeqs = [...bySeq.entries()].filter(([, e]) => e.copies.length >= 2).map(([s]) => s).sort((a, b) => a - b);
    const duplicates = [...bySeq.values()].reduce((n, e) => n + Math.max(0, e.copies.length - 1), 0);

    // Windows of the failures: the W seqs of each lane from its lowest stored seq up.
    const W = Math.max(...windows, 0) || 20;
    const laneSeqs: Record<Lane, number[]> = { critical: [], incident: [] };
    for (const [s, e] of bySeq) laneSeqs[e.lane].push(s);
    for (const l of Object.values(laneSeqs)) l.sort((a, b) => a - b);
    const windowOf = (f: Failure, lane: Lane): { from: number; to: number } => {
      const from = f.heads.head[lane] ?? f.heads.lastSeq + 1;
      const list = laneSeqs[lane];
      let i = 0;
      while (i < list.length && list[i]! < from) i += 1;
      const last = list[Math.min(list.length, i + W) - 1];
      return { from, to: last !== undefined && i < list.length ? last : from - 1 };
    };
    const inWindow = (f: Failure, s: number) => {
      const w = windowOf(f, bySeq.get(s)!.lane);
      return s >= w.from && s <= w.to;
    };
    const outside: string[] = [];
    const perFailure = new Map<Failure, number>();
    for (const s of dupSeqs) {
      const e = bySeq.get(s)!;
      const candidates = failures.filter((f) => inWindow(f, s));
      if (candidates.length === 0) {
        const before = failures.filter((f) => f.at < e.copies[1]!).at(-1);
        const w = before ? windowOf(before, e.lane) : null;
        outside.push(`${s} (${e.lane}, ${e.copies.length} copies; last failure before its 2nd copy: ${before?.kind ?? 'none'}`
          + `${w ? ` window ${w.from}..${w.to}` : ''})`);
        continue;
      }
      // Attributed to the last failure (with s in its window) before the second copy arrived.
      const f = candidates.filter((c) => c.at < e.copies[1]!).at(-1) ?? candidates[0]!;
      perFailure.set(f, (perFailure.get(f) ?? 0) + 1);
    }
    const maxPerFailure = Math.max(0, ...perFailure.values());
    const control = failures.find((f) => f.kind === 'control-kill');
    const controlDups = control ? (perFailure.get(control) ?? 0) : 0; // attributed to it (sent again after it)

    // Orders over first arrivals.
    const incidentDisorder: string[] = [];
    const severityDisorder: string[] = [];
    const lastOfIncident = new Map<string, number>();
    const eventsOfIncident = new Map<string, number>();
    const lastOfSeverity = new Map<string, number>();
    for (const s of firstOrder) {
      const e = bySeq.get(s)!;
      const li = lastOfIncident.get(e.incidentId) ?? 0;
      if (s < li) incidentDisorder.push(`incident …${e.incidentId.slice(-6)}: ${s} after ${li}`);
      lastOfIncident.set(e.incidentId, Math.max(li, s));
      eventsOfIncident.set(e.incidentId, (eventsOfIncident.get(e.incidentId) ?? 0) + 1);
      const ls = lastOfSeverity.get(e.severity) ?? 0;
      if (s < ls) severityDisorder.push(`${e.severity} ${s} after ${ls}`);
      lastOfSeverity.set(e.severity, Math.max(ls, s));
    }
    const multiEvent = [...eventsOfIncident.values()].filter((n) => n >= 2);
    const mixedIncidents = new Set<string>();
    {
      const sevs = new Map<string, Set<string>>();
      for (const e of bySeq.values()) sevs.set(e.incidentId, (sevs.get(e.incidentId) ?? new Set()).add(e.severity));
      for (const [id, s] of sevs) if (s.size > 1) mixedIncidents.add(id);
    }
    // Escalations: a critical event after a major one of its incident (the drain pulls the major ones forward).
    const escalated = new Set<string>();
    {
      const firstMajor = new Map<string, number>();
      for (const s of [...bySeq.keys()].sort((a, b) => a - b)) {
        const e = bySeq.get(s)!;
        if (e.severity !== 'critical' && !firstMajor.has(e.incidentId)) firstMajor.set(e.incidentId, s);
        if (e.severity === 'critical' && firstMajor.has(e.incidentId)) escalated.add(e.incidentId);
      }
    }
    const faultsInDrain = failures.filter((f) => f.kind !== 'cut' && f.heads.pending > W);
    const pendingAtFaults = failures.filter((f) => f.kind !== 'cut').map((f) => f.heads.pending);

    ctx.figure('rounds', rounds);
    ctx.figure('cuts', counts.cut);
    ctx.figure('kills', counts.kill);
    ctx.figure('brokerRestarts', counts.restart);
    ctx.figure('brokerStops', counts.sigstop);
    ctx.figure('brokerStopsBoxDropped', counts.sigstopDropped);
    ctx.figure('controlKills', counts['control-kill']);
    ctx.figure('unplannedDrops', unplannedDrops.length);
    ctx.figure('faultsDuringDrain', `${faultsInDrain.length}/${pendingAtFaults.length}`);
    ctx.figure('pendingAtFaultP50', percentile(pendingAtFaults, 50));
    ctx.figure('window', W);
    ctx.figure('committed', maxCommitted);
    ctx.figure('deliveredUnique', unique);
    ctx.figure('duplicates', duplicates);
    ctx.figure('duplicatedSeqs', dupSeqs.length);
    ctx.figure('maxDuplicatesPerFailure', maxPerFailure);
    ctx.figure('controlKillDuplicates', controlDups);
    ctx.figure('centerRedeliveries', centerRedeliveries);
    ctx.figure('missing', missing.length);
    ctx.figure('incidents', eventsOfIncident.size);
    ctx.figure('incidentsMultiEvent', multiEvent.length);
    ctx.figure('incidentsMixedSeverity', mixedIncidents.size);
    ctx.figure('incidentsEscalated', escalated.size);
    ctx.figure('outOfOrderInIncident', incidentDisorder.length);
    ctx.figure('outOfOrderInSeverity', severityDisorder.length);
    ctx.figure('probesAcked', probesAcked.size);
    ctx.figure('probesMissing', probesMissing.length);
    ctx.figure('pendingAtPause', pendingAtPause);
    ctx.figure('finalDrainS', drainS);
    ctx.figure('pendingAtStop', pendingLeft);
    ctx.figure('wallS', (Date.now() - t0) / 1000);

    ctx.check('0 lost: every seq from 1 to the highest committed at the center', missing.length === 0 && maxCommitted > 0,
      `${unique} unique seqs for ${maxCommitted} committed (box "committed" lines and the store's lastSeq), missing ${summarize(missing)}`);
    ctx.check(`duplicates only within the in-flight window: every seq the box sent twice was, at some failure point (cut, kill -9, broker `
      + `stop, SIGSTOP), among the ${W} (the uplink's window in force) lowest seqs of its lane (critical / incident) not yet deleted from the store`,
    outside.length === 0,
    outside.length === 0
      ? `${dupSeqs.length} seqs sent twice or more (${duplicates} extra copies) over ${failures.length} failure points, at most ${maxPerFailure} `
        + `attributed to one failure; ${centerRedeliveries} broker→center redeliveries (DUP flag) left aside`
      : `${outside.length} outside: ${outside.slice(0, 5).join('; ')}`);
    ctx.check('per-incident order kept (first arrivals of each incident in increasing seq)', incidentDisorder.length === 0,
      incidentDisorder.slice(0, 5).join('; ') || `in order: ${eventsOfIncident.size} incidents, ${multiEvent.length} with ≥ 2 events, `
        + `${mixedIncidents.size} mixing critical and major, ${escalated.size} escalated (critical after major)`);
    ctx.check('seq order within each severity (first arrivals; the contract\'s other order)', severityDisorder.length === 0,
      severityDisorder.slice(0, 5).join('; ') || 'in order');
    ctx.check('the outbox empty before the clean stop', pendingLeft === 0, `${pendingLeft} pending after ${drainS.toFixed(1)} s`);
    ctx.check('harness: a message published while the center was cut off, kept across a broker restart, reached the center', awayArrived,
      awayArrived ? 'arrived (persistent session, mosquitto persistence)' : 'never arrived: the center can lose messages');
    ctx.check('harness: the center loses nothing (every probe the broker acknowledged arrived)', probesMissing.length === 0 && probesAcked.size > 0,
      `${probesAcked.size} probes acknowledged over the run, missing ${summarize(probesMissing)}`);
    ctx.check('harness: a kill -9 with the PUBACKs of a full window unread shows as duplicates, within that failure\'s window', controlDups > 0,
      `${controlDups} seqs sent again after the control kill${control ? ` (window from incident seq ${control.heads.head.incident ?? '-'}, `
        + `critical ${control.heads.head.critical ?? '-'})` : ''}`);
  },
};
