/**
 * Item 18 — secrets. Canary values for the camera password, the MQTT password and the TLS private key are put
 * in a 0600 secrets file; a `qinhe run` box runs with two simulated ONVIF cameras (one accepts the password,
 * one refuses it, so auth errors get logged) with pre-event clip profiles (ffmpeg gets started against an RTSP
 * URL), a real mosquitto (with a username; the broker accepts any password) and debug logging. Meanwhile `ps`
 * is sampled every 100 ms, every MQTT payload is recorded at the broker, and the CLI is run (status,
 * devices, store, config validate, also on a broken secrets file whose faulty entry holds a canary). No canary
 * may appear in any log line, payload, ps line or CLI output.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { Mosquitto, freePort } from '../../helpers/mosquitto.js';
import { qinheArgv, runQinhe } from '../../helpers/cli.js';
import { SimulatedCamera } from '../../simulators/onvif/simulated-camera.js';
import { spawnChild } from '../lib/child.js';
import { Center } from '../lib/center.js';
import { sleep, waitUntil, type Scenario } from '../lib/suite.js';

const CAM = 'Cam-Canary-7d1f';
const MQTT = 'Mqtt-Canary-93ab';
const TLS = 'TlsKeyCanary5e2c';
const TLS_PEM = `-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI${TLS}AAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n`;
const CANARIES = [CAM, MQTT, TLS, encodeURIComponent(CAM), Buffer.from(CAM).toString('base64'), Buffer.from(`admin:${CAM}`).toString('base64')];

function leaks(text: string): string[] {
  return CANARIES.filter((c) => text.includes(c));
}

export const secrets: Scenario = {
  id: 'secrets', item: 18, title: 'secrets never leak (logs, MQTT, ps, CLI)', sizes: 'CI 8 s run; --full 60 s',
  async run(ctx) {
    const dir = ctx.tmp('secrets');
    const broker = await Mosquitto.start();
    ctx.defer(() => broker.dispose());
    const center = await Center.connect(broker.url, '#');
    ctx.defer(() => center.close());
    // An RTSP port that accepts and never answers, so ffmpeg stays alive long enough to be seen by ps.
    const rtspPort = await freePort();
    const held: Socket[] = [];
    const rtsp = createServer((sock) => { held.push(sock); sock.on('error', () => undefined); });
    await new Promise<void>((r) => rtsp.listen(rtspPort, '127.0.0.1', () => r()));
    ctx.defer(() => { for (const s of held) s.destroy(); rtsp.close(); });
    const good = new SimulatedCamera({ username: 'admin', password: CAM, model: 'dahua', auth: 'digest', rtspUrl: `rtsp://127.0.0.1:${rtspPort}/stream` });
    const refusing = new SimulatedCamera({ username: 'admin', password: 'something-else', model: 'hikvision', auth: 'digest', rtspUrl: `rtsp://127.0.0.1:${rtspPort}/s2` });
    await good.start();
    await refusing.start();
    ctx.defer(() => good.stop());
    ctx.defer(() => refusing.stop());
    const secretsFile = join(dir, 'secrets.yaml');
    writeFileSync(secretsFile, `cameras:\n  default: { username: admin, password: "${CAM}" }\nmqtt: { password: "${MQTT}" }\n`
      + `tls:\n  key: |\n${TLS_PEM.split('\n').filter(Boolean).map((l) => `    ${l}`).join('\n')}\n`);
    chmodSync(secretsFile, 0o600);
    const socket = join(dir, 'api.sock');
    const config = join(dir, 'qinhe.yaml');
    writeFileSync(config, [
      'version: 1', 'estate: { id: caima }', 'box: { id: caima-01 }', `secretsFile: ${secretsFile}`,
      `uplink: { url: "${broker.url}", username: box, healthIntervalS: 10 }`, `storage: { dataDir: ${join(dir, 'data')} }`,
      'gpio: { backend: fake }', `api: { socket: ${socket} }`, 'devices:',
      `  - { id: cam-b1-01, type: camera, profile: onvif-camera-falling-object, zone: B1, address: "onvif://127.0.0.1:${good.port}" }`,
      `  - { id: cam-b2-01, type: camera, profile: onvif-camera-falling-object, zone: B2, address: "onvif://127.0.0.1:${refusing.port}" }`, '',
    ].join('\n'));
    const box = spawnChild(process.execPath, [...qinheArgv(), 'run', '--config', config, '--log-level', 'debug'], { env: { ...process.env, NO_COLOR: '1' } });
    ctx.defer(() => box.kill());
    await waitUntil(() => box.lines.some((l) => l.includes('"box running"')), 'box running', 60_000, 50);
    const psLeaks = new Set<string>();
    let psSamples = 0;
    let ffmpegSeen = 0;
    const runFor = ctx.full ? 60_000 : 8_000;
    const until = Date.now() + runFor;
    const cli: Array<[string, string]> = [];
    while (Date.now() < until) {
      const ps = execFileSync('ps', ['-eo', 'pid,args', '-ww'], { encoding: 'utf8' });
      psSamples += 1;
      for (const l of ps.split('\n')) {
        if (l.includes('ffmpeg')) ffmpegSeen += 1;
        if (leaks(l).length > 0) psLeaks.add(l.slice(0, 200));
      }
      if (psSamples === 20) {
        for (const args of [['status', '--json'], ['status'], ['devices', '--json'], ['devices'], ['device', 'cam-b2-01'], ['store', '--json']]) {
          const r = runQinhe([...args, '--socket', socket], { timeoutMs: 20_000 });
          cli.push([`qinhe ${args.join(' ')}`, r.stdout + r.stderr]);
        }
      }
      await sleep(100);
    }
    for (const args of [['config', 'validate', config], ['config', 'validate', config, '--json']]) {
      const r = runQinhe(args, { timeoutMs: 20_000 });
      cli.push([`qinhe ${args.join(' ')}`, r.stdout + r.stderr]);
    }
    // A broken secrets file whose faulty entries hold the canaries (an unknown key, a wrong type).
    const brokenSecrets = join(dir, 'broken-secrets.yaml');
    writeFileSync(brokenSecrets, `cameras:\n  default: { username: admin, password: "${CAM}", pasword: "${CAM}" }\nmqtt: { password: ["${MQTT}"] }\n`);
    chmodSync(brokenSecrets, 0o600);
    const brokenConfig = join(dir, 'broken.yaml');
    writeFileSync(brokenConfig, readFileSync(config, 'utf8').replace(secretsFile, brokenSecrets));
    for (const args of [['config', 'validate', brokenConfig], ['config', 'validate', brokenConfig, '--json']]) {
      const r = runQinhe(args, { timeoutMs: 20_000 });
      cli.push([`qinhe ${args.join(' ')} (broken secrets)`, r.stdout + r.stderr]);
    }
    if (process.env.FAULTS_DEBUG) for (const l of [...box.lines, ...box.stderr]) process.stderr.write(`[box] ${l.slice(0, 400)}\n`);
    box.proc.kill('SIGTERM');
    await Promise.race([box.exited, sleep(8000)]);
    const logText = [...box.lines, ...box.stderr].join('\n');
    const logLeaks = box.lines.concat(box.stderr).filter((l) => leaks(l).length > 0);
    const mqttLeaks = center.arrivals.filter((a) => leaks(center.observer.seen[center.arrivals.indexOf(a)]?.payload.toString('latin1') ?? '').length > 0);
    const cliLeaks = cli.filter(([, out]) => leaks(out).length > 0).map(([c]) => c);
    const authErrors = box.lines.filter((l) => l.includes('refused the credentials')).length;
    // At rest: files the box wrote for ffmpeg (ffconcat inputs) — not in the brief's list, reported as a figure.
    const atRest: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && leaks(readFileSync(p, 'latin1')).length > 0) atRest.push(`${p.replace(dir, '')} mode 0${(statSync(p).mode & 0o777).toString(8)}`);
      }
    };
    try { walk(join(dir, 'data')); } catch { /* no data dir */ }
    if (atRest.length > 0) ctx.note(`canary at rest in the data directory: ${atRest.join(', ')}`);
    ctx.figure('filesAtRestWithCanary', atRest.length);
    ctx.figure('logLines', box.lines.length + box.stderr.length);
    ctx.figure('authErrorLines', authErrors);
    ctx.figure('mqttMessages', center.arrivals.length);
    ctx.figure('psSamples', psSamples);
    ctx.figure('ffmpegProcessSightings', ffmpegSeen);
    ctx.figure('cliRuns', cli.length);
    ctx.figure('leaks', logLeaks.length + mqttLeaks.length + psLeaks.size + cliLeaks.length);
    ctx.check('control: the detector finds all three canaries in the secrets file', leaks(readFileSync(secretsFile, 'utf8')).length >= 3,
      `${leaks(readFileSync(secretsFile, 'utf8')).length} found`);
    ctx.check('no canary in any log line', logLeaks.length === 0 && logText.length > 0,
      logLeaks.length === 0 ? `${box.lines.length} lines (debug), ${authErrors} auth errors logged` : logLeaks.slice(0, 2).map((l) => l.slice(0, 300)).join(' | '));
    ctx.check('no canary in an MQTT payload at the broker', mqttLeaks.length === 0 && center.arrivals.length > 0,
      `${center.arrivals.length} messages, ${mqttLeaks.length} with a canary`);
    ctx.check('no canary in ps output', psLeaks.size === 0, psLeaks.size === 0 ? `${psSamples} samples, ffmpeg seen ${ffmpegSeen}×` : [...psLeaks].slice(0, 2).join(' | '));
    ctx.check('no canary in CLI output', cliLeaks.length === 0, cliLeaks.length === 0 ? `${cli.length} runs` : `leaks in: ${cliLeaks.join('; ')}`);
    if (ffmpegSeen === 0) ctx.note('ffmpeg never appeared in ps during the run: the argv check covered no ffmpeg process');
  },
};
