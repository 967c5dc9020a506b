/**
 * The technician CLI against the real API server (a FakeBoxApi behind it) on a temporary socket: every
 * command's --json has the documented shape, the tables for people show what matters, errors and an
 * unreachable daemon are explained.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICES, INCIDENT, SNAPSHOT_BYTES } from './fake-box-api.js';
import { runCli, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h.close(); });

const cli = (args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string) => runCli([...args, '--socket', h.socket], env, stdin);
const json = async (args: string[]) => {
  const r = await cli([...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown> & unknown[];
};
const keys = (o: unknown) => Object.keys(o as object).sort();

describe('--json output has the documented shape', () => {
  it('status', async () => {
    const s = await json(['status']);
    expect(keys(s)).toEqual(['box', 'clock', 'devices', 'estate', 'incidents', 'startedAt', 'store', 'testMode', 'uplink', 'uptimeS', 'version']);
    expect(keys(s.uplink)).toEqual(['broker', 'connected', 'lastError', 'since']);
    expect(keys(s.store)).toEqual(['byLane', 'bytes', 'evictions', 'oldestPendingAt', 'pending', 'quotaBytes']);
    expect(keys(s.clock)).toEqual(['now', 'synced']);
    expect(keys(s.devices)).toEqual(['degraded', 'offline', 'online', 'total', 'unknown']);
  }, 30_000);

  it('devices, with the filters passed to the daemon', async () => {
    const all = await json(['devices']);
    expect(all).toHaveLength(DEVICES.length);
    expect(keys(all[0])).toEqual(['errors', 'id', 'lastError', 'lastSeen', 'location', 'profile', 'protocol', 'since', 'state', 'type', 'zone']);
    const some = await json(['devices', '--unhealthy', '--zone', 'B3', '--type', 'siren']);
    expect((some as unknown as Array<{ id: string }>).map((d) => d.id)).toEqual(['siren-b3']);
    expect(h.api.calls.filter((c) => c.method === 'devices').at(-1)?.args[0]).toEqual({ unhealthy: true, zone: 'B3', type: 'siren' });
  }, 30_000);

  it('device', async () => {
    const d = await json(['device', 'cp-b3-07']);
    expect(keys(d)).toEqual(['address', 'bus', 'changes', 'errorCounts', 'errors', 'id', 'lastError', 'lastSeen', 'latencyMs', 'location', 'points', 'profile', 'protocol', 'since', 'state', 'testMode', 'type', 'zone']);
    expect(keys((d.changes as unknown[])[0])).toEqual(['at', 'error', 'state']);
  }, 30_000);

  it('incidents and incident', async () => {
    const open = await json(['incidents', '--open']);
    expect(open).toHaveLength(1);
    expect(keys(open[0])).toEqual(['count', 'detectedAt', 'device', 'id', 'kind', 'severity', 'status', 'summary', 'test']);
    const i = await json(['incident', INCIDENT.id]);
    expect(keys(i)).toEqual(['actions', 'count', 'data', 'detectedAt', 'device', 'evidence', 'id', 'kind', 'severity', 'status', 'summary', 'test', 'timeline']);
    expect(keys((i.evidence as unknown[])[0])).toEqual(['bytes', 'capturedAt', 'deviceId', 'file', 'id', 'mime', 'sha256', 'type']);
  }, 30_000);

  it('store', async () => {
    const s = await json(['store']);
    expect(keys(s.byLane)).toEqual(['critical', 'evidence', 'health', 'incident', 'reply', 'telemetry']);
    expect(keys((s.byLane as Record<string, unknown>).critical)).toEqual(['bytes', 'oldestAt', 'pending']);
  }, 30_000);

  it('test siren, snapshot and drill', async () => {
    const siren = await json(['test', 'siren', 'B3', '--seconds', '4']);
    expect(siren).toEqual({ target: 'B3', devices: ['siren-b3'], pattern: 'chirp', seconds: 4 });
    const out = join(h.dir, 'snap.jpg');
    const snap = await json(['test', 'snapshot', 'cam-b3-02', '--out', out]);
    expect(keys(snap)).toEqual(['bytes', 'capturedAt', 'deviceId', 'evidenceId', 'file', 'mime', 'out', 'sha256']);
    const drill = await json(['test', 'drill', 'door-a1']);
    expect(drill).toMatchObject({ deviceId: 'door-a1', test: true });
  }, 30_000);
});

describe('tables for people', () => {
  it('status says what is wrong and where to look next', async () => {
    const r = await cli(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✖ uplink   DISCONNECTED to mqtts://center.example:8883');
    expect(r.stdout).toContain('1 offline');
    expect(r.stdout).toContain('qinhe devices --unhealthy');
    expect(r.stdout).not.toContain('\u001b['); // no colour off a terminal
  }, 30_000);

  it('device shows latency, error counts and the state changes', async () => {
    const r = await cli(['device', 'cp-b3-07']);
    expect(r.stdout).toContain('latency    38 ms');
    expect(r.stdout).toContain('timeouts 4, crcErrors 1');
    expect(r.stdout).toContain('last 2 state changes');
    expect(r.stdout).toContain('QH_MODBUS_TIMEOUT unit 7 silent');
  }, 30_000);

  it('incident shows the timeline, actions and evidence files', async () => {
    const r = await cli(['incident', INCIDENT.id]);
    expect(r.stdout).toMatch(/alarmed\s+\S+ \S+\s+\(\+0\.2 s\)/);
    expect(r.stdout).toContain('acknowledged —');
    expect(r.stdout).toContain('siren-b3');
    expect(r.stdout).toContain('/var/lib/qinhe/evidence/x.jpg');
  }, 30_000);

  it('store lists every lane with evictions', async () => {
    const r = await cli(['store']);
    for (const lane of ['critical', 'incident', 'reply', 'health', 'evidence', 'telemetry']) expect(r.stdout).toContain(lane);
    expect(r.stdout).toMatch(/telemetry\s+│\s+2\s+│\s+1000 B\s+│.*│\s+42/);
  }, 30_000);
});

describe('errors', () => {
  it('an unknown device exits 1 with its code', async () => {
    const r = await cli(['device', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('QH_INCIDENT_DEVICE');
  }, 30_000);

  it('a siren time out of range is a usage error before anything is sent', async () => {
    const before = h.api.calls.length;
    const r = await cli(['test', 'siren', 'B3', '--seconds', '0']);
    expect(r.code).toBe(2);
    expect(h.api.calls.length).toBe(before);
  }, 30_000);

  it('an unreachable daemon says where it looked and how to start it (exit 1, QH_API_UNREACHABLE)', async () => {
    const r = await runCli(['status', '--socket', join(h.dir, 'nothing.sock')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('QH_API_UNREACHABLE');
    expect(r.stderr).toContain(join(h.dir, 'nothing.sock'));
    expect(r.stderr).toContain('sudo systemctl start qinhe');
  }, 30_000);

  it('finds the socket from QINHE_SOCKET and from the config api.socket', async () => {
    const viaEnv = await runCli(['store', '--json'], { QINHE_SOCKET: h.socket });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    const cfg = join(h.dir, 'qinhe.yaml');
    writeFileSync(cfg, `version: 1\napi:\n  socket: ${h.socket}\n`);
    const viaConfig = await runCli(['store', '--json', '--config', cfg]);
    expect(viaConfig.code, viaConfig.stderr).toBe(0);
    writeFileSync(cfg, `version: 1\napi:\n  socket: ${join(h.dir, 'elsewhere.sock')}\n`);
    const wrong = await runCli(['store', '--config', cfg]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('from config');
  }, 60_000);
});

describe('qinhe commission', () => {
  it('walks every device in test mode, writes an HTML report with the snapshot embedded, and fails on a silent button', async () => {
    h.api.pendingEvents.set('door-a1', { topic: 'input', kind: 'door' });
    h.api.pendingEvents.delete('panic-a1');
    const out = join(h.dir, 'report.html');
    const r = await cli(['commission', '--out', out, '--installer', 'Wang Wei', '--event-timeout', '1', '--json'], {}, 'y\n');
    expect(r.code, r.stderr).toBe(1);
    const res = JSON.parse(r.stdout) as { ok: boolean; results: Array<{ deviceId: string; kind: string; status: string }> };
    expect(res.ok).toBe(false);
    const status = Object.fromEntries(res.results.map((x) => [x.deviceId, `${x.kind}:${x.status}`]));
    expect(status).toEqual({
      'cam-b3-02': 'snapshot:pass', 'cp-b3-07': 'read:pass', 'siren-b3': 'sound:pass', 'door-a1': 'trip:pass', 'panic-a1': 'press:fail',
    });
    const modes = h.api.calls.filter((c) => c.method === 'setTestMode').map((c) => c.args[1]);
    expect(modes).toEqual([true, false]);
    expect(h.api.testMode.size).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain(`data:image/jpeg;base64,${SNAPSHOT_BYTES.toString('base64')}`);
    expect(html).toContain('Wang Wei');
    expect(html).toContain('1 device FAILED');
  }, 60_000);
});
