import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Mosquitto } from '../../helpers/mosquitto.js';
import { tempDir } from '../../unit/store/fixtures.js';
import { Observer, waitFor } from './observer.js';

const PRODUCER = fileURLToPath(new URL('./producer.ts', import.meta.url));
const RUNS = 20;

function spawnProducer(env: Record<string, string>): { child: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', PRODUCER], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let rest = '';
  child.stdout!.on('data', (b: Buffer) => {
    const parts = (rest + b.toString()).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, lines, exited };
}

describe('kill -9 of the box while it produces incidents', () => {
  let broker: Mosquitto;
  let tmp: ReturnType<typeof tempDir>;
  let observer: Observer;
  beforeAll(async () => {
    broker = await Mosquitto.start();
    tmp = tempDir('qinhe-crash-');
    observer = await Observer.connect(broker.url);
  });
  afterAll(async () => {
    await observer.close();
    await broker.dispose();
    tmp.cleanup();
  });

  it(`keeps received seqs gapless over ${RUNS} crashes (duplicates allowed, counted)`, async () => {
    const env = { DATA_DIR: tmp.dir, BROKER_URL: broker.url };
    let maxCommitted = 0;
    let lostWills = 0;
    for (let run = 0; run < RUNS; run++) {
      const onlineBefore = observer.json('/state').filter((s) => s.online === true).length;
      const p = spawnProducer(env);
      await waitFor(() => p.lines.includes('ready') || p.child.exitCode !== null, 'producer ready', 30_000);
      await waitFor(() => p.lines.some((l) => l.startsWith('committed')), 'a first commit', 30_000);
      // Connected (its retained online state seen): only a box the broker knows as connected leaves a last will.
      await observer.until(() => observer.json('/state').filter((s) => s.online === true).length > onlineBefore, 'online state', 30_000);
      // After each restart, everything made durable before the previous kill arrives, without a gap.
      const durable = maxCommitted;
      await waitFor(() => {
        const got = new Set(observer.json('/incident').map((e) => e.seq as number));
        for (let s = 1; s <= durable; s++) if (!got.has(s)) return false;
        return true;
      }, `seqs 1..${durable} after restart ${run}`, 30_000);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
      const before = observer.json('/state').filter((s) => s.reason === 'lost').length;
      p.child.kill('SIGKILL');
      expect(await p.exited).toBeNull();
      for (const l of p.lines) if (l.startsWith('committed ')) maxCommitted = Math.max(maxCommitted, Number(l.slice(10)));
      await observer.until(() => observer.json('/state').filter((s) => s.reason === 'lost').length > before, 'the last will', 10_000)
        .then(() => { lostWills += 1; }, () => undefined);
    }
    const final = spawnProducer({ ...env, DRAIN_ONLY: '1' });
    expect(await final.exited).toBe(0);
    await new Promise((r) => setTimeout(r, 200));

    const seqs = observer.json('/incident').map((e) => e.seq as number);
    const unique = new Set(seqs);
    const max = Math.max(...unique);
    expect(max).toBeGreaterThanOrEqual(maxCommitted);
    const missing = Array.from({ length: max }, (_, i) => i + 1).filter((s) => !unique.has(s));
    expect(missing).toEqual([]);
    expect(unique.size).toBe(max);
    expect(lostWills).toBe(RUNS);
    console.log(`[figures] ${RUNS} kill -9 runs: ${max} incidents committed and delivered (seq 1..${max} gapless), `
      + `${seqs.length - unique.size} duplicates, ${maxCommitted} confirmed durable before the kills`);
  }, 300_000);
});
