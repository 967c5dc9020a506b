import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireInstanceLock, LOCK_FILE } from '../../../runtime/system/instance-lock.js';
import { tempDir } from '../store/fixtures.js';

let tmp: ReturnType<typeof tempDir>;
afterEach(() => tmp.cleanup());

describe('instance lock on the data directory', () => {
  it('refuses a second daemon while the first one lives, naming its pid, and frees the directory when it exits', async () => {
    tmp = tempDir();
    // The first daemon: another node process that takes the lock and waits.
    const holder = spawn(process.execPath, ['--import', 'tsx', '-e',
      `const { acquireInstanceLock } = await import(${JSON.stringify(new URL('../../../runtime/system/instance-lock.ts', import.meta.url).href)});
       acquireInstanceLock(${JSON.stringify(tmp.dir)}); console.log('held'); setTimeout(() => process.exit(0), 60000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout!.on('data', (b: Buffer) => { if (b.toString().includes('held')) resolve(); }));
    try {
      expect(() => acquireInstanceLock(tmp.dir)).toThrow(new RegExp(`QH_BOX_LOCKED|another qinhe \\(pid ${holder.pid}`));
      try { acquireInstanceLock(tmp.dir); } catch (err) { expect((err as { code?: string }).code).toBe('QH_BOX_LOCKED'); }
    } finally {
      holder.kill('SIGTERM');
      await new Promise((r) => holder.once('exit', r));
    }
    // Killed without a clean exit, its lock file stays: stale (the pid is gone), so it is taken over.
    expect(existsSync(join(tmp.dir, LOCK_FILE))).toBe(true);
    const lock = acquireInstanceLock(tmp.dir);
    expect(readFileSync(lock.file, 'utf8').split('\n')[0]).toBe(String(process.pid));
    lock.release();
    expect(existsSync(lock.file)).toBe(false);
  }, 30_000);

  it('takes over a lock whose pid now belongs to a process that is not node (a pid reused after a reboot)', () => {
    tmp = tempDir();
    const sleeper = spawnSync('sh', ['-c', 'sleep 5 & echo $!'], { encoding: 'utf8' });
    const pid = Number(sleeper.stdout.trim());
    writeFileSync(join(tmp.dir, LOCK_FILE), `${pid}\n2026-01-01T00:00:00.000Z\n`);
    const lock = acquireInstanceLock(tmp.dir);
    expect(readFileSync(lock.file, 'utf8').split('\n')[0]).toBe(String(process.pid));
    lock.release();
    try { process.kill(pid); } catch { /* gone */ }
  });
});
