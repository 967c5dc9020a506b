/**
 * A simulated ONVIF camera speaking SOAP 1.2 over HTTP on loopback: device, media and events (PullPoint)
 * services, HTTP digest and WS-Security, a snapshot JPEG, and injectable misbehaviour (reboot, renewal
 * failure, clock skew, hostile replies, a dead or frozen camera). One small http server per camera, so the
 * demo can run 40 of them.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { verifyAuthorization } from '../../../drivers/onvif/soap/digest.js';
import { passwordDigest } from '../../../drivers/onvif/soap/wsse.js';
import * as reply from './soap-replies.js';
import { sendHostile, type HostileMode } from './hostile.js';
import { SNAPSHOT_JPEG } from './snapshot-jpeg.js';
import { SubscriptionTable } from './subscriptions.js';

export type { CameraModel } from './soap-replies.js';
export type { HostileMode } from './hostile.js';

export interface SimulatedCameraOptions {
  port?: number;
  username: string;
  password: string;
  model: reply.CameraModel;
  clockSkewMs?: number;
  rtspUrl?: string;
  /** Which authentication the camera accepts (default: hikvision any, dahua HTTP digest, axis WS-Security). */
  auth?: 'any' | 'wsse' | 'digest';
  /** Longest a PullMessages is held open when there is nothing to deliver (default: the requested timeout). */
  maxPullHoldMs?: number;
  serial?: string;
  /** Answer GetSnapshotUri with a fault (cameras without one: the box grabs an RTSP frame instead). */
  noSnapshotUri?: boolean;
}

const REALM = 'IP Camera';
const WSSE_WINDOW_MS = 10_000;
const DEFAULT_AUTH = { hikvision: 'any', dahua: 'digest', axis: 'wsse' } as const;
const TOPICS = ['tns1:RuleEngine/CellMotionDetector/Motion', 'tns1:VideoSource/MotionAlarm', 'tns1:RuleEngine/TamperDetector/Tamper',
  'tns1:RuleEngine/FieldDetector/ObjectsInside', 'tns1:RuleEngine/LineDetector/Crossed', 'tns1:Device/Trigger/DigitalInput'];

export class SimulatedCamera {
  readonly stats = { created: 0, renewed: 0, pulls: 0, unsubscribed: 0, snapshots: 0, requests: 0 };
  /** Misbehaviour switches; tests flip them. */
  renewFails = false;
  state: 'ok' | 'dead' | 'frozen' = 'ok';
  /** Hostile replies: to every request, to PullMessages only, or to the device/media calls (not the time). */
  hostile: { mode: HostileMode; on: 'any' | 'pull' | 'media' } | null = null;

