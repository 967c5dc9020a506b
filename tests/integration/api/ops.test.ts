/**
 * Operations commands on this machine: `qinhe logs` from a file and from stdin, `qinhe check` with the real
 * probes, and the CLI against a real `qinhe run` daemon (its BoxApi, not a fake) on a temporary socket.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnQinhe } from '../../helpers/cli.js';
import { runCli } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'qinhe-ops-'));
let daemon: ChildProcess | undefined;
afterAll(() => {
  daemon?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

const PINO = [
  JSON.stringify({ level: 30, time: '2026-11-26T03:00:00.000Z', name: 'qinhe', msg: 'box running' }),
  'not json at all',
  JSON.stringify({ level: 50, time: '2026-11-26T03:00:01.000Z', name: 'qinhe', device: 'cp-b3-07', bus: 'rs485-0', err: { code: 'QH_MODBUS_TIMEOUT', message: 'unit 7' }, msg: 'device offline' }),
].join('\n');

describe('qinhe logs', () => {
  it('reads pino JSON lines from a file and from stdin, last N lines', async () => {
    const file = join(dir, 'qinhe.log');
    writeFileSync(file, `${PINO}\n`);
    const r = await runCli(['logs', '-n', '2', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      'not json at all',
      '2026-11-26 03:00:01.000 ERROR [device=cp-b3-07 bus=rs485-0] device offline — QH_MODBUS_TIMEOUT unit 7',
    ]);
    const s = await runCli(['logs', '--json', '-'], {}, PINO);
    const lines = s.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: string; message: string });
    expect(lines.map((l) => l.level)).toEqual(['INFO', '', 'ERROR']);
  }, 30_000);
});

describe('qinhe logs from the journal', () => {
  it('runs journalctl -u qinhe -o json and shows its records readably; explains a failing journalctl', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const inner = JSON.stringify({ level: 40, time: '2026-11-26T03:00:02.000Z', device: 'cam-b3-02', msg: 'device degraded' });
    const rec = JSON.stringify({ __REALTIME_TIMESTAMP: '1764126002000000', PRIORITY: '6', MESSAGE: inner });
    writeFileSync(join(bin, 'journalctl'), `#!/bin/sh\necho "$@" > ${join(dir, 'journal-args')}\nif [ -n "$FAIL" ]; then echo 'No journal files were found.' >&2; exit 1; fi\necho '${rec}'\n`);
    chmodSync(join(bin, 'journalctl'), 0o755);
    const PATH = `${bin}:${process.env.PATH ?? ''}`;
    const r = await runCli(['logs', '-n', '7'], { PATH });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'journal-args'), 'utf8').trim()).toBe('-u qinhe -o json -n 7 --no-pager');
    expect(r.stdout.trim()).toBe('2026-11-26 03:00:02.000 WARN  [device=cam-b3-02] device degraded');
    const bad = await runCli(['logs'], { PATH, FAIL: '1' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('No journal files were found.');
    expect(bad.stderr).toContain('systemd-journal');
  }, 30_000);
});

describe('qinhe check on this machine', () => {
  it('fails with ✖ lines and hints for a missing serial port and a refused broker, exit 1', async () => {
    const cfg = join(dir, 'check.yaml');
    writeFileSync(cfg, [
      'version: 1', 'estate: { id: caima }', 'box: { id: caima-01 }',
      'uplink: { url: "mqtt://127.0.0.1:1" }', `storage: { dataDir: ${join(dir, 'data')}, quotaMb: 1 }`,
      `serial: [{ id: rs485-0, path: ${join(dir, 'ttyUSB-gone')} }]`, '',
    ].join('\n'));
    const r = await runCli(['check', '--config', cfg, '--json', '--timeout', '2000']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ id: string; status: string; hint?: string }> };
    expect(out.ok).toBe(false);
    const by = Object.fromEntries(out.checks.map((c) => [c.id, c]));
    expect(by['serial:rs485-0']?.status).toBe('fail');
    expect(by.broker?.status).toBe('fail');
    expect(by.broker?.hint).toContain('nothing listens');
    expect(by.disk?.status).toBe('ok');
    const human = await runCli(['check', '--config', cfg, '--timeout', '2000']);
    expect(human.stdout).toMatch(/✖ rs485-0: .* does not exist\n\s+→ /);
  }, 30_000);
});

describe('the CLI against a real daemon', () => {
  it('qinhe run serves status, a drill and its test incident over its api.socket', async () => {
    const socket = join(dir, 'run', 'api.sock');
    const cfg = join(dir, 'qinhe.yaml');
    writeFileSync(cfg, [
      'version: 1', 'estate: { id: caima }', 'box: { id: caima-01 }', 'uplink: { url: "mqtt://127.0.0.1:1" }',
      `storage: { dataDir: ${join(dir, 'daemon-data')} }`, `api: { socket: ${socket} }`, 'gpio: { backend: fake }',
      'devices:', '  - { id: panic-a1, type: panic, profile: gpio-panic, zone: A1, address: "gpio://gpiochip0/17" }', '',
    ].join('\n'));
    chmodSync(cfg, 0o640);
    daemon = spawnQinhe(['run', '--config', cfg]);
    let status = await runCli(['status', '--json', '--socket', socket]);
    for (let i = 0; i < 60 && status.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      status = await runCli(['status', '--json', '--socket', socket]);
    }
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout) as { box: string; devices: { total: number }; uplink: { connected: boolean } };
    expect(s).toMatchObject({ box: 'caima-01', devices: { total: 1 }, uplink: { connected: false } });
    const drill = await runCli(['test', 'drill', 'panic-a1', '--json', '--socket', socket]);
    expect(drill.code, drill.stderr).toBe(0);
    const { incidentId } = JSON.parse(drill.stdout) as { incidentId: string };
    const inc = await runCli(['incident', incidentId, '--json', '--socket', socket]);
    expect(JSON.parse(inc.stdout)).toMatchObject({ id: incidentId, test: true, device: { id: 'panic-a1' } });
  }, 90_000);
});
