/**
 * One camera session: the clock offset first (WS-Security needs it), then device information, media
 * profiles, stream and snapshot URIs through the onvif library (patched, lib-cam.ts), and the events service
 * address for our own PullPoint client.
 */
import type { Clock } from '../types.js';
import { LibCam } from './lib-cam.js';
import { SoapClient } from './soap/client.js';
import { isQinheError } from '../../runtime/core/errors.js';

export interface CameraProfile {
  token: string;
  name: string;
  encoding?: string;
  width?: number;
  height?: number;
}

export interface CameraInfo {
  manufacturer: string;
  model: string;
  firmwareVersion: string;
  serialNumber: string;
  clockOffsetMs: number;
  profiles: CameraProfile[];
  /** Stream and snapshot URIs as the camera gives them (no credentials in them). */
  streamUri?: string;
  /** Stream of the smallest profile (the sub-stream), when the camera has more than one profile. */
  subStreamUri?: string;
  snapshotUri?: string;
  eventsPath: string;
}

export interface SessionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  clock: Clock;
  /** Per-request deadline, ms (default 5000). */
  timeoutMs?: number;
  /** Response size cap, bytes (default 1 MiB: real replies are a few kB). */
  maxBytes?: number;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_BYTES = 1024 * 1024;

export class CameraSession {
  readonly soap: SoapClient;
  private readonly lib: LibCam;

  constructor(readonly opts: SessionOptions) {
    const limits = { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES };
    const creds = {
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
    };
    this.soap = new SoapClient({ host: opts.host, port: opts.port, clock: opts.clock, limits, ...creds });
    this.lib = new LibCam(this.soap, { hostname: opts.host, port: opts.port, timeoutMs: limits.timeoutMs, ...creds });
  }

  async connect(signal?: AbortSignal): Promise<CameraInfo> {
    this.lib.signal = signal;
    const { offsetMs } = await this.soap.syncClock(signal);
    await this.lib.call('getCapabilities');
    const dev = await this.lib.call<Record<string, unknown>>('getDeviceInformation');
    const rawProfiles = await this.lib.call<Array<Record<string, unknown>>>('getProfiles');
    const profiles = (rawProfiles ?? []).map(toProfile).filter((p): p is CameraProfile => p !== undefined);
    const first = profiles[0]?.token;
    const info: CameraInfo = {
      manufacturer: String(dev?.manufacturer ?? ''), model: String(dev?.model ?? ''),
      firmwareVersion: String(dev?.firmwareVersion ?? ''), serialNumber: String(dev?.serialNumber ?? ''),
      clockOffsetMs: offsetMs, profiles, eventsPath: this.lib.uri?.events?.path ?? '/onvif/event_service',
    };
    if (first !== undefined) {
      const stream = await this.lib.call<{ uri?: unknown }>('getStreamUri', { protocol: 'RTSP', profileToken: first });
      if (typeof stream?.uri === 'string') info.streamUri = stream.uri;
      const sub = smallest(profiles);
      if (sub && sub.token !== first) {
        const subStream = await this.lib.call<{ uri?: unknown }>('getStreamUri', { protocol: 'RTSP', profileToken: sub.token });
        if (typeof subStream?.uri === 'string') info.subStreamUri = subStream.uri;
      }
      try {
        const snap = await this.lib.call<{ uri?: unknown }>('getSnapshotUri', { profileToken: first });
        if (typeof snap?.uri === 'string') info.snapshotUri = snap.uri;
      } catch (err) {
        // Optional in Profile S: a camera without it gets the ffmpeg frame grab instead.
        if (isQinheError(err, 'QH_ONVIF_AUTH')) throw err;
      }
    }
    return info;
  }
}

function smallest(profiles: CameraProfile[]): CameraProfile | undefined {
  const area = (p: CameraProfile): number => (p.width ?? Infinity) * (p.height ?? Infinity);
  return [...profiles].sort((a, b) => area(a) - area(b))[0];
}

function toProfile(p: Record<string, unknown>): CameraProfile | undefined {
  const attrs = p.$ as Record<string, unknown> | undefined;
  const token = attrs?.token;
  if (typeof token !== 'string') return undefined;
  const enc = p.videoEncoderConfiguration as Record<string, unknown> | undefined;
  const res = enc?.resolution as Record<string, unknown> | undefined;
  const out: CameraProfile = { token, name: String(p.name ?? token) };
  if (typeof enc?.encoding === 'string') out.encoding = enc.encoding;
  if (typeof res?.width === 'number') out.width = res.width;
  if (typeof res?.height === 'number') out.height = res.height;
  return out;
}
