/**
 * The `onvif` library (agsh, 0.8.3, the decided client) for the device and media calls, with its gaps
 * patched per instance:
 * - its HTTP buffers any reply in full and only times out an idle socket: we replace `_requestPart2` with our
 *   bounded transport (size cap, one deadline, DTD refusal, digest) and hand the bounded text to its parser;
 * - its WS-Security Created uses process uptime plus a shift set only once (never re-measured after a camera
 *   reboot) and hashes the password as ASCII: we replace `_passwordDigest` with ours, fed by our clock offset;
 * - an exception thrown inside its callbacks (a reply of the wrong shape) would escape as an unhandled
 *   rejection: the transport catches it and fails the call in flight.
 */
import onvif from 'onvif';
import libUtils from 'onvif/lib/utils.js';
import { randomBytes } from 'node:crypto';
import { QinheError, isQinheError } from '../../runtime/core/errors.js';
import type { SoapClient } from './soap/client.js';
import { passwordDigest } from './soap/wsse.js';

type LibCallback = (err: Error | null, data?: unknown, xml?: string, status?: number) => void;
interface LibRequestOptions { service?: string; url?: { path?: string; href?: string }; body: string; action?: string }
interface PatchedCam {
  uri?: Record<string, { path?: string; href?: string } | undefined>;
  path: string;
  _requestPart2: (options: LibRequestOptions, cb: LibCallback) => void;
  _passwordDigest: () => { passdigest: string; nonce: string; timestamp: string };
  [method: string]: unknown;
}

export class LibCam {
  private readonly cam: PatchedCam;
  private failInFlight: ((err: unknown) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Aborts the library's requests in flight (driver stop). */
  signal: AbortSignal | undefined;

  constructor(private readonly soap: SoapClient, opts: { hostname: string; port: number; username?: string; password?: string; timeoutMs: number }) {
    const cam = new onvif.Cam({
      hostname: opts.hostname, port: opts.port, timeout: opts.timeoutMs, autoconnect: false, preserveAddress: true,
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
    }) as unknown as PatchedCam;
    cam._requestPart2 = (options, cb) => this.transport(options, cb);
    cam._passwordDigest = () => {
      const nonce = randomBytes(16);
      const timestamp = new Date(this.soap.cameraNow()).toISOString();
      return { passdigest: passwordDigest(nonce, timestamp, opts.password ?? ''), nonce: nonce.toString('base64'), timestamp };
    };
    this.cam = cam;
  }

  private transport(options: LibRequestOptions, cb: LibCallback): void {
    const cam = this.cam;
    const path = options.url?.path
      ?? (options.service ? cam.uri?.[options.service]?.path ?? options.service : cam.path);
    const url = this.soap.url(path);
    this.soap.post(url, options.body, { ...(options.action ? { action: options.action } : {}), ...(this.signal ? { signal: this.signal } : {}) }).then(({ status, text }) => {
      if (!text.replace(/^\uFEFF/, '').trimStart().startsWith('<')) {
        throw new QinheError('QH_ONVIF_HOSTILE', `${this.soap.host} sent a reply that is not XML`);
      }
      if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
        throw new QinheError('QH_ONVIF_HOSTILE', `${this.soap.host} sent a document type declaration (refused)`);
      }
      libUtils.parseSOAPString(text, cb, status);
    }).catch((err: unknown) => this.failInFlight?.(err));
  }

  /** Calls one library method, one at a time per camera; a thrown callback fails this call. */
  call<T>(method: string, ...args: unknown[]): Promise<T> {
    const run = (): Promise<T> => new Promise<T>((resolve, reject) => {
      this.failInFlight = (err) => reject(toCoded(err, this.soap.host, method));
      const fn = this.cam[method];
      if (typeof fn !== 'function') {
        reject(new QinheError('QH_ONVIF_REQUEST', `onvif library has no ${method}`));
        return;
      }
      try {
        (fn as (...a: unknown[]) => void).call(this.cam, ...args, (err: Error | null, data: unknown) => {
          if (err) reject(toCoded(err, this.soap.host, method));
          else resolve(data as T);
        });
      } catch (err) {
        reject(toCoded(err, this.soap.host, method));
      }
    });
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  get uri(): PatchedCam['uri'] {
    return this.cam.uri;
  }
}

function toCoded(err: unknown, host: string, method: string): QinheError {
  if (isQinheError(err)) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/NotAuthorized|not authorized|authentication failed/i.test(msg)) {
    return new QinheError('QH_ONVIF_AUTH', `${host} ${method}: ${msg}`, { cause: err });
  }
  if (/SOAP Fault/i.test(msg)) return new QinheError('QH_ONVIF_FAULT', `${host} ${method}: ${msg}`, { cause: err });
  return new QinheError('QH_ONVIF_HOSTILE', `${host} ${method}: unexpected reply (${msg.slice(0, 120)})`, { cause: err });
}
