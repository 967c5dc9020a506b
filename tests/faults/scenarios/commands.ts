/**
 * Item 16 — hostile commands. A box (real Uplink + CommandDispatcher, a target that counts calls) on a real
 * mosquitto receives, from the "center": invalid JSON, wrong types, 1 MiB, 10,000-deep nesting, __proto__ and
 * constructor.prototype keys, bad and missing signatures, a replayed and an expired command, then a flood of
 * 1,000 msg/s. Checked: 0 side effects (0 target calls) for all of it, Object.prototype untouched, CPU ≤ 50 %
 * of one core during the flood (process.cpuUsage in the box), 0 crashes, and a reply for each payload the
 * broker delivered. A last, valid signed command must cause exactly one call (the pipeline works).
 */
import mqtt from 'mqtt';
import { fileURLToPath } from 'node:url';
import { generateCenterKeyPair, signCommand } from '../../../runtime/commands/index.js';
import { Mosquitto } from '../../helpers/mosquitto.js';
import { tsxScript } from '../lib/child.js';
import { Center } from '../lib/center.js';
import { sleep, waitUntil, type Scenario } from '../lib/suite.js';

const BOX = fileURLToPath(new URL('../command-box.ts', import.meta.url));
const ROOT = 'qinhe/caima/caima-01';

interface Usage { userUs: number; systemUs: number; wallMs: number; calls: number; callNames: string[]; handled: number; protoSame: boolean; rssMb: number; pendingReplies: number }

function deep(n: number, open: string, close: string, inner = '1'): string {
  return open.repeat(n) + inner + close.repeat(n);
}

