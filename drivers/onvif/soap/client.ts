/**
 * Our own small SOAP 1.2 client for the calls that run all day (time, events): bounded HTTP (size cap, one
 * deadline), HTTP digest and WS-Security, DTD-free parsing. The camera's clock offset, measured with
 * GetSystemDateAndTime, goes into every WS-Security Created.
 */
import type { Clock } from '../../types.js';
import { QinheError, isQinheError } from '../../../runtime/core/errors.js';
import { digestRequest, type HttpLimits } from './http.js';
import { newDigestState, type DigestState } from './digest.js';
import { securityHeader, escapeXml } from './wsse.js';
import { child, parseSafeXml, soapBody, text, type XmlNode } from './xml.js';

export interface SoapClientOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  clock: Clock;
  limits: HttpLimits;
}

export interface CallOptions {
  /** WS-Addressing Action (and To = the URL), which PullPoint endpoints often need. */
  action?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Send WS-Security (default: when credentials are set). */
  security?: boolean;
}

export const NS = {
  device: 'http://www.onvif.org/ver10/device/wsdl',
  events: 'http://www.onvif.org/ver10/events/wsdl',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
  wsa: 'http://www.w3.org/2005/08/addressing',
} as const;

export class SoapClient {
  /** Camera time minus our wall time, ms (GetSystemDateAndTime). */
  offsetMs = 0;
  private readonly digest: DigestState | undefined;

  constructor(private readonly opts: SoapClientOptions) {
    this.digest = opts.username !== undefined && opts.password !== undefined
      ? newDigestState(opts.username, opts.password) : undefined;
  }

  get host(): string {
    return `${this.opts.host}:${this.opts.port}`;
  }

  url(path: string): URL {
    return new URL(path, `http://${this.host}`);
  }

  /** Our clock as the camera sees it. */
  cameraNow(): number {
    return this.opts.clock.now() + this.offsetMs;
  }

  envelope(body: string, url: URL, opts: CallOptions = {}): string {
    let header = '';
    if (opts.security !== false && this.opts.username !== undefined && this.opts.password !== undefined) {
      header += securityHeader(this.opts.username, this.opts.password, this.cameraNow());
    }
    if (opts.action) {
      header += `<wsa:Action>${escapeXml(opts.action)}</wsa:Action><wsa:To>${escapeXml(url.href)}</wsa:To>`;
    }
    return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="${NS.wsa}">`
      + `<s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
  }

  /** POSTs a ready envelope; returns the reply text (any status), bounded. */
  async post(url: URL, envelope: string, opts: CallOptions = {}): Promise<{ status: number; text: string }> {
    const reply = await digestRequest({
      method: 'POST', url, body: envelope,
      headers: { 'content-type': `application/soap+xml; charset=utf-8${opts.action ? `; action="${opts.action}"` : ''}` },
      limits: { ...this.opts.limits, timeoutMs: opts.timeoutMs ?? this.opts.limits.timeoutMs },
      ...(opts.signal ? { signal: opts.signal } : {}),
    }, this.digest);
    if (reply.status === 401) throw new QinheError('QH_ONVIF_AUTH', `${this.host} answered 401 without a digest challenge`);
    return { status: reply.status, text: reply.body.toString('utf8') };
  }

  /** One SOAP call; returns the Body element. */
  async call(url: URL, body: string, opts: CallOptions = {}): Promise<XmlNode> {
    const { status, text: xml } = await this.post(url, this.envelope(body, url, opts), opts);
    let doc: XmlNode;
    try {
      doc = parseSafeXml(xml, this.host);
    } catch (err) {
      if (status >= 400) throw new QinheError('QH_ONVIF_REQUEST', `${this.host} answered HTTP ${status}`, { cause: err });
      throw err;
    }
    return soapBody(doc, this.host);
  }

  /**
   * GetSystemDateAndTime, unauthenticated (ONVIF Core §5.9.1 allows it before auth), and the offset it
   * implies. Also the liveness probe: it is cheap and every camera must answer it.
   */
  async syncClock(signal?: AbortSignal): Promise<{ offsetMs: number; cameraTime: number }> {
    const url = this.url('/onvif/device_service');
    const request = `<tds:GetSystemDateAndTime xmlns:tds="${NS.device}"/>`;
    const sent = this.opts.clock.now();
    let body: XmlNode;
    try {
      body = await this.call(url, request, { security: false, ...(signal ? { signal } : {}) });
    } catch (err) {
      // Some cameras (Panasonic, Digital Barriers) want it authenticated after all; our last offset is the best guess.
      if (!isQinheError(err, 'QH_ONVIF_AUTH')) throw err;
      body = await this.call(url, request, signal ? { signal } : {});
    }
    const received = this.opts.clock.now();
    const sdt = child(child(body, 'GetSystemDateAndTimeResponse'), 'SystemDateAndTime');
    const utc = child(sdt, 'UTCDateTime');
    const t = child(utc, 'Time');
    const d = child(utc, 'Date');
    const n = (node: unknown, name: string): number => Number(text(child(node, name)));
    const cameraTime = Date.UTC(n(d, 'Year'), n(d, 'Month') - 1, n(d, 'Day'), n(t, 'Hour'), n(t, 'Minute'), n(t, 'Second'));
    if (!Number.isFinite(cameraTime)) throw new QinheError('QH_ONVIF_HOSTILE', `${this.host} sent no usable UTCDateTime`);
    this.offsetMs = cameraTime - Math.round((sent + received) / 2);
    return { offsetMs: this.offsetMs, cameraTime };
  }
}
