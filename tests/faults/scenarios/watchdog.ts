/**
 * Item 12 — systemd watchdog with a fake NOTIFY_SOCKET (a python3 AF_UNIX datagram receiver that prints each
 * message with its arrival time). `qinhe run` with WATCHDOG_USEC=1 s: READY=1 once running, WATCHDOG=1 at
 * least once per WATCHDOG_USEC; frozen with SIGSTOP for 3 s the pings stop (systemd would restart it) and
 * resume after SIGCONT; SIGHUP gives RELOADING=1 then READY=1; SIGTERM gives STOPPING=1. A second box whose
 * data directory cannot be created must never say READY=1 nor ping.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { qinheArgv } from '../../helpers/cli.js';
import { spawnChild, type Child } from '../lib/child.js';
import { VALID_CONFIG } from '../lib/corpus.js';
import { sleep, waitUntil, type Ctx, type Scenario } from '../lib/suite.js';

const RECEIVER = `
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    data = s.recv(65536)
    for line in data.decode("utf-8", "replace").split("\\n"):
        print("%d %s" % (int(time.time() * 1000), line), flush=True)
`;

interface Msg { at: number; text: string }

function receiver(ctx: Ctx, path: string): { child: Child; msgs: () => Msg[] } {
  const child = spawnChild('/usr/bin/python3', ['-u', '-c', RECEIVER, path]);
  ctx.defer(() => child.kill());
  const msgs = () => child.lines.filter((l) => /^\d+ /.test(l)).map((l) => ({ at: Number(l.slice(0, l.indexOf(' '))), text: l.slice(l.indexOf(' ') + 1) }));
  return { child, msgs };
}

function config(dir: string, dataDir: string): string {
  const file = join(dir, `qinhe-${Math.random().toString(16).slice(2, 8)}.yaml`);
  writeFileSync(file, readFileSync(VALID_CONFIG, 'utf8').replace('/tmp/qinhe-faults-config-data', dataDir)
    .replace('gpio:\n  backend: fake', `gpio:\n  backend: fake\napi:\n  socket: ${join(dir, `api-${Math.random().toString(16).slice(2, 8)}.sock`)}`));
  return file;
}

export const watchdog: Scenario = {
  id: 'watchdog', item: 12, title: 'systemd watchdog (fake NOTIFY_SOCKET)', sizes: 'CI and --full: one run of ~15 s',
  async run(ctx) {
    const dir = ctx.tmp('watchdog');
    const sock = join(dir, 'notify.sock');
    const rx = receiver(ctx, sock);
    await rx.child.line('listening', 10_000);
    const env = { ...process.env, NO_COLOR: '1', NOTIFY_SOCKET: sock, WATCHDOG_USEC: '1000000' };
    const file = config(dir, join(dir, 'data'));
    const box = spawnChild(process.execPath, [...qinheArgv(), 'run', '--config', file], { env });
    ctx.defer(() => box.kill());
    const has = (t: string, after = 0) => rx.msgs().some((m) => m.text === t && m.at >= after);
    await waitUntil(() => has('READY=1'), 'READY=1', 60_000, 20);
    const readyMs = rx.msgs().find((m) => m.text === 'READY=1')!.at - box.spawnedAt;
    await sleep(4000);
    const stopAt = Date.now();
    box.proc.kill('SIGSTOP');
    await sleep(3000);
    box.proc.kill('SIGCONT');
    const contAt = Date.now();
    await sleep(2000);
    const hupAt = Date.now();
    box.proc.kill('SIGHUP');
    await waitUntil(() => has('RELOADING=1', hupAt), 'RELOADING=1', 20_000).catch(() => undefined);
    await waitUntil(() => rx.msgs().some((m) => m.text === 'READY=1' && m.at > hupAt), 'READY=1 after the reload', 20_000).catch(() => undefined);
    const termAt = Date.now();
    box.proc.kill('SIGTERM');
    const exit = await Promise.race([box.exited, sleep(8000).then(() => null)]);
    await sleep(300);
    const pings = rx.msgs().filter((m) => m.text === 'WATCHDOG=1').map((m) => m.at);
    const gaps = pings.slice(1).map((t, i) => ({ at: pings[i]!, gap: t - pings[i]! }));
    const liveGaps = gaps.filter((g) => g.at + g.gap < stopAt || g.at > contAt + 100);
    const maxLiveGap = Math.max(0, ...liveGaps.map((g) => g.gap));
    const duringStop = pings.filter((t) => t > stopAt + 600 && t < contAt).length;
    const resumedMs = (pings.find((t) => t > contAt) ?? Infinity) - contAt;

    // A box without a store: the data directory sits below a regular file.
    const sock2 = join(dir, 'notify2.sock');
    const rx2 = receiver(ctx, sock2);
    await rx2.child.line('listening', 10_000);
    writeFileSync(join(dir, 'not-a-dir'), 'x');
    const box2 = spawnChild(process.execPath, [...qinheArgv(), 'run', '--config', config(dir, join(dir, 'not-a-dir', 'data'))],
      { env: { ...env, NOTIFY_SOCKET: sock2 } });
    ctx.defer(() => box2.kill());
    await sleep(6000);
    const noStore = rx2.msgs().map((m) => m.text);
    ctx.figure('readyAfterSpawnMs', readyMs);
    ctx.figure('pings', pings.length);
    ctx.figure('maxGapWhileRunningMs', maxLiveGap);
    ctx.figure('pingsWhileStopped', duringStop);
    ctx.figure('resumedAfterContMs', resumedMs);
    ctx.figure('stopExit', exit ? `${exit.code ?? exit.signal}` : 'none within 8 s');
    ctx.figure('noStoreMessages', noStore.filter((t) => t).join('|').slice(0, 120));
    ctx.check('READY=1 once running', readyMs > 0, `${readyMs} ms after spawn`);
    ctx.check('WATCHDOG=1 at least once per WATCHDOG_USEC while running', liveGaps.length >= 5 && maxLiveGap <= 1000,
      `${pings.length} pings, largest gap ${maxLiveGap} ms`);
    ctx.check('no pings while frozen (SIGSTOP 3 s), back within 1 s of SIGCONT', duringStop === 0 && resumedMs <= 1000,
      `${duringStop} pings while stopped, resumed after ${resumedMs} ms`);
    ctx.check('SIGHUP: RELOADING=1 then READY=1', has('RELOADING=1', hupAt) && rx.msgs().some((m) => m.text === 'READY=1' && m.at > hupAt), '');
    ctx.check('SIGTERM: STOPPING=1 and a clean exit', has('STOPPING=1', termAt) && exit !== null && exit.code === 0,
      `exit ${exit ? exit.code ?? exit.signal : 'none'}`);
    ctx.check('without a store: no READY=1 and no WATCHDOG=1', !noStore.includes('READY=1') && !noStore.includes('WATCHDOG=1'),
      `messages: ${noStore.filter((t) => t).join(' | ').slice(0, 160) || 'none'}; box ${box2.proc.exitCode === null ? 'running' : `exited ${box2.proc.exitCode}`}`);
  },
};