export const commands: Scenario = {
  id: 'commands', item: 16, title: 'hostile commands and a 1,000 msg/s flood', sizes: 'CI flood 10 s; --full 60 s',
  async run(ctx) {
    const center = generateCenterKeyPair();
    const stranger = generateCenterKeyPair();
    const broker = await Mosquitto.start({ extraConfig: 'message_size_limit 2000000' });
    ctx.defer(() => broker.dispose());
    const watcher = await Center.connect(broker.url, `${ROOT}/reply`);
    ctx.defer(() => watcher.close());
    const box = tsxScript(BOX, { DATA_DIR: ctx.tmp('commands'), BROKER_URL: broker.url, CENTER_KEY: center.publicKeyPem });
    ctx.defer(() => box.kill());
    await box.line('ready', 30_000);
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'center-faults' });
    ctx.defer(() => pub.endAsync(true));
    const usage = async (): Promise<Usage> => {
      const n = box.lines.filter((l) => l.startsWith('usage ')).length;
      box.send('usage');
      await waitUntil(() => box.lines.filter((l) => l.startsWith('usage ')).length > n, 'usage', 10_000);
      return JSON.parse(box.lines.filter((l) => l.startsWith('usage ')).at(-1)!.slice(6)) as Usage;
    };

    const valid = signCommand('siren', { args: { target: 'siren-b3', pattern: 'fire', seconds: 30 } }, center.privateKeyPem);
    const body = JSON.stringify(valid);
    const protoArgs = `{"v":1,"id":"01JDPROTO0000000000000000","issuedAt":"${valid.issuedAt}","expiresAt":"${valid.expiresAt}",`
      + `"args":{"target":"siren-b3","pattern":"fire","seconds":30,"__proto__":{"polluted":true,"isAdmin":true}},"sig":"${valid.sig}"}`;
    const hostile: Array<[string, string, string | Buffer]> = [
      ['invalid JSON', 'siren', '{"v":1,"id":'],
      ['not JSON at all', 'ack', Buffer.from([0xff, 0xfe, 0x00, 0x7b])],
      ['empty', 'health', ''],
      ['JSON null', 'health', 'null'],
      ['wrong types', 'siren', JSON.stringify({ ...valid, v: '1', id: 42, args: 'siren-b3' })],
      ['seconds as a string', 'siren', JSON.stringify({ ...valid, args: { ...valid.args, seconds: '30' } })],
      ['1 MiB', 'siren', Buffer.alloc(1024 * 1024, 0x7b)],
      ['100 KiB valid-looking', 'siren', JSON.stringify({ ...valid, pad: 'x'.repeat(100 * 1024) })],
      ['10,000-deep arrays', 'siren', deep(10_000, '[', ']')],
      ['10,000-deep objects', 'siren', deep(10_000, '{"a":', '}')],
      ['10,000-deep args', 'siren', body.replace('"args":{', `"args":{"x":${deep(10_000, '[', ']')},`)],
      ['__proto__ at the top', 'siren', `{"__proto__":{"polluted":true},${body.slice(1)}`],
      ['__proto__ in args', 'siren', protoArgs],
      ['constructor.prototype', 'siren', body.replace('"args":{', '"args":{"constructor":{"prototype":{"polluted":true}},')],
      ['missing signature', 'siren', JSON.stringify({ ...valid, sig: undefined })],
      ['empty signature', 'siren', JSON.stringify({ ...valid, sig: '' })],
      ['signature of another key', 'siren', JSON.stringify(signCommand('siren', { args: valid.args }, stranger.privateKeyPem))],
      ['signature over other args', 'siren', JSON.stringify({ ...valid, args: { ...valid.args, seconds: 299 } })],
      ['signature for another name', 'silence', body],
      ['garbage base64 signature', 'siren', JSON.stringify({ ...valid, sig: '!!!not-base64!!!' })],
      ['expired', 'health', JSON.stringify(signCommand('health', { now: Date.now() - 3_600_000, ttlS: 60 }, center.privateKeyPem))],
      ['issued in the future', 'health', JSON.stringify(signCommand('health', { now: Date.now() + 3_600_000 }, center.privateKeyPem))],
      ['unknown command', 'reboot', JSON.stringify(signCommand('reboot', {}, center.privateKeyPem))],
      ['bad args, signed', 'siren', JSON.stringify(signCommand('siren', { args: { target: 'siren-b3', pattern: 'fire', seconds: 3000 } }, center.privateKeyPem))],
    ];
    const delivered = (p: string | Buffer) => Buffer.byteLength(p) <= 256 * 1024;
    let expectReplies = 0;
    for (const [, name, payload] of hostile) {
      await pub.publishAsync(`${ROOT}/cmd/${name}`, payload, { qos: 1 });
      if (delivered(payload)) expectReplies += 1;
    }
    await waitUntil(() => watcher.arrivals.length >= expectReplies, 'replies to the hostile set', 20_000).catch(() => undefined);
    const afterHostile = await usage();
    const hostileReplies = watcher.arrivals.length;
    const codes = watcher.arrivals.map((a) => ((a.json?.error as { code?: string } | undefined)?.code ?? (a.json?.ok ? 'ok' : '?')));
    ctx.log(`hostile set: ${hostile.length} payloads, ${hostileReplies} replies (${[...new Set(codes)].join(', ')}), calls ${afterHostile.calls}`);

    // The flood: 1,000 msg/s of a rotating mix (bad signatures, invalid JSON, __proto__, deep nesting).
    const floodS = Number(process.env.FAULTS_FLOOD_S) || (ctx.full ? 60 : 10);
    const mix = hostile.filter(([, , p]) => delivered(p) && Buffer.byteLength(p) < 32 * 1024);
    box.send('mark');
    const t0 = Date.now();
    let sent = 0;
    while (Date.now() - t0 < floodS * 1000) {
      const due = Math.floor(((Date.now() - t0) / 1000) * 1000);
      for (; sent < due; sent++) {
        const [, name, payload] = mix[sent % mix.length]!;
        pub.publish(`${ROOT}/cmd/${name}`, payload, { qos: 1 });
      }
      await sleep(10);
    }
    const flood = await usage();
    const cpuPct = ((flood.userUs + flood.systemUs) / 1000 / flood.wallMs) * 100;
    ctx.log(`flood CPU: user ${(flood.userUs / 1000).toFixed(0)} ms, system ${(flood.systemUs / 1000).toFixed(0)} ms over ${flood.wallMs} ms`);
    await waitUntil(() => watcher.arrivals.length >= hostileReplies + sent, 'replies to the flood', 60_000).catch(() => undefined);
    const floodReplies = watcher.arrivals.length - hostileReplies;
    // Control: one valid command must do exactly one thing.
    await pub.publishAsync(`${ROOT}/cmd/siren`, body, { qos: 1 });
    await waitUntil(() => watcher.arrivals.some((a) => a.json?.id === valid.id && a.json?.ok === true), 'the valid command executed', 20_000).catch(() => undefined);
    const end = await usage();
    const alive = box.proc.exitCode === null && box.proc.signalCode === null;
    ctx.figure('hostilePayloads', hostile.length);
    ctx.figure('hostileReplies', hostileReplies);
    ctx.figure('floodSent', sent);
    ctx.figure('floodRatePerS', sent / floodS);
    ctx.figure('floodReplies', floodReplies);
    ctx.figure('floodCpuPct', cpuPct);
    ctx.figure('sideEffects', end.calls - 1);
    ctx.figure('boxRssMb', end.rssMb);
    ctx.check('0 side effects from hostile payloads and the flood', afterHostile.calls === 0 && flood.calls === 0,
      `${flood.calls} target calls (${flood.callNames.join(',') || 'none'})`);
    ctx.check('the valid control command ran exactly once', end.calls === 1 && end.callNames[0] === 'siren', `${end.calls} calls after it`);
    ctx.check('Object.prototype untouched', end.protoSame, `same=${end.protoSame}`);
    ctx.check('CPU ≤ 50 % during the flood', cpuPct <= 50, `${cpuPct.toFixed(1)} % of one core over ${(flood.wallMs / 1000).toFixed(1)} s `
      + `(${sent} messages, ${flood.handled} handled)`);
    ctx.check('0 crashes', alive, alive ? 'box alive' : `exited ${box.proc.exitCode ?? box.proc.signalCode}`);
    ctx.check('a reply for every delivered payload', hostileReplies >= expectReplies && floodReplies >= sent,
      `${hostileReplies}/${expectReplies} hostile, ${floodReplies}/${sent} flood (the 1 MiB one exceeds the box's maximumPacketSize and is not delivered)`);
  },
};
