import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedCamera } from '../../simulators/onvif/simulated-camera.js';
import { RtspSource, rtspUnavailableReason } from '../../simulators/rtsp/rtsp-source.js';
import { createOnvifDriver } from '../../../drivers/onvif/index.js';
import { PASSWORD, USER, LogSink, Recorder, cameraDevice, context, waitFor } from './helpers.js';

const reason = rtspUnavailableReason();
if (reason) console.warn(`skipping evidence tests: ${reason}`);

const sha = async (f: string): Promise<string> => createHash('sha256').update(await readFile(f)).digest('hex');

/** Command lines of our ffmpeg processes (those working under `dir`). */
function ffmpegCmdlines(dir: string): string[] {
  const out: string[] = [];
  for (const pid of spawnSync('pgrep', ['-x', 'ffmpeg'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)) {
    const r = spawnSync('cat', [`/proc/${pid}/cmdline`], { encoding: 'utf8' });
    const cmd = r.stdout.replace(/\0/g, ' ');
    if (cmd.includes(dir)) out.push(cmd);
  }
  return out;
}

describe.skipIf(reason !== undefined)('ONVIF evidence: snapshots and pre-event clips (GStreamer RTSP source)', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

  async function setup(camOpts: { noSnapshotUri?: boolean } = {}, stallS = 4) {
    const rtsp = new RtspSource(USER, PASSWORD);
    await rtsp.start();
    cleanup.push(() => rtsp.stop());
    const cam = new SimulatedCamera({ username: USER, password: PASSWORD, model: 'hikvision', maxPullHoldMs: 300, rtspUrl: rtsp.url, ...camOpts });
    await cam.start();
    cleanup.push(() => cam.stop());
    const dir = await mkdtemp(join(tmpdir(), 'qh-evidence-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const rec = new Recorder();
    const log = new LogSink();
    const device = cameraDevice('cam-f1', cam.port, {
      events: [{ topic: 'ThrowingDetector/ThrowingObject', kind: 'falling-object' }],
      evidence: { clip: true, preS: 2, postS: 2 },
    });
    const driver = createOnvifDriver(context([device], rec, log, dir), {
      evidenceDir: join(dir, 'evidence'), retentionBytes: 1e9, tuning: { pullTimeoutS: 1, segmentS: 1, stallS },
    });
    await driver.start(new AbortController().signal);
    cleanup.push(() => driver.stop());
    return { rtsp, cam, rec, log, driver, dir };
  }

  it('a falling-object event gives an EventFact, a snapshot and a clip, each with its sha256', async () => {
    // A stall restart empties the ring; on a loaded CI machine (soaks beside) 4 s without a new segment happened
    // and the clip found no footage. The stall path has its own test below.
    const { cam, rec, log, driver, dir } = await setup({}, 20);
    await waitFor('a subscription', () => cam.liveSubscriptions() === 1);
    // Let the ring fill past preS before the event: 3 complete 1-s segments (and the one being written).
    const ring = join(dir, 'evidence', '.ring', 'cam-f1');
    const segments = (): number => { try { return readdirSync(ring).filter((f) => /^seg\d+\.ts$/.test(f)).length; } catch { return 0; } };
    await waitFor('pre-event footage', () => segments() >= 4, 30_000);
    cam.emit('tns1:RuleEngine/tnshik:ThrowingDetector/ThrowingObject', { State: 'true' });
    await waitFor('the event fact', () => rec.events.length > 0);
    const fact = rec.events[0];
    expect(fact).toMatchObject({ kind: 'falling-object', active: true });

    const snap = await driver.snapshot('cam-f1', '01JDINCIDENT0000000000000A');
    expect(snap.mime).toBe('image/jpeg');
    expect(snap.sha256).toBe(await sha(snap.file));
    expect((await readFile(snap.file)).subarray(0, 2).toString('hex')).toBe('ffd8');

    const clip = await driver.clip!('cam-f1', '01JDINCIDENT0000000000000A', fact!.mono);
    expect(clip.mime).toBe('video/mp4');
    expect(clip.sha256).toBe(await sha(clip.file));
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', clip.file], { encoding: 'utf8' });
    // Segments are cut on key frames (every second here), so the clip covers at least the 4 s window.
    expect(Number(probe.stdout)).toBeGreaterThanOrEqual(3);
    expect(clip.file.startsWith(join(dir, 'evidence', '01JDINCIDENT0000000000000A'))).toBe(true);

    // The camera password is in no ffmpeg argv and in no log line.
    const cmdlines = ffmpegCmdlines(dir);
    expect(cmdlines.length).toBeGreaterThan(0);
    expect(cmdlines.join('\n')).not.toContain(PASSWORD);
    expect(log.text.join('')).not.toContain(PASSWORD);
    // The private input list is gone once ffmpeg has read it (5 s after the ring started).
    const inputs = join(dir, 'evidence', '.ring', 'cam-f1', '.input');
    await waitFor('the input list removed', () => readdirSync(inputs).length === 0, 10_000);
    expect(await readdir(inputs)).toEqual([]);
  }, 90_000); // up to 30 s for the ring to fill on a loaded machine, then the clip's post-event window

  it('grabs an RTSP frame when the camera has no snapshot URI', async () => {
    const { driver } = await setup({ noSnapshotUri: true });
    const snap = await driver.snapshot('cam-f1', 'inc-1');
    expect(snap.sha256).toBe(await sha(snap.file));
    expect((await readFile(snap.file)).subarray(0, 2).toString('hex')).toBe('ffd8');
  });

  it('restarts a stalled ring buffer and logs down and recovery once each', async () => {
    const { rtsp, log, dir } = await setup();
    await waitFor('ffmpeg running', () => ffmpegCmdlines(dir).length > 0, 10_000);
    await new Promise((r) => setTimeout(r, 2000));
    const port = rtsp.port;
    await rtsp.stop();
    await waitFor('ring down', () => log.lines.some((l) => l.msg === 'clip ring buffer down'), 20_000);
    await rtsp.start(port);
    await waitFor('ring recovered', () => log.lines.some((l) => l.msg === 'clip ring buffer recovered'), 40_000);
    expect(log.lines.filter((l) => l.msg === 'clip ring buffer down')).toHaveLength(1);
    expect(log.text.join('')).not.toContain(PASSWORD);
  }, 60_000);
});
