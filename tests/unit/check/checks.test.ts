import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../runtime/check/run.js';
import type { CheckProbes, CheckResult } from '../../../runtime/check/types.js';
import { CONFIG_FILE, configInput, errno, goodProbes } from './fake-probes.js';

const run = (probes: CheckProbes) => runChecks(CONFIG_FILE, probes, { timeoutMs: 100 });
const byId = (rs: CheckResult[], id: string) => rs.filter((r) => r.id === id || r.id.startsWith(`${id}:`));
const only = (rs: CheckResult[], id: string): CheckResult => {
  const hit = byId(rs, id);
  expect(hit).toHaveLength(1);
  return hit[0]!;
};

describe('qinhe check', () => {
  it('passes every check on a healthy box', async () => {
    const rs = await run(goodProbes());
    expect(rs.filter((r) => r.status !== 'ok')).toEqual([]);
    expect(new Set(rs.map((r) => r.id.split(':')[0]))).toEqual(new Set(['config', 'secrets', 'serial', 'gpio', 'ffmpeg', 'broker', 'clock', 'disk']));
  });

  it('fails config when the file is invalid, and still runs the hardware checks', async () => {
    const rs = await run(goodProbes({
      loadConfig: () => ({ ok: false, issues: [{ file: CONFIG_FILE, line: 3, column: 1, path: 'uplink.url', message: 'not a URL' }] }),
      readText: () => 'version: 1\nestate: {id: caima}\nbox: {id: b}\nuplink: {url: "mqtts://x:8883"}\nserial: [{id: rs485-0, path: /dev/gone}]\n',
      exists: (p) => p !== '/dev/gone',
    }));
    const c = only(rs, 'config');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('not a URL');
    expect(c.hint).toContain('qinhe config validate');
    expect(only(rs, 'serial').status).toBe('fail');
  });

  it('fails secrets when the file is readable by others, with the chmod to fix it', async () => {
    const r = only(await run(goodProbes({ mode: () => 0o644 })), 'secrets');
    expect(r.status).toBe('fail');
    expect(r.message).toContain('0644');
    expect(r.hint).toBe('sudo chmod 600 /etc/qinhe/secrets.yaml');
  });

  it('fails a serial line whose port is missing', async () => {
    const r = only(await run(goodProbes({ exists: (p) => p !== '/dev/qinhe/rs485-0' })), 'serial');
    expect(r.status).toBe('fail');
    expect(r.message).toContain('does not exist');
    expect(r.hint).toContain('/dev/serial/by-id');
  });

  it('fails a serial line that cannot be opened for lack of permission, naming group dialout', async () => {
    const r = only(await run(goodProbes({ openSerial: async () => { throw errno('EACCES'); } })), 'serial');
    expect(r.status).toBe('fail');
    expect(r.hint).toContain('dialout');
  });

  it('only warns about a busy serial port (the daemon may hold it)', async () => {
    const r = only(await run(goodProbes({ openSerial: async () => { throw errno('EBUSY'); } })), 'serial');
    expect(r.status).toBe('warn');
  });

  it('fails gpio when GPIO devices are configured and no backend exists', async () => {
    const r = only(await run(goodProbes({ exists: (p) => p !== '/sys/class/gpio', listDir: () => [] })), 'gpio');
    expect(r.status).toBe('fail');
    expect(r.hint).toContain('gpiod');
  });

  it('fails ffmpeg when cameras are configured and ffmpeg is not on PATH', async () => {
    const r = only(await run(goodProbes({ which: () => undefined })), 'ffmpeg');
    expect(r.status).toBe('fail');
    expect(r.hint).toContain('apt install ffmpeg');
  });

  it('fails ffmpeg when the configured binary does not run', async () => {
    const input = configInput({ ffmpeg: { path: '/opt/ffmpeg/bin/ffmpeg' } });
    const r = only(await run(goodProbes({ run: async (cmd) => (cmd === 'timedatectl' ? { code: 0, stdout: 'yes', stderr: '' } : { code: null, stdout: '', stderr: '', error: 'ENOENT' }) }, input)), 'ffmpeg');
    expect(r.status).toBe('fail');
    expect(r.message).toContain('/opt/ffmpeg/bin/ffmpeg');
    expect(r.hint).toContain('ffmpeg.path');
  });

  it('fails broker when the TCP connect is refused', async () => {
    const r = only(await run(goodProbes({ tcpConnect: async () => { throw errno('ECONNREFUSED'); } })), 'broker');
    expect(r.status).toBe('fail');
    expect(r.message).toContain('center.example:8883');
    expect(r.hint).toContain('nothing listens');
  });

  it('fails broker when the TLS handshake is rejected, and uses the box certificate and key', async () => {
    let seen: { cert?: string; key?: string; ca?: string } = {};
    const r = only(await run(goodProbes({ tlsHandshake: async (o) => { seen = o; return { authorized: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }; } })), 'broker');
    expect(r.status).toBe('fail');
    expect(r.message).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(seen).toMatchObject({ ca: 'PEM of /etc/qinhe/ca.pem', cert: 'PEM of /etc/qinhe/box.pem', key: 'KEY' });
  });

  it('fails clock when NTP is not synchronized', async () => {
    const r = only(await run(goodProbes({ run: async (cmd) => (cmd === 'timedatectl' ? { code: 0, stdout: 'no\n', stderr: '' } : { code: 0, stdout: 'ffmpeg version 5', stderr: '' }) })), 'clock');
    expect(r.status).toBe('fail');
    expect(r.hint).toContain('timesync-status');
  });

  it('says the clock is unknown (warn) when timedatectl is missing', async () => {
    const r = only(await run(goodProbes({ run: async (cmd) => (cmd === 'timedatectl' ? { code: null, stdout: '', stderr: '', error: 'ENOENT' } : { code: 0, stdout: 'ffmpeg version 5', stderr: '' }) })), 'clock');
    expect(r.status).toBe('warn');
    expect(r.message).toContain('unknown');
    expect(r.hint).toContain('chronyc');
  });

  it('fails disk when free space is below the store quota', async () => {
    const r = only(await run(goodProbes({ diskSpace: async () => ({ free: 100 * 1024 * 1024, total: 8 * 1024 ** 3 }) })), 'disk');
    expect(r.status).toBe('fail');
    expect(r.message).toContain('100 MiB free');
    expect(r.message).toContain('512 MiB');
  });

  it('reports a check that throws as failed instead of crashing', async () => {
    const rs = await run(goodProbes({ diskSpace: async () => { throw new Error('boom'); } }));
    expect(only(rs, 'disk').status).toBe('fail');
  });
});
