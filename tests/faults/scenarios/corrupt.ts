/**
 * Item 6 — corrupt database. A store with a few MB of history is damaged four ways (random pages overwritten,
 * a zeroed header, truncation, a lost WAL) and the box is restarted on it. Each time: the damage is detected
 * at start, the damaged file is renamed aside and kept byte for byte (never deleted), a fresh store opens,
 * the next seq is above the old high-water mark (so above every seq ever handed out), and the box is ready
 * within 10 s.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync,
  writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { ulid } from 'ulid';
import { openStore, Outbox } from '../../../runtime/store/index.js';
import { draft, storageConfig } from '../../unit/store/fixtures.js';
import { spawnBox } from '../lib/child.js';
import { sleep, type Ctx, type Scenario } from '../lib/suite.js';

const PAGE = 4096;

async function buildBase(dir: string, rows: number): Promise<number> {
  const { store } = openStore({ dataDir: dir, storage: storageConfig({ dataDir: dir }), logger: pino({ level: 'silent' }) });
  const outbox = new Outbox(store);
  let last = 0;
  for (let done = 0; done < rows; done += 250) {
    const batch = await Promise.all(Array.from({ length: 250 }, (_, i) =>
      outbox.appendIncident(draft({ incidentId: ulid(), severity: i % 3 === 0 ? 'critical' : 'major', summary: 'x'.repeat(1500) }))));
    last = batch.at(-1)!.seq;
  }
  outbox.close();
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  return last;
}

function hwmOf(dir: string): number {
  return Number(/"hwm":(\d+)/.exec(readFileSync(join(dir, 'seq.hwm'), 'utf8'))?.[1] ?? 0);
}

type Kind = 'pages' | 'header' | 'truncate' | 'lost-wal';

function damage(dir: string, kind: Exclude<Kind, 'lost-wal'>): string {
  const file = join(dir, 'outbox.db');
  const size = statSync(file).size;
  const pages = Math.floor(size / PAGE);
  if (kind === 'header') {
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(100), 0, 100, 0);
    closeSync(fd);
    return 'first 100 bytes zeroed';
  }
  if (kind === 'truncate') {
    const to = Math.floor(pages * (0.3 + Math.random() * 0.4)) * PAGE + Math.floor(Math.random() * PAGE);
    truncateSync(file, to);
    return `truncated ${size} → ${to} bytes`;
  }
  const picked = new Set<number>();
  while (picked.size < 3) picked.add(2 + Math.floor(Math.random() * (pages - 1)));
  const fd = openSync(file, 'r+');
  for (const p of picked) writeSync(fd, randomBytes(PAGE), 0, PAGE, (p - 1) * PAGE);
  closeSync(fd);
  return `pages ${[...picked].join(',')} of ${pages} overwritten`;
}

interface Trial { kind: Kind; what: string; detected: boolean; kept: boolean; nextSeq: number; oldHwm: number; oldMax: number; readyMs: number; openMs: number }

async function restart(ctx: Ctx, dir: string, kind: Kind, what: string, oldMax: number, keptBytes: Buffer | null): Promise<Trial> {
  const oldHwm = hwmOf(dir);
  const box = spawnBox({ DATA_DIR: dir, MODE: 'idle' });
  ctx.defer(() => box.kill());
  const ready = await box.line('ready', 30_000);
  const readyMs = Date.now() - box.spawnedAt;
  const recovered = box.lines.find((l) => l.startsWith('recovered '));
  box.send('critical');
  const live = await box.line('live', 10_000);
  box.send('stop');
  await box.exited;
  const movedTo = recovered ? (JSON.parse(recovered.slice(10)) as { movedTo: string }).movedTo : '';
  const kept = keptBytes === null ? existsSync(movedTo) : existsSync(movedTo) && readFileSync(movedTo).equals(keptBytes);
  return { kind, what, detected: recovered !== undefined, kept, nextSeq: Number(live.split(' ')[1]), oldHwm, oldMax,
    readyMs, openMs: Number(ready.split(' ')[2]) };
}

export const corrupt: Scenario = {
  id: 'corrupt', item: 6, title: 'corrupt database at start', sizes: 'CI 5 MB store, 2 random-page trials; --full 40 MB, 10 trials',
  async run(ctx) {
    const base = join(ctx.tmp('corrupt'), 'base');
    mkdirSync(base);
    const rows = ctx.full ? 20_000 : 2_500;
    const oldMax = await buildBase(base, rows);
    ctx.figure('storeMb', statSync(join(base, 'outbox.db')).size / 1e6);
    const trials: Trial[] = [];
    const kinds: Array<Exclude<Kind, 'lost-wal'>> = ['header', 'truncate', ...Array<'pages'>(ctx.full ? 10 : 2).fill('pages')];
    for (const [i, kind] of kinds.entries()) {
      const dir = join(base, '..', `t${i}`);
      cpSync(base, dir, { recursive: true });
      const what = damage(dir, kind);
      const bytes = readFileSync(join(dir, 'outbox.db'));
      trials.push(await restart(ctx, dir, kind, what, oldMax, bytes));
      rmSync(dir, { recursive: true, force: true });
    }
    // Lost WAL: commits that live only in the WAL (box killed mid-load), then the WAL file disappears.
    const dir = join(base, '..', 'lost-wal');
    cpSync(base, dir, { recursive: true });
    const box = spawnBox({ DATA_DIR: dir, RATE: '50', BURST_EVERY_MS: '300', BURST_MAX: '30' });
    ctx.defer(() => box.kill());
    await box.line('committed', 30_000);
    await sleep(800);
    await box.kill('SIGKILL');
    let confirmed = oldMax;
    for (const l of box.lines) if (l.startsWith('committed ')) confirmed = Math.max(confirmed, Number(l.slice(10)));
    const walBytes = existsSync(join(dir, 'outbox.db-wal')) ? statSync(join(dir, 'outbox.db-wal')).size : 0;
    for (const f of readdirSync(dir)) if (f.endsWith('-wal') || f.endsWith('-shm')) rmSync(join(dir, f));
    trials.push(await restart(ctx, dir, 'lost-wal', `WAL of ${walBytes} bytes deleted after kill -9 (${confirmed - oldMax} commits only in it)`,
      confirmed, null));

    for (const t of trials) {
      ctx.log(`${t.kind}: ${t.what} → detected=${t.detected} kept=${t.kept} next seq ${t.nextSeq} (old max ${t.oldMax}, hwm ${t.oldHwm}) `
        + `ready ${t.readyMs} ms (open ${t.openMs.toFixed(0)} ms)`);
    }
    const damaged = trials.filter((t) => t.kind !== 'lost-wal');
    const lost = trials.find((t) => t.kind === 'lost-wal')!;
    ctx.figure('trials', trials.length);
    ctx.figure('detected', trials.filter((t) => t.detected).length);
    ctx.figure('keptAside', trials.filter((t) => t.kept).length);
    ctx.figure('readyMaxMs', Math.max(...trials.map((t) => t.readyMs)));
    ctx.figure('openMaxMs', Math.max(...trials.map((t) => t.openMs)));
    ctx.figure('seqBelowOldMax', trials.filter((t) => t.nextSeq <= t.oldMax).length);
    ctx.check('damage detected at start (page, header, truncation)', damaged.every((t) => t.detected),
      damaged.filter((t) => !t.detected).map((t) => `${t.kind}: ${t.what}`).join('; ') || `${damaged.length}/${damaged.length}`);
    ctx.check('damaged file renamed aside and kept byte for byte', damaged.every((t) => t.kept),
      `${damaged.filter((t) => t.kept).length}/${damaged.length}`);
    ctx.check('seq continues above the old high-water mark', damaged.every((t) => t.nextSeq > t.oldHwm && t.nextSeq > t.oldMax),
      damaged.map((t) => `${t.nextSeq}>${t.oldHwm}`).join(' '));
    ctx.check('ready within 10 s', trials.every((t) => t.readyMs <= 10_000), `max ${Math.max(...trials.map((t) => t.readyMs))} ms`);
    ctx.check('lost WAL: detected, or at least no seq handed out twice', lost.detected || lost.nextSeq > lost.oldMax,
      `detected=${lost.detected}; next seq ${lost.nextSeq} after ${lost.oldMax} confirmed (${lost.what})`);
  },
};
