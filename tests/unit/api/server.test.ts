import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiService, groupIdFromEtc } from '../../../runtime/api/server.js';
import { FakeBoxApi } from '../../integration/api/fake-box-api.js';

const logger = pino({ level: 'silent' });

function call(socketPath: string, method: string, path: string, body?: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('local API server', () => {
  let dir: string;
  let socket: string;
  let api: FakeBoxApi;
  let stop: (() => Promise<void>) | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qinhe-srv-'));
    socket = join(dir, 'run', 'api.sock');
    api = new FakeBoxApi();
    const svc = createApiService({ socketPath: socket, api, logger, lookupGroup: () => undefined });
    await svc.start();
    stop = () => svc.stop();
  });
  afterEach(async () => {
    await stop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the socket 0660 in a directory of mode 0750', () => {
    expect(statSync(socket).mode & 0o777).toBe(0o660);
    expect(statSync(join(dir, 'run')).mode & 0o777).toBe(0o750);
  });

  it('answers views as JSON and passes query filters through', async () => {
    const r = await call(socket, 'GET', '/v1/incidents?open=1&limit=5');
    expect(r.status).toBe(200);
    expect(api.calls.at(-1)).toEqual({ method: 'incidents', args: [{ open: true, limit: 5 }] });
  });

  it('maps unknown ids to 404 with the error code', async () => {
    const r = await call(socket, 'GET', '/v1/incidents/none');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: { code: 'QH_INCIDENT_UNKNOWN', message: 'no incident none' } });
  });

  it('rejects bad bodies and out-of-range arguments with 400 before calling the box', async () => {
    const before = api.calls.length;
    expect((await call(socket, 'POST', '/v1/test/siren', '{"target":"B3","seconds":301}')).status).toBe(400);
    expect((await call(socket, 'POST', '/v1/test/siren', 'not json')).status).toBe(400);
    expect((await call(socket, 'POST', '/v1/test-mode', '{"deviceIds":"door-a1","on":true}')).status).toBe(400);
    expect(api.calls.length).toBe(before);
  });

  it('answers 404 for an unknown path and 405 for a wrong method', async () => {
    expect((await call(socket, 'GET', '/v1/nothing')).status).toBe(404);
    expect((await call(socket, 'POST', '/v1/status')).status).toBe(405);
  });

  it('turns a failing device operation into a coded 500', async () => {
    const r = await call(socket, 'POST', '/v1/devices/siren-b3/read');
    expect(r.status).toBe(500);
    expect((r.json as { error: { code: string } }).error.code).toBe('QH_MODBUS_TIMEOUT');
  });

  it('puts devices in test mode and waits for their next event', async () => {
    await call(socket, 'POST', '/v1/test-mode', '{"deviceIds":["door-a1"],"on":true,"ttlS":600}');
    api.pendingEvents.set('door-a1', { topic: 'input', kind: 'door' });
    const r = await call(socket, 'GET', '/v1/devices/door-a1/next-event?timeoutMs=5000');
    expect(r.json).toMatchObject({ deviceId: 'door-a1', event: { kind: 'door', active: true, test: true } });
    expect(api.calls.find((c) => c.method === 'setTestMode')?.args).toEqual([['door-a1'], true, 600]);
  });

  it('removes its socket on stop, and stop is idempotent', async () => {
    await stop?.();
    await stop?.();
    expect(() => statSync(socket)).toThrow();
    stop = undefined;
  });
});

describe('socket file on start', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'qinhe-srv-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces a stale socket left by a crash', async () => {
    const socket = join(dir, 'api.sock');
    const old = createServer();
    await new Promise<void>((r) => old.listen(socket, r));
    // Simulate a crash: the file stays, nobody listens any more.
    (old as unknown as { _handle: { close(): void } | null })._handle?.close();
    const svc = createApiService({ socketPath: socket, api: new FakeBoxApi(), logger, lookupGroup: () => undefined });
    await svc.start();
    expect((await call(socket, 'GET', '/v1/store')).status).toBe(200);
    await svc.stop();
  });

  it('refuses to start when another daemon answers on the socket', async () => {
    const socket = join(dir, 'api.sock');
    const first = createApiService({ socketPath: socket, api: new FakeBoxApi(), logger, lookupGroup: () => undefined });
    await first.start();
    const second = createApiService({ socketPath: socket, api: new FakeBoxApi(), logger, lookupGroup: () => undefined });
    await expect(second.start()).rejects.toThrow(/another qinhe daemon/);
    await first.stop();
  });

  it('refuses to replace a file that is not a socket', async () => {
    const socket = join(dir, 'api.sock');
    writeFileSync(socket, 'x');
    const svc = createApiService({ socketPath: socket, api: new FakeBoxApi(), logger, lookupGroup: () => undefined });
    await expect(svc.start()).rejects.toThrow(/not a socket/);
  });

  it('reads a group id from an /etc/group file', () => {
    const f = join(dir, 'group');
    writeFileSync(f, 'root:x:0:\ndialout:x:20:pi\nqinhe:x:998:tech\n');
    expect(groupIdFromEtc('qinhe', f)).toBe(998);
    expect(groupIdFromEtc('gpio', f)).toBeUndefined();
  });
});

describe('socket directory', () => {
  it('leaves the mode of an existing directory alone (never chmods a shared one like /tmp)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qinhe-srv-'));
    chmodSync(dir, 0o755);
    const svc = createApiService({ socketPath: join(dir, 'api.sock'), api: new FakeBoxApi(), logger, lookupGroup: () => undefined });
    await svc.start();
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'api.sock')).mode & 0o777).toBe(0o660);
    await svc.stop();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(process.getuid?.() !== 0)('group qinhe (as root)', () => {
  it('gives the socket and the directory it creates to the qinhe group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qinhe-srv-'));
    const gid = 4242;
    const svc = createApiService({ socketPath: join(dir, 'run', 'api.sock'), api: new FakeBoxApi(), logger, lookupGroup: (name) => (name === 'qinhe' ? gid : undefined) });
    await svc.start();
    expect(statSync(join(dir, 'run', 'api.sock')).gid).toBe(gid);
    expect(statSync(join(dir, 'run')).gid).toBe(gid);
    await svc.stop();
    rmSync(dir, { recursive: true, force: true });
  });
});
