import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedCamera, type HostileMode } from '../../simulators/onvif/simulated-camera.js';
import { CameraSession } from '../../../drivers/onvif/session.js';
import { createOnvifDriver } from '../../../drivers/onvif/index.js';
import { systemClock } from '../../../drivers/types.js';
import { isQinheError } from '../../../runtime/core/errors.js';
import { PASSWORD, USER, LogSink, Recorder, cameraDevice, context, waitFor } from './helpers.js';

const EXPECTED: Record<HostileMode, string> = {
  'entity-expansion': 'QH_ONVIF_HOSTILE',
  'external-entity': 'QH_ONVIF_HOSTILE',
  huge: 'QH_ONVIF_HOSTILE',
  garbage: 'QH_ONVIF_HOSTILE',
  stall: 'QH_ONVIF_REQUEST',
};

/** Peak growth of JS heap + Buffer memory while `fn` runs, bytes. */
async function peakGrowth(fn: () => Promise<unknown>): Promise<number> {
  const used = (): number => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
  const base = used();
  let peak = base;
  const t = setInterval(() => { peak = Math.max(peak, used()); }, 5);
  try { await fn(); } catch { /* the caller checks the error separately */ } finally { clearInterval(t); }
  return Math.max(peak, used()) - base;
}

describe('hostile cameras', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

  async function camera(): Promise<SimulatedCamera> {
    const cam = new SimulatedCamera({ username: USER, password: PASSWORD, model: 'hikvision', maxPullHoldMs: 300 });
    await cam.start();
    cleanup.push(() => cam.stop());
    return cam;
  }

  for (const mode of Object.keys(EXPECTED) as HostileMode[]) {
    it(`rejects a reply with ${mode} as ${EXPECTED[mode]}, with memory bounded`, async () => {
      const cam = await camera();
      cam.hostile = { mode, on: 'any' };
      const session = new CameraSession({ host: '127.0.0.1', port: cam.port, username: USER, password: PASSWORD, clock: systemClock, timeoutMs: 1500 });
      let error: unknown;
      const growth = await peakGrowth(() => session.connect().catch((e: unknown) => { error = e; }));
      expect(isQinheError(error) ? error.code : error).toBe(EXPECTED[mode]);
      // The cap is 1 MiB; a client that buffered the 50 MB reply (or expanded the entities) would blow far past this.
      expect(growth).toBeLessThan(16 * 1024 * 1024);
    });
  }

  it('rejects hostile replies to the library-driven calls too (GetProfiles after a good clock sync)', async () => {
    const cam = await camera();
    const session = new CameraSession({ host: '127.0.0.1', port: cam.port, username: USER, password: PASSWORD, clock: systemClock });
    await session.soap.syncClock();
    cam.hostile = { mode: 'external-entity', on: 'media' };
    await expect(session.connect()).rejects.toMatchObject({ code: 'QH_ONVIF_HOSTILE' });
  });

  it('a hostile camera costs only itself: its neighbour keeps delivering events', async () => {
    const bad = await camera();
    const good = await camera();
    const dir = await mkdtemp(join(tmpdir(), 'qh-hostile-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const rec = new Recorder();
    const log = new LogSink();
    const driver = createOnvifDriver(context([cameraDevice('cam-bad', bad.port), cameraDevice('cam-good', good.port)], rec, log, dir), {
      evidenceDir: join(dir, 'evidence'), retentionBytes: 1e6, tuning: { pullTimeoutS: 1, backoffBaseMs: 100, requestTimeoutMs: 1000 },
    });
    await driver.start(new AbortController().signal);
    cleanup.push(() => driver.stop());
    await waitFor('both subscribed', () => bad.liveSubscriptions() === 1 && good.liveSubscriptions() === 1);
    for (const mode of ['huge', 'entity-expansion', 'garbage', 'stall', 'external-entity'] as HostileMode[]) {
      bad.hostile = { mode, on: 'pull' };
      const before = rec.events.length;
      good.emit('tns1:RuleEngine/FieldDetector/ObjectsInside', { IsInside: 'true' });
      await waitFor(`the neighbour's event during ${mode}`, () => rec.events.length > before);
    }
    expect(rec.events.every((e) => e.device === 'cam-good' && e.kind === 'intrusion')).toBe(true);
    await waitFor('the bad camera reported offline', () => rec.availability.some((a) => a.device === 'cam-bad' && a.state === 'offline'));
    expect(rec.availability.filter((a) => a.device === 'cam-good').map((a) => a.state)).toEqual(['online']);
  });
});