  private server: http.Server | undefined;
  private powered = true;
  private readonly subs = new SubscriptionTable();
  private readonly open = new Set<ServerResponse>();
  private clockBase: { real: number; camera: number };
  private nonce = randomBytes(12).toString('hex');
  private readonly parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, attributeNamePrefix: '@_', parseTagValue: false });

  constructor(private readonly opts: SimulatedCameraOptions) {
    this.clockBase = { real: Date.now(), camera: Date.now() + (opts.clockSkewMs ?? 0) };
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The camera's own clock (skewed, and restarted by a reboot). */
  cameraNow(): number {
    return this.clockBase.camera + (Date.now() - this.clockBase.real);
  }

  liveSubscriptions(): number {
    return this.subs.live(this.cameraNow());
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 1000;
    server.on('connection', (socket) => { if (!this.powered) socket.destroy(); });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.subs.clear();
    for (const res of this.open) res.destroy();
    this.open.clear();
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Power off: every connection is dropped and new ones are reset until `powerOn`, while the listening socket
   * stays bound, so the camera comes back on its own port (a stop/start could lose it to any other process on
   * the machine in between: EADDRINUSE).
   */
  powerOff(): void {
    this.powered = false;
    this.subs.clear();
    for (const res of this.open) res.destroy();
    this.open.clear();
    this.server?.closeAllConnections();
  }

  /** Power on after `powerOff`: booted afresh (no subscriptions, clock at 2000-01-01). */
  powerOn(): void {
    this.reboot();
    this.powered = true;
  }

  /** Forgets every subscription and restarts its clock at 2000-01-01 (no RTC until NTP), as cameras do. */
  reboot(): void {
    this.subs.clear();
    this.nonce = randomBytes(12).toString('hex');
    this.clockBase = { real: Date.now(), camera: Date.UTC(2000, 0, 1) };
  }

  /** Injects an event into every live subscription. */
  emit(topic: string, data: Record<string, string>, opts: { source?: Record<string, string>; operation?: 'Initialized' | 'Changed' | 'Deleted' } = {}): void {
    this.subs.push({
      topic, data, source: opts.source ?? { VideoSourceConfigurationToken: 'VideoSourceToken' },
      operation: opts.operation ?? 'Changed', at: this.cameraNow(),
    }, this.cameraNow());
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.stats.requests += 1;
    if (this.state === 'dead') { req.socket.destroy(); return; }
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    if (this.state === 'frozen') return; // accepted, never answered
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => { size += c.length; if (size < 256 * 1024) chunks.push(c); });
    req.on('end', () => {
      try {
        this.route(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        this.send(res, 500, reply.fault('Receiver', 'ter:Action', `simulator: ${(err as Error).message}`));
      }
    });
  }

  private send(res: ServerResponse, status: number, body: string): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' });
    res.end(body);
  }

  private digestOk(req: IncomingMessage): boolean {
    const h = req.headers.authorization;
    return typeof h === 'string' && h.includes(`nonce="${this.nonce}"`)
      && verifyAuthorization(h, req.method ?? 'GET', { username: this.opts.username, password: this.opts.password, realm: REALM });
  }

  private challenge(res: ServerResponse): void {
    res.writeHead(401, { 'www-authenticate': `Digest realm="${REALM}", qop="auth", nonce="${this.nonce}", algorithm=MD5` });
    res.end();
  }

  private wsseOk(envelope: unknown): boolean {
    const token = pick(envelope, ['Envelope', 'Header', 'Security', 'UsernameToken']);
    const user = textOf(pick(token, ['Username']));
    const pass = textOf(pick(token, ['Password']));
    const nonce = textOf(pick(token, ['Nonce']));
    const created = textOf(pick(token, ['Created']));
    if (user !== this.opts.username || !pass || !nonce || !created) return false;
    if (Math.abs(Date.parse(created) - this.cameraNow()) > WSSE_WINDOW_MS) return false;
    return passwordDigest(Buffer.from(nonce, 'base64'), created, this.opts.password) === pass;
  }

  private route(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const auth = this.opts.auth ?? DEFAULT_AUTH[this.opts.model];
    if (req.method === 'GET' && url.pathname === '/onvif/snapshot.jpg') {
      if (!this.digestOk(req)) { this.challenge(res); return; }
      this.stats.snapshots += 1;
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': SNAPSHOT_JPEG.length });
      res.end(SNAPSHOT_JPEG);
      return;
    }
    const doc = this.parser.parse(body) as unknown;
    const bodyEl = pick(doc, ['Envelope', 'Body']);
    const op = bodyEl && typeof bodyEl === 'object' ? Object.keys(bodyEl).find((k) => !k.startsWith('@_')) ?? '' : '';
    const isPull = op === 'PullMessages';
    const targeted = this.hostile?.on === 'any' || (this.hostile?.on === 'pull' && isPull)
      || (this.hostile?.on === 'media' && !isPull && op !== 'GetSystemDateAndTime');
    if (this.hostile && targeted) {
      sendHostile(this.hostile.mode, res);
      return;
    }
    if (op !== 'GetSystemDateAndTime') {
      const wsse = auth !== 'digest' && this.wsseOk(doc);
      const digest = auth !== 'wsse' && this.digestOk(req);
      if (!wsse && !digest) {
        if (auth === 'wsse') { this.send(res, 400, reply.fault('Sender', 'ter:NotAuthorized', 'Sender not Authorized')); return; }
        this.challenge(res);
        return;
      }
    }
    this.operation(op, pick(bodyEl, [op]), url, res);
  }

  private operation(op: string, el: unknown, url: URL, res: ServerResponse): void {
    const now = this.cameraNow();
    const base = this.baseUrl;
    switch (op) {
      case 'GetSystemDateAndTime': return this.send(res, 200, reply.dateTime(now));
      case 'GetCapabilities': return this.send(res, 200, reply.capabilities(base));
      case 'GetDeviceInformation': return this.send(res, 200, reply.deviceInformation(this.opts.model, this.opts.serial ?? `SIM${this.port}`));
      case 'GetProfiles': return this.send(res, 200, reply.profiles());
      case 'GetStreamUri': {
        // Every profile streams rtspUrl when one is given (the test source has one stream); else Hikvision-style paths.
        const channel = textOf(pick(el, ['ProfileToken'])) === 'Profile_2' ? 102 : 101;
        return this.send(res, 200, reply.mediaUri('Stream', this.opts.rtspUrl ?? `rtsp://127.0.0.1:554/Streaming/Channels/${channel}`));
      }
      case 'GetSnapshotUri':
        if (this.opts.noSnapshotUri) return this.send(res, 400, reply.fault('Sender', 'ter:ActionNotSupported', 'no snapshot'));
        return this.send(res, 200, reply.mediaUri('Snapshot', `${base}/onvif/snapshot.jpg`));
      case 'GetEventProperties': return this.send(res, 200, reply.eventProperties(TOPICS));
      case 'CreatePullPointSubscription': {
        const ttlMs = durationMs(textOf(pick(el, ['InitialTerminationTime']))) ?? 60_000;
        const id = this.subs.create(now + ttlMs);
        this.stats.created += 1;
        return this.send(res, 200, reply.subscriptionCreated(`${base}/onvif/Events/PullSubManager?Idx=${id}`, now, now + ttlMs));
      }
      case 'Renew': {
        const sub = this.subs.get(url.searchParams.get('Idx'), now);
        if (!sub) return this.send(res, 400, reply.fault('Sender', 'wsrf-rw:ResourceUnknownFault', 'unknown subscription'));
        if (this.renewFails) return this.send(res, 500, reply.fault('Receiver', 'ter:Action', 'renew refused'));
        sub.termination = now + (durationMs(textOf(pick(el, ['TerminationTime']))) ?? 60_000);
        this.stats.renewed += 1;
        return this.send(res, 200, reply.renewed(now, sub.termination));
      }
      case 'Unsubscribe': {
        this.subs.delete(url.searchParams.get('Idx'));
        this.stats.unsubscribed += 1;
        return this.send(res, 200, reply.envelope('<wsnt:UnsubscribeResponse/>'));
      }
      case 'PullMessages': {
        const sub = this.subs.get(url.searchParams.get('Idx'), now);
        if (!sub) return this.send(res, 400, reply.fault('Sender', 'wsrf-rw:ResourceUnknownFault', 'unknown subscription'));
        this.stats.pulls += 1;
        const holdMs = Math.min(durationMs(textOf(pick(el, ['Timeout']))) ?? 10_000, this.opts.maxPullHoldMs ?? Infinity);
        const limit = Number(textOf(pick(el, ['MessageLimit'])) ?? 100);
        this.subs.waitFor(sub, holdMs, (events) => this.send(res, 200, reply.pulled(this.cameraNow(), sub.termination, events.slice(0, limit))));
        return;
      }
      default:
        return this.send(res, 400, reply.fault('Sender', 'ter:ActionNotSupported', `${op} not supported`));
    }
  }
}

function pick(node: unknown, path: string[]): unknown {
  let cur = node;
  for (const p of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

function textOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  const t = pick(node, ['#text']);
  return typeof t === 'string' ? t : undefined;
}

/** xs:duration of the simple forms cameras use: PT60S, PT1M, PT1H30M. */
function durationMs(text: string | undefined): number | undefined {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(text?.trim() ?? '');
  if (!m) return undefined;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}
