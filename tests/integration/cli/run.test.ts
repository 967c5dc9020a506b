/**
 * The daemon on a machine without the devices: it starts, keeps running, answers SIGHUP with a broken
 * config by keeping the old one, and stops on SIGTERM within 5 s.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { ROOT, runQinhe, spawnQinhe } from '../../helpers/cli.js';
import { NotifyReceiver } from '../../unit/system/notify-receiver.js';

const CANARY = 'Canary-Pw-4711';

function provisionBox(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'qinhe-run-'));
  const secrets = join(dir, 'in-secrets.yaml');
  writeFileSync(secrets, `cameras:\n  default: { username: admin, password: "${CANARY}" }\n`);
  chmodSync(secrets, 0o600);
  const r = runQinhe(['provision', '--inventory', join(ROOT, 'config/demo/caima-inventory.csv'), '--estate', 'caima', '--box', 'caima-01',
    '--out', join(dir, 'etc'), '--secrets', secrets, '--data-dir', join(dir, 'data'), '--broker', 'mqtt://127.0.0.1:1']);
  expect(r.code, r.stderr).toBe(0);
  return { dir, config: join(dir, 'etc', 'qinhe.yaml') };
}

class LogWatch {
  lines: Array<Record<string, unknown>> = [];
  raw = '';
  constructor(readonly child: ChildProcess) {
    let buf = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.raw += text;
      buf += text;
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const p of parts) if (p.trim()) this.lines.push(JSON.parse(p) as Record<string, unknown>);
    });
    child.stderr?.on('data', (chunk: Buffer) => { this.raw += chunk.toString(); });
  }

  async waitFor(pred: (l: Record<string, unknown>) => boolean, what: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const start = Date.now();
    for (;;) {
      const hit = this.lines.find(pred);
      if (hit) return hit;
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; log so far:\n${this.raw.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('qinhe run', () => {
  it('runs without devices, keeps the old config on a bad SIGHUP reload, and stops on SIGTERM within 5 s', async () => {
    const { config } = provisionBox();
    child = spawnQinhe(['run', '--config', config]);
    const log = new LogWatch(child);
    await log.waitFor((l) => l.msg === 'box running', 'box running');

    const good = readFileSync(config, 'utf8');
    writeFileSync(config, good.replace('version: 1', 'version: 1\nbogusKey: true'));
    child.kill('SIGHUP');
    const rejected = await log.waitFor((l) => String(l.msg).startsWith('config reload rejected'), 'reload rejected');
    expect((rejected.errors as string[]).join('\n')).toContain('unknown key "bogusKey"');
    expect(child.exitCode).toBeNull();

    writeFileSync(config, good);
    child.kill('SIGHUP');
    await log.waitFor((l) => l.msg === 'config reloaded', 'config reloaded');

    // A second daemon on the same data directory refuses to start and names the first.
    const second = runQinhe(['run', '--config', config]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`another qinhe (pid ${child.pid}`);

    const t0 = Date.now();
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await exited;
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(log.lines.some((l) => l.msg === 'box stopped')).toBe(true);
    // Secrets never reach a log line.
    expect(log.raw).not.toContain(CANARY);
  });

  it('tells systemd READY after the store is open, pings the watchdog, and says STOPPING', async () => {
    const { config, dir } = provisionBox();
    const receiver = await NotifyReceiver.start(join(dir, 'notify.sock'));
    try {
      child = spawnQinhe(['run', '--config', config], { env: { NOTIFY_SOCKET: join(dir, 'notify.sock'), WATCHDOG_USEC: '400000' } });
      const log = new LogWatch(child);
      const ready = await receiver.waitFor((d) => d.m.startsWith('READY=1'));
      expect(ready.m).toContain('STATUS=running: 477 devices');
      await log.waitFor((l) => l.msg === 'box running', 'box running');
      await receiver.waitFor((d) => d.m === 'WATCHDOG=1' && d.t > ready.t);
      child.kill('SIGTERM');
      await receiver.waitFor((d) => d.m === 'STOPPING=1');
    } finally {
      receiver.stop();
    }
  });

  it('refuses to start on an invalid config with exit 1 and the errors', () => {
    const { config, dir } = provisionBox();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(config, 'utf8').replace('version: 1', 'version: 3'));
    const r = runQinhe(['run', '--config', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('version');
  });
});
