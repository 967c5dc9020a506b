/**
 * Item 5 — quota and disk full.
 * Quota: a 1 MB store takes 3× its quota of telemetry with incident events mixed in; telemetry is evicted
 * with exact counters (evicted = appended − kept, also after a reopen), no incident event is evicted, and a
 * store holding only incidents over its quota keeps them all.
 * Disk full: the box's data directory is a small tmpfs in a private mount namespace (unshare -m); a filler
 * file takes the rest; incident events keep coming through the real incident Publisher. The process must stay
 * alive, and every offered incident event must reach the center within 10 s of the space coming back.
 */
import { pino } from 'pino';
import { ulid } from 'ulid';
import { Mosquitto } from '../../helpers/mosquitto.js';
import { openStore, Outbox } from '../../../runtime/store/index.js';
import { draft, storageConfig } from '../../unit/store/fixtures.js';
import { spawnChild } from '../lib/child.js';
import { Center } from '../lib/center.js';
import { missingUpTo, summarize } from '../lib/db.js';
import { sleep, waitUntil, type Ctx, type Scenario } from '../lib/suite.js';
import { fileURLToPath } from 'node:url';

const BOX = fileURLToPath(new URL('../box.ts', import.meta.url));

async function quotaPart(ctx: Ctx): Promise<void> {
  const dir = ctx.tmp('quota');
  const logger = pino({ level: 'silent' });
  const open = () => openStore({ dataDir: dir, storage: storageConfig({ dataDir: dir, quotaMb: 1 }), logger }).store;
  let store = open();
  let outbox = new Outbox(store);
  const telemetry = ctx.full ? 30_000 : 6_000;
  const seqs: number[] = [];
  for (let i = 0; i < telemetry; i += 100) {
    const batch: Array<Promise<unknown>> = [];
    for (let k = 0; k < 100; k++) {
      batch.push(outbox.append({ lane: 'telemetry', topic: 'telemetry', payload: Buffer.alloc(500, 0x41) }));
    }
    batch.push(outbox.appendIncident(draft({ incidentId: ulid(), severity: i % 200 === 0 ? 'critical' : 'major' })).then((e) => seqs.push(e.seq)));
    await Promise.all(batch);
  }
  const stats = outbox.stats();
  const keptTelemetry = stats.byLane.telemetry.pending;
  const keptSeqs = store.db.prepare<[], { seq: number }>('SELECT seq FROM outbox WHERE seq IS NOT NULL').all().map((r) => r.seq);
  outbox.close();
  store.close();
  store = open();
  outbox = new Outbox(store);
  const reopened = outbox.stats().evictions;
  // Incidents alone over the quota: 1,500 events of ~1.6 kB (≈ 2.4 MB in a 1 MB quota).
  const more = await Promise.all(Array.from({ length: 1500 }, () => outbox.appendIncident(draft({ incidentId: ulid(), severity: 'major', summary: 'y'.repeat(1200) }))));
  const after = outbox.stats();
  outbox.close();
  store.close();
  const missing = missingUpTo(keptSeqs, seqs.length);
  ctx.figure('telemetryAppended', telemetry);
  ctx.figure('telemetryKept', keptTelemetry);
  ctx.figure('telemetryEvicted', stats.evictions.telemetry);
  ctx.figure('incidentsAppended', seqs.length + more.length);
  ctx.figure('incidentsEvicted', after.evictions.incident + after.evictions.critical);
  ctx.figure('bytesAfterIncidentFlood', after.bytes);
  ctx.check('telemetry evicted with exact counters', stats.evictions.telemetry === telemetry - keptTelemetry && stats.evictions.telemetry > 0
    && reopened.telemetry === stats.evictions.telemetry,
    `appended ${telemetry}, kept ${keptTelemetry}, counted ${stats.evictions.telemetry} (after reopen ${reopened.telemetry})`);
  ctx.check('0 incident events evicted', missing.length === 0 && after.evictions.incident === 0 && after.evictions.critical === 0
    && after.byLane.incident.pending + after.byLane.critical.pending === seqs.length + more.length,
    `missing ${summarize(missing)}, ${after.byLane.incident.pending + after.byLane.critical.pending}/${seqs.length + more.length} held, `
    + `store ${(after.bytes / 1e6).toFixed(2)} MB over a 1 MB quota`);
}

