/**
 * The ONVIF driver: every device whose profile speaks `onvif` gets a session and a subscription supervisor
 * (events → EventFacts, liveness → AvailabilityFacts); it is also the box's EvidencePort (snapshots from
 * any camera, pre-event clips from cameras whose profile asks for them).
 */
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { Driver, DriverContext } from '../types.js';
import type { EvidencePort } from '../../runtime/core/ports.js';
import { QinheError, errorMessage } from '../../runtime/core/errors.js';
import { Camera, type OnvifTuning } from './camera.js';
import { EvidenceStore, type EvidenceFile } from '../evidence/store.js';
import { findFfmpeg, withCredentials } from '../evidence/ffmpeg.js';
import { httpSnapshot, rtspFrame } from '../evidence/snapshot.js';
import { makeClip } from '../evidence/clip.js';

export type { OnvifTuning } from './camera.js';

export interface OnvifDriverOptions {
  ffmpegPath?: string;
  evidenceDir: string;
  retentionBytes: number;
  /** Timings (tests and the demo shorten them). */
  tuning?: OnvifTuning;
  /** Keep pre-event clip rings (default true); the demo's simulated cameras have no RTSP stream to record. */
  clips?: boolean;
}

export function createOnvifDriver(ctx: DriverContext, opts: OnvifDriverOptions): Driver & EvidencePort {
  return new OnvifDriver(ctx, opts);
}

class OnvifDriver implements Driver, EvidencePort {
  readonly name = 'onvif';
  private readonly store: EvidenceStore;
  private readonly cameras = new Map<string, Camera>();
  private controller: AbortController | undefined;
  private runs: Promise<void>[] = [];
  private ffmpeg: string | undefined;
  private built = false;

  constructor(private readonly ctx: DriverContext, private readonly opts: OnvifDriverOptions) {
    this.store = new EvidenceStore(opts.evidenceDir, opts.retentionBytes);
  }

  private build(): void {
    if (this.built) return;
    this.built = true;
    try {
      this.ffmpeg = findFfmpeg(this.opts.ffmpegPath);
    } catch (err) {
      this.ctx.logger.warn({ err: errorMessage(err) }, 'ffmpeg unavailable: no clips and no RTSP snapshots');
    }
    for (const device of this.ctx.devices) {
      if (device.profile.protocol !== 'onvif') continue;
      try {
        // Without clips, the camera still snapshots over HTTP; ffmpeg is then only withheld from the ring.
        const clipDevice = this.opts.clips === false && device.profile.evidence?.clip
          ? { ...device, profile: { ...device.profile, evidence: { ...device.profile.evidence, clip: false } } } : device;
        this.cameras.set(device.config.id, new Camera(clipDevice, this.ctx, {
          ffmpeg: this.ffmpeg, ringRoot: join(this.opts.evidenceDir, '.ring'), tuning: this.opts.tuning ?? {},
        }));
      } catch (err) {
        this.ctx.logger.error({ device: device.config.id, err: errorMessage(err) }, 'camera skipped');
      }
    }
  }

  async start(signal: AbortSignal): Promise<void> {
    this.build();
    if (this.controller) return;
    const controller = new AbortController();
    // Each camera's supervisor listens on this signal (its sleep and its request in flight): 40 cameras is normal.
    setMaxListeners(Math.max(10, this.cameras.size * 4), controller.signal);
    this.controller = controller;
    signal.addEventListener('abort', () => controller.abort(), { once: true });
    for (const cam of this.cameras.values()) {
      if (cam.device.profile.needsCredentials && !cam.creds) {
        cam.logger.warn('camera needs credentials and the secrets file has none');
        this.ctx.facts.availability({ device: cam.id, state: 'offline', error: 'no credentials in the secrets file',
          at: this.ctx.clock.now(), mono: this.ctx.clock.mono() });
        continue;
      }
      this.runs.push(cam.supervisor.run(controller.signal));
      cam.ring?.start();
    }
  }

  async stop(): Promise<void> {
    const controller = this.controller;
    this.controller = undefined;
    controller?.abort();
    const runs = this.runs;
    this.runs = [];
    await Promise.all(runs);
    await Promise.all([...this.cameras.values()].map((c) => c.ring?.stop()));
  }

  private camera(id: string): Camera {
    this.build();
    const cam = this.cameras.get(id);
    if (!cam) throw new QinheError('QH_EVIDENCE_IO', `no ONVIF camera ${id}`);
    return cam;
  }

  async snapshot(cameraId: string, incidentId: string): Promise<EvidenceFile> {
    const cam = this.camera(cameraId);
    const info = cam.supervisor.info ?? await cam.session.connect();
    const { id, file } = await this.store.allocate(incidentId, 'jpg');
    let httpError: unknown;
    if (info.snapshotUri) {
      try {
        await httpSnapshot(cam.onHost(info.snapshotUri), cam.creds, file);
        return await this.store.finish(id, file, 'image/jpeg');
      } catch (err) {
        httpError = err;
        cam.logger.debug({ err: errorMessage(err) }, 'snapshot URI failed; trying an RTSP frame');
      }
    }
    const rtsp = info.streamUri ? cam.onHost(info.streamUri) : undefined;
    if (!rtsp || !this.ffmpeg) {
      throw httpError ?? new QinheError('QH_EVIDENCE_IO', `camera ${cameraId} has neither a snapshot URI nor ffmpeg + RTSP`);
    }
    await rtspFrame(this.ffmpeg, join(this.opts.evidenceDir, '.input'), withCredentials(rtsp.href, cam.creds), file);
    return this.store.finish(id, file, 'image/jpeg');
  }

  async clip(cameraId: string, incidentId: string, eventMono: number): Promise<EvidenceFile> {
    const cam = this.camera(cameraId);
    const ev = cam.device.profile.evidence;
    if (!cam.ring || !ev || !this.ffmpeg) throw new QinheError('QH_EVIDENCE_IO', `camera ${cameraId} keeps no clip ring buffer`);
    const { id, file } = await this.store.allocate(incidentId, 'mp4');
    await makeClip({
      ring: cam.ring, ffmpeg: this.ffmpeg, eventMono, preS: ev.preS, postS: ev.postS, segmentS: this.opts.tuning?.segmentS ?? 2,
      out: file, workDir: join(this.opts.evidenceDir, '.ring'), clock: this.ctx.clock,
      ...(this.controller ? { signal: this.controller.signal } : {}),
    });
    return this.store.finish(id, file, 'video/mp4');
  }
}
