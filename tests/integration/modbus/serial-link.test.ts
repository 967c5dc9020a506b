/**
 * The SerialLink's lifecycle over socat PTY pairs, in a child process with --expose-gc: an ended link
 * (unplugged, or closed by its owner even from inside its own data listener) holds nothing in serialport's
 * binding, so garbage collection takes it. serialport's binding itself keeps its poller per opened port
 * forever (an upstream leak of about 0.4 KB per open; see drivers/transport/serial.ts); what we attach to that
 * poller must not keep our link, its port and its buffers with it. Skips, saying why, only when socat is missing.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './pty.js';

const noSocat = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0;
if (noSocat) console.warn('[serial link] skipped: socat is not installed (apt-get install socat)');
const CHILD = fileURLToPath(new URL('./link-lifecycle-child.ts', import.meta.url));

function run(mode: 'unplug' | 'close-in-data', cycles: number, dir: string) {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, dir, mode, String(cycles)], { encoding: 'utf8', timeout: 60_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return { status: r.status, signal: r.signal, stderr: r.stderr, result: line.startsWith('{') ? JSON.parse(line) as { cycles: number; alive: number; received: number; lost: number } : undefined };
}

describe.skipIf(noSocat)('SerialLink lifecycle over socat PTYs', () => {
  let tmp: ReturnType<typeof tempDir> | undefined;
  afterEach(() => {
    // A child that crashed leaves its socat running: end whatever still holds this test's directory.
    if (tmp) spawnSync('pkill', ['-f', tmp.dir], { stdio: 'ignore' });
    tmp?.remove();
  });

  it('an unplugged link reports lost once per unplug and is collected afterwards', () => {
    tmp = tempDir();
    const r = run('unplug', 12, tmp.dir);
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toMatchObject({ status: 0, signal: null });
    expect(r.result).toMatchObject({ cycles: 12, alive: 0, lost: 12 });
    expect(r.result?.received).toBeGreaterThanOrEqual(12); // every cycle's link saw the peer's bytes
  }, 60_000);

  it('a link closed from inside its own data listener neither crashes the process nor stays alive', () => {
    tmp = tempDir();
    const r = run('close-in-data', 12, tmp.dir);
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toMatchObject({ status: 0, signal: null });
    expect(r.result).toMatchObject({ cycles: 12, alive: 0, lost: 0 });
    expect(r.result?.received).toBeGreaterThanOrEqual(12);
  }, 60_000);
});