async function diskFullPart(ctx: Ctx): Promise<void> {
  const broker = await Mosquitto.start();
  ctx.defer(() => broker.dispose());
  const center = await Center.connect(broker.url);
  ctx.defer(() => center.close());
  const dir = ctx.tmp('diskfull');
  const env = { ...process.env, UV_USE_IO_URING: '0', DATA_DIR: dir, BROKER_URL: broker.url, APPEND_VIA: 'publisher', RATE: '20',
    BURST_EVERY_MS: '1000', BURST_MAX: '10', TELEMETRY_RATE: '20', LOG_LEVEL: 'error' };
  const box = spawnChild('unshare', ['-m', '--propagation', 'private', 'sh', '-c',
    `mount -t tmpfs -o size=${ctx.full ? 32 : 8}m qinhe-faults "$DATA_DIR" && exec "$0" --import tsx "$1"`, process.execPath, BOX], { env });
  ctx.defer(() => box.kill());
  await box.line('ready', 30_000);
  await sleep(1500);
  box.send('fill');
  const filled = Number((await box.line('filled', 30_000)).split(' ')[1]);
  const fullMs = ctx.full ? 60_000 : 8_000;
  await sleep(fullMs);
  const refusedLines = box.lines.filter((l) => l.startsWith('refused ')).length;
  const aliveWhileFull = box.proc.exitCode === null && box.proc.signalCode === null;
  box.send('pause');
  await sleep(300);
  box.send('stats');
  const statsLine = JSON.parse((await box.line('stats', 10_000)).slice(6)) as { offered: number; refused: number };
  box.send('free');
  const freedAt = Number((await box.line('freed', 10_000)).split(' ')[1]);
  const offered = statsLine.offered;
  const seen = () => new Set(center.of('/incident').map((a) => (a.json?.data as { n?: number } | undefined)?.n ?? 0));
  let flushedMs = -1;
  try {
    await waitUntil(() => missingUpTo(seen(), offered).length === 0, 'every offered event at the center', 15_000, 50);
    flushedMs = Date.now() - freedAt;
  } catch { /* measured below */ }
  const missing = missingUpTo(seen(), offered);
  box.send('stop');
  await Promise.race([box.exited, sleep(10_000)]);
  ctx.figure('tmpfsMb', ctx.full ? 32 : 8);
  ctx.figure('fillerBytes', filled);
  ctx.figure('fullForMs', fullMs);
  ctx.figure('offered', offered);
  ctx.figure('refusedByStore', statsLine.refused);
  ctx.figure('storeFullLogLines', box.stderr.filter((l) => l.includes('QH_STORE_FULL')).length);
  ctx.figure('droppedLogLines', box.stderr.filter((l) => l.includes('outbox refused an incident event')).length);
  ctx.figure('missingAfterSpaceBack', missing.length);
  ctx.figure('flushedMs', flushedMs);
  ctx.check('process alive while the disk is full', aliveWhileFull, `alive=${aliveWhileFull}, ${refusedLines} refusal lines, ${statsLine.refused} appends refused`);
  ctx.check('incidents held and delivered ≤ 10 s after space returns', flushedMs >= 0 && flushedMs <= 10_000,
    `${offered} offered, ${missing.length} never arrived ${summarize(missing)}${flushedMs >= 0 ? `, all in ${flushedMs} ms` : ''}`);
}

export const quota: Scenario = {
  id: 'quota', item: 5, title: 'store quota: telemetry evicted, incidents kept', sizes: 'CI 6,000 telemetry rows; --full 30,000',
  run: quotaPart,
};

export const diskFull: Scenario = {
  id: 'diskfull', item: 5, title: 'disk full (tmpfs in a private mount namespace)', sizes: 'CI 8 MB tmpfs full for 8 s; --full 32 MB for 60 s',
  run: diskFullPart,
};
