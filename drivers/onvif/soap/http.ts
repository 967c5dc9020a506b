/**
 * Bounded HTTP for cameras: one deadline over the whole exchange (connect, headers and body, so a camera that
 * trickles one byte a second still times out), a byte cap checked against Content-Length and while reading
 * (a 50 MB reply is cut off at the cap, so memory stays bounded), and HTTP digest auth (RFC 7616) with the
 * challenge cached per camera. Every failure is a coded error for that camera alone.
 */
import http from 'node:http';
import { QinheError } from '../../../runtime/core/errors.js';
import { authorizationFor, parseChallenges, type DigestState } from './digest.js';

export interface HttpLimits {
  /** Deadline for the whole exchange, ms. */
  timeoutMs: number;
  /** Largest body accepted, bytes. */
  maxBytes: number;
}

export interface HttpReply {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  limits: HttpLimits;
  signal?: AbortSignal;
}

/** One request, no authentication. */
export function boundedRequest(req: HttpRequest, authorization?: string): Promise<HttpReply & { challenges: string[] }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const headers: Record<string, string> = { ...req.headers };
    if (authorization) headers.authorization = authorization;
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const r = http.request(req.url, { method: req.method, headers, agent: false });
    const fail = (err: QinheError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      r.destroy();
      reject(err);
    };
    const onAbort = (): void => fail(new QinheError('QH_ONVIF_REQUEST', `request to ${req.url.host} aborted`));
    const timer = setTimeout(() => fail(new QinheError('QH_ONVIF_REQUEST',
      `no complete reply from ${req.url.host}${req.url.pathname} within ${req.limits.timeoutMs} ms`)), req.limits.timeoutMs);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    r.on('error', (err) => fail(new QinheError('QH_ONVIF_REQUEST', `${req.url.host}: ${err.message}`, { cause: err })));
    r.on('response', (res) => {
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > req.limits.maxBytes) {
        fail(new QinheError('QH_ONVIF_HOSTILE', `reply of ${declared} bytes exceeds the ${req.limits.maxBytes}-byte cap`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > req.limits.maxBytes) {
          fail(new QinheError('QH_ONVIF_HOSTILE', `reply exceeds the ${req.limits.maxBytes}-byte cap`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => fail(new QinheError('QH_ONVIF_REQUEST', `${req.url.host}: ${err.message}`, { cause: err })));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks, size),
          challenges: challengeHeaders(res.rawHeaders),
        });
      });
    });
    r.end(req.body);
  });
}

function challengeHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === 'www-authenticate') out.push(raw[i + 1] ?? '');
  }
  return out;
}

/**
 * A request with HTTP digest: reuses the cached challenge (nc counts up), and on a 401 answers the fresh
 * challenge once. A second 401 means the credentials are wrong.
 */
export async function digestRequest(req: HttpRequest, state: DigestState | undefined): Promise<HttpReply> {
  const first = await boundedRequest(req, state ? authorizationFor(state, req.method, pathOf(req.url)) : undefined);
  if (first.status !== 401 || !state) return first;
  const challenge = parseChallenges(first.challenges);
  if (!challenge) return first;
  state.challenge = challenge;
  state.nc = 0;
  const second = await boundedRequest(req, authorizationFor(state, req.method, pathOf(req.url)));
  if (second.status === 401) throw new QinheError('QH_ONVIF_AUTH', `${req.url.host} refused the credentials (HTTP digest)`);
  return second;
}

function pathOf(url: URL): string {
  return url.pathname + url.search;
}
