/**
 * Item 8 — half-open TCP. The box runs in its own network namespace, joined to the host by a veth pair; the
 * broker listens on the host end. Mid-load the host end goes down: no FIN, no RST, packets vanish — the box's
 * socket stays "open". The uplink must notice within 1.5 × keepalive (5 s) from the moment of the cut (its
 * liveness watchdog, runtime/uplink/liveness.ts: a PINGREQ after 0.5 × keepalive of silence, dead at 1.25 ×;
 * mqtt.js's own keepalive alone took 7.52 s), keep every event in the outbox, and deliver all of them after the
 * link comes back.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, Mosquitto } from '../../helpers/mosquitto.js';
import { spawnChild } from '../lib/child.js';
import { Center } from '../lib/center.js';
import { missingUpTo, summarize } from '../lib/db.js';
import { sleep, waitUntil, type Scenario } from '../lib/suite.js';

const BOX = fileURLToPath(new URL('../box.ts', import.meta.url));
const NS = `qf-${process.pid}`;
const HOST_IF = `qfh${process.pid % 100000}`;
const BOX_IF = `qfb${process.pid % 100000}`;
const HOST_IP = '10.231.77.1';
const BOX_IP = '10.231.77.2';
const KEEPALIVE_S = 5;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

export const halfOpen: Scenario = {
  id: 'halfopen', item: 8, title: 'half-open TCP (veth in a network namespace)', sizes: 'CI 20 s cut; --full 5 cuts of 60 s', background: true,
  async run(ctx) {
    ip('netns', 'add', NS);
    ctx.defer(() => ip('netns', 'del', NS));
    ip('link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', BOX_IF);
    ctx.defer(() => { try { ip('link', 'del', HOST_IF); } catch { /* gone with the namespace */ } });
    ip('link', 'set', BOX_IF, 'netns', NS);
    ip('addr', 'add', `${HOST_IP}/24`, 'dev', HOST_IF);
    ip('link', 'set', HOST_IF, 'up');
    ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${BOX_IP}/24`, 'dev', BOX_IF);
    ip('netns', 'exec', NS, 'ip', 'link', 'set', BOX_IF, 'up');
    ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
    const port = await freePort();
    const broker = await Mosquitto.start({ extraConfig: `listener ${port} ${HOST_IP}\nallow_anonymous true` });
    ctx.defer(() => broker.dispose());
    const center = await Center.connect(broker.url, 'qinhe/caima/faults-halfopen/#'); // its own box id: background runs share the machine
    ctx.defer(() => center.close());
    const box = spawnChild('ip', ['netns', 'exec', NS, process.execPath, '--import', 'tsx', BOX], { env: { ...process.env, UV_USE_IO_URING: '0',
      BOX_ID: 'faults-halfopen', DATA_DIR: ctx.tmp('halfopen'), BROKER_URL: `mqtt://${HOST_IP}:${port}`, INSECURE: '1', KEEPALIVE_S: String(KEEPALIVE_S), RATE: '20',
      BURST_EVERY_MS: '1000', BURST_MAX: '10', BACKOFF_BASE_MS: '200', BACKOFF_CAP_MS: '2000', FIRST_RETRY_MS: '200' } });
    ctx.defer(() => box.kill());
    await box.line('conn up', 60_000);
    const cuts = ctx.full ? 5 : 1;
    const cutMs = ctx.full ? 60_000 : 20_000;
    const detect: number[] = [];
    const recover: number[] = [];
    for (let c = 0; c < cuts; c++) {
      await sleep(3000);
      const downs = box.lines.filter((l) => l.startsWith('conn down')).length;
      const ups = box.lines.filter((l) => l.startsWith('conn up')).length;
      const cutAt = Date.now();
      ip('link', 'set', HOST_IF, 'down');
      await waitUntil(() => box.lines.filter((l) => l.startsWith('conn down')).length > downs, 'the box noticing', cutMs, 50).catch(() => undefined);
      const down = box.lines.filter((l) => l.startsWith('conn down'))[downs];
      detect.push(down ? Number(down.split(' ')[2]) - cutAt : Infinity);
      await sleep(Math.max(0, cutMs - (Date.now() - cutAt)));
      ip('link', 'set', HOST_IF, 'up');
      const upAt = Date.now();
      await waitUntil(() => box.lines.filter((l) => l.startsWith('conn up')).length > ups, 'reconnected', 30_000, 50).catch(() => undefined);
      const up = box.lines.filter((l) => l.startsWith('conn up'))[ups];
      recover.push(up ? Number(up.split(' ')[2]) - upAt : Infinity);
    }
    box.send('pause');
    await sleep(500);
    box.send('stats');
    await waitUntil(() => {
      box.send('stats');
      const last = box.lines.filter((l) => l.startsWith('stats ')).at(-1);
      return last !== undefined && (JSON.parse(last.slice(6)) as { pending: number }).pending === 0;
    }, 'the outbox drained', 60_000, 300).catch(() => undefined);
    let maxCommitted = 0;
    for (const l of box.lines) if (l.startsWith('committed ')) maxCommitted = Math.max(maxCommitted, Number(l.slice(10)));
    await sleep(500);
    const seen = new Set(center.of('/incident').map((a) => a.json!.seq as number));
    const missing = missingUpTo(seen, maxCommitted);
    const lostWill = center.of('/state').filter((a) => a.json?.reason === 'lost').length;
    ctx.figure('cuts', cuts);
    ctx.figure('cutS', cutMs / 1000);
    ctx.figure('keepaliveS', KEEPALIVE_S);
    ctx.figure('detectMs', detect.map((d) => (Number.isFinite(d) ? d : 'never')).join(','));
    ctx.figure('reconnectAfterLinkUpMs', recover.map((d) => (Number.isFinite(d) ? d : 'never')).join(','));
    ctx.figure('committed', maxCommitted);
    ctx.figure('missing', missing.length);
    ctx.figure('lastWillsAtCenter', lostWill);
    ctx.check(`dead link noticed within 1.5 × keepalive (${1.5 * KEEPALIVE_S} s)`, detect.every((d) => d <= 1500 * KEEPALIVE_S), `${detect.join(', ')} ms`);
    ctx.check('reconnected within 10 s of the link coming back', recover.every((d) => d <= 10_000), `${recover.join(', ')} ms`);
    ctx.check('0 events lost', missing.length === 0 && maxCommitted > 0, `${seen.size}/${maxCommitted} at the center, missing ${summarize(missing)}`);
  },
};
