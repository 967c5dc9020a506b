/** One camera as the driver holds it: its session, subscription supervisor and (clip cameras) ring buffer. */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { DriverContext, ResolvedDevice } from '../types.js';
import { parseAddress } from '../../config/address.js';
import { CameraSession } from './session.js';
import { SubscriptionSupervisor } from './supervisor.js';
import { ParserRegistry } from './parsers/registry.js';
import { SegmentRing } from '../evidence/ring-buffer.js';
import { withCredentials } from '../evidence/ffmpeg.js';

export interface OnvifTuning {
  terminationS?: number;
  pullTimeoutS?: number;
  silenceS?: number;
  backoffBaseMs?: number;
  segmentS?: number;
  stallS?: number;
  requestTimeoutMs?: number;
  /**
   * Which stream the clip ring copies: 'sub' (default) keeps 24 façade cameras within a Pi's network and SD-card
   * budget (about 0.5–1 Mbit/s each instead of 4–8); 'main' for full-resolution clips.
   */
  ringStream?: 'main' | 'sub';
  maxReplyBytes?: number;
}

export class Camera {
  readonly id: string;
  readonly logger: Logger;
  readonly session: CameraSession;
  readonly supervisor: SubscriptionSupervisor;
  readonly ring: SegmentRing | undefined;
  readonly creds: { username: string; password: string } | undefined;
  readonly host: string;

  constructor(readonly device: ResolvedDevice, ctx: DriverContext, opts: { ffmpeg: string | undefined; ringRoot: string; tuning: OnvifTuning }) {
    this.id = device.config.id;
    this.logger = ctx.logger.child({ device: this.id });
    const addr = parseAddress(device.config.address);
    if (!addr.ok || addr.address.protocol !== 'onvif') throw new Error(`camera ${this.id}: bad address (${addr.ok ? 'not onvif' : addr.reason})`);
    this.host = addr.address.host;
    this.creds = ctx.credentials(this.id);
    const t = opts.tuning;
    this.session = new CameraSession({
      host: addr.address.host, port: addr.address.port, clock: ctx.clock,
      ...(this.creds ? { username: this.creds.username, password: this.creds.password } : {}),
      ...(t.requestTimeoutMs !== undefined ? { timeoutMs: t.requestTimeoutMs } : {}),
      ...(t.maxReplyBytes !== undefined ? { maxBytes: t.maxReplyBytes } : {}),
    });
    this.supervisor = new SubscriptionSupervisor({
      deviceId: this.id, session: this.session, registry: new ParserRegistry(device.profile.events),
      facts: ctx.facts, clock: ctx.clock, logger: this.logger, offlineAfterS: device.profile.offlineAfterS,
      ...pick(t, ['terminationS', 'pullTimeoutS', 'silenceS', 'backoffBaseMs']),
    });
    const ev = device.profile.evidence;
    if (ev?.clip && opts.ffmpeg) {
      const segmentS = t.segmentS ?? 2;
      this.ring = new SegmentRing({
        cameraId: this.id, ffmpeg: opts.ffmpeg, dir: join(opts.ringRoot, this.id), rtspUrl: () => this.rtspUrl(t.ringStream ?? 'sub'),
        segmentS, segments: Math.ceil((ev.preS + ev.postS) / segmentS) + 4, stallS: t.stallS ?? Math.max(10, segmentS * 5),
        clock: ctx.clock, logger: this.logger,
      });
    }
  }

  /** A URL the camera gave us, on the configured host (cameras behind NAT report their inside address). */
  onHost(uri: string): URL {
    const u = new URL(uri);
    u.hostname = this.host;
    return u;
  }

  rtspUrl(stream: 'main' | 'sub' = 'main'): string | undefined {
    const info = this.supervisor.info;
    const uri = stream === 'sub' ? info?.subStreamUri ?? info?.streamUri : info?.streamUri;
    return uri ? withCredentials(this.onHost(uri).href, this.creds) : undefined;
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
