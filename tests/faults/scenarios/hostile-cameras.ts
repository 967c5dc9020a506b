/**
 * Item 14 — hostile cameras. One real ONVIF driver watches six simulated cameras: five turn hostile once
 * subscribed (every PullMessages answered with a billion-laughs DTD, an external entity, 50 MB, a stall, or
 * garbage) and one behaves and emits a motion event every second. Checked: every event of the good camera is
 * delivered within 2 s, the hostile ones are told apart by coded errors, and memory stays bounded (peak JS heap
 * + buffers growth < 64 MB, sampled every 10 ms).
 */
import { join } from 'node:path';
import { createOnvifDriver } from '../../../drivers/onvif/index.js';
import { SimulatedCamera, type HostileMode } from '../../simulators/onvif/simulated-camera.js';
import { LogSink, PASSWORD, Recorder, USER, cameraDevice, context } from '../../integration/onvif/helpers.js';
import { percentile, sleep, waitUntil, type Scenario } from '../lib/suite.js';

const MODES: HostileMode[] = ['entity-expansion', 'external-entity', 'huge', 'stall', 'garbage'];

export const hostileCameras: Scenario = {
  id: 'hostile-cameras', item: 14, title: 'hostile cameras beside a good one', sizes: 'CI 12 s; --full 120 s',
  async run(ctx) {
    const seconds = ctx.full ? 120 : 12;
    const cams: SimulatedCamera[] = [];
    for (let i = 0; i <= MODES.length; i++) {
      const cam = new SimulatedCamera({ username: USER, password: PASSWORD, model: 'hikvision', maxPullHoldMs: 300 });
      await cam.start();
      ctx.defer(() => cam.stop());
      cams.push(cam);
    }
    const good = cams[MODES.length]!;
    const dir = ctx.tmp('hostile');
    const rec = new Recorder();
    const log = new LogSink();
    const devices = cams.map((c, i) => cameraDevice(i < MODES.length ? `cam-${MODES[i]}` : 'cam-good', c.port, {}));
    const driver = createOnvifDriver(context(devices, rec, log, dir), {
      evidenceDir: join(dir, 'evidence'), retentionBytes: 1e9, tuning: { terminationS: 60, pullTimeoutS: 1, backoffBaseMs: 100 } });
    await driver.start(new AbortController().signal);
    ctx.defer(() => driver.stop());
    await waitUntil(() => cams.every((c) => c.liveSubscriptions() === 1), 'every camera subscribed', 30_000, 50);
    for (const [i, mode] of MODES.entries()) cams[i]!.hostile = { mode, on: 'pull' };
    const used = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
    const base = used();
    let peak = base;
    const sampler = setInterval(() => { peak = Math.max(peak, used()); }, 10);
    ctx.defer(() => clearInterval(sampler));
    const latencies: number[] = [];
    let missed = 0;
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      const before = rec.events.filter((e) => e.device === 'cam-good').length;
      const at = Date.now();
      good.emit('tns1:RuleEngine/CellMotionDetector/Motion', { IsMotion: 'true' });
      try {
        await waitUntil(() => rec.events.filter((e) => e.device === 'cam-good').length > before, 'the good camera\'s event', 2000, 10);
        latencies.push(Date.now() - at);
      } catch { missed += 1; }
      await sleep(Math.max(0, 1000 - (Date.now() - at)));
    }
    clearInterval(sampler);
    const growthMb = (peak - base) / 1e6;
    const text = log.text.join('');
    const coded = MODES.filter((m) => text.includes(`cam-${m}`));
    const codes = ['QH_ONVIF_HOSTILE', 'QH_ONVIF_REQUEST'].filter((c) => text.includes(c));
    ctx.figure('seconds', seconds);
    ctx.figure('goodEvents', latencies.length + missed);
    ctx.figure('missed', missed);
    ctx.figure('latencyP50Ms', percentile(latencies, 50));
    ctx.figure('latencyMaxMs', Math.max(0, ...latencies));
    ctx.figure('peakGrowthMb', growthMb);
    ctx.figure('hostileCamerasLogged', coded.length);
    ctx.figure('codesLogged', codes.join(','));
    ctx.check('the good camera\'s events all delivered within 2 s', missed === 0 && latencies.length > 0,
      `${latencies.length}/${latencies.length + missed}, max ${Math.max(0, ...latencies)} ms`);
    ctx.check('memory bounded (< 64 MB peak growth)', growthMb < 64, `${growthMb.toFixed(1)} MB`);
    ctx.check('every hostile camera named in the logs with a coded error', coded.length === MODES.length && codes.includes('QH_ONVIF_HOSTILE'),
      `${coded.length}/${MODES.length} cameras, codes ${codes.join(', ') || 'none'}`);
  },
};
