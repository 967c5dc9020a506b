import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedCamera } from '../../simulators/onvif/simulated-camera.js';
import { PASSWORD, USER } from './helpers.js';
import { qinheArgv } from '../../helpers/cli.js';

const ROOT = join(import.meta.dirname, '../../..');

function qinhe(args: string[], prefix: string[] = []): { child: ChildProcess; result: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const cmd = [...prefix, process.execPath, ...qinheArgv(), ...args];
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); });
  return { child, result: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
}

describe('qinhe onvif probe|events', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

  async function setup() {
    const cam = new SimulatedCamera({ username: USER, password: PASSWORD, model: 'dahua', clockSkewMs: -7_200_000, maxPullHoldMs: 500 });
    await cam.start();
    cleanup.push(() => cam.stop());
    const dir = await mkdtemp(join(tmpdir(), 'qh-cli-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const pw = join(dir, 'pw');
    await writeFile(pw, `${PASSWORD}\n`, { mode: 0o600 });
    return { cam, pw };
  }

  it('probe --json prints device info, profiles, URIs and event topics', async () => {
    const { cam, pw } = await setup();
    const { result } = qinhe(['onvif', 'probe', '--url', `onvif://127.0.0.1:${cam.port}`, '--user', USER, '--password-file', pw, '--json']);
    const r = await result;
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ ok: true, manufacturer: 'Dahua', model: 'IPC-HFW3441T-ZAS', snapshotUri: `${cam.baseUrl}/onvif/snapshot.jpg` });
    expect((out.profiles as unknown[]).length).toBe(2);
    expect(out).toMatchObject({ streamUri: 'rtsp://127.0.0.1:554/Streaming/Channels/101', subStreamUri: 'rtsp://127.0.0.1:554/Streaming/Channels/102' });
    expect(out.eventTopics).toContain('RuleEngine/CellMotionDetector/Motion');
    // The camera runs two hours behind; the measured offset says so.
    expect(Math.round((out.clockOffsetMs as number) / 3_600_000)).toBe(-2);
  });

  it('probe refuses a password file readable by others', async () => {
    const { cam, pw } = await setup();
    await chmod(pw, 0o644);
    const r = await qinhe(['onvif', 'probe', '--url', `onvif://127.0.0.1:${cam.port}`, '--user', USER, '--password-file', pw]).result;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('QH_SECRETS_MODE');
  });

  it('events prints normalised events as JSON lines', async () => {
    const { cam, pw } = await setup();
    const run = qinhe(['onvif', 'events', '--url', `http://127.0.0.1:${cam.port}`, '--user', USER, '--password-file', pw,
      '--seconds', '6', '--map', 'HighAltitudeThrow/Throw=falling-object']);
    const until = Date.now() + 20_000;
    while (cam.liveSubscriptions() === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    cam.emit('tns1:RuleEngine/tnsdahua:HighAltitudeThrow/Throw', { State: '1' });
    cam.emit('tns1:VideoSource/MotionAlarm', { State: 'false' });
    const r = await run.result;
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const events = lines.filter((l) => l.kind !== undefined).map((l) => [l.kind, l.active]);
    expect(events).toEqual([['falling-object', true], ['motion', false]]);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });
});

const netnsReason = ((): string | undefined => {
  if (process.getuid?.() !== 0) return 'needs root for ip netns';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : '`ip netns` unavailable';
})();
if (netnsReason) console.warn(`skipping WS-Discovery test: ${netnsReason}`);

describe.skipIf(netnsReason !== undefined)('qinhe discover onvif (inside a private network namespace)', () => {
  const ns = `qh-wsd-${process.pid}`;
  let responder: ChildProcess | undefined;
  afterEach(() => {
    responder?.kill('SIGTERM');
    spawnSync('ip', ['netns', 'del', ns]);
  });

  it('finds the cameras that answer the multicast probe', async () => {
    const ip = (...a: string[]) => expect(spawnSync('ip', a, { encoding: 'utf8' }).status).toBe(0);
    ip('netns', 'add', ns);
    ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up', 'multicast', 'on');
    ip('netns', 'exec', ns, 'ip', 'route', 'add', '224.0.0.0/4', 'dev', 'lo');
    const cams = [
      { xaddr: 'http://10.9.0.11/onvif/device_service', hardware: 'DS-2CD2T47G2-L', name: 'HIKVISION B3' },
      { xaddr: 'http://10.9.0.12/onvif/device_service', hardware: 'P1465-LE', name: 'AXIS gate' },
    ];
    const r = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', join(ROOT, 'tests/simulators/onvif/ws-discovery-main.ts'),
      JSON.stringify(cams)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    responder = r;
    await new Promise<void>((resolve, reject) => {
      r.stdout?.on('data', (c: Buffer) => { if (c.toString().includes('READY')) resolve(); });
      r.on('close', (code) => reject(new Error(`responder exited ${code}`)));
    });
    const out = await qinhe(['discover', 'onvif', '--seconds', '2', '--json'], ['ip', 'netns', 'exec', ns]).result;
    expect(out.code).toBe(0);
    const devices = (JSON.parse(out.stdout) as { devices: Array<{ hardware: string; xaddrs: string[] }> }).devices;
    expect(devices.map((d) => d.hardware).sort()).toEqual(['DS-2CD2T47G2-L', 'P1465-LE']);
    expect(devices.find((d) => d.hardware === 'P1465-LE')?.xaddrs).toEqual(['http://10.9.0.12/onvif/device_service']);
  });
});
