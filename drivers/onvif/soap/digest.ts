/**
 * HTTP digest access authentication (RFC 7616; MD5 and SHA-256, qop=auth). Cameras often offer both
 * algorithms in two WWW-Authenticate headers (Hikvision does); we take SHA-256 when offered.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
  algorithm: 'MD5' | 'SHA-256';
}

export interface DigestState {
  username: string;
  password: string;
  challenge?: DigestChallenge;
  nc: number;
}

export function newDigestState(username: string, password: string): DigestState {
  return { username, password, nc: 0 };
}

function parseParams(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out[(m[1] ?? '').toLowerCase()] = m[2] ?? m[3] ?? '';
  return out;
}

/** The strongest digest challenge among the WWW-Authenticate headers, or undefined. */
export function parseChallenges(headers: string[]): DigestChallenge | undefined {
  let best: DigestChallenge | undefined;
  for (const h of headers) {
    if (!/^\s*digest\s/i.test(h)) continue;
    const p = parseParams(h.replace(/^\s*digest\s+/i, ''));
    const alg = (p.algorithm ?? 'MD5').toUpperCase();
    if (alg !== 'MD5' && alg !== 'SHA-256') continue;
    if (p.realm === undefined || p.nonce === undefined) continue;
    const c: DigestChallenge = { realm: p.realm, nonce: p.nonce, algorithm: alg };
    if (p.qop !== undefined) c.qop = p.qop;
    if (p.opaque !== undefined) c.opaque = p.opaque;
    if (!best || (best.algorithm === 'MD5' && alg === 'SHA-256')) best = c;
  }
  return best;
}

function hash(alg: DigestChallenge['algorithm'], text: string): string {
  return createHash(alg === 'MD5' ? 'md5' : 'sha256').update(text, 'utf8').digest('hex');
}

/** The Authorization header for one request; counts nc up. Undefined without a cached challenge. */
export function authorizationFor(state: DigestState, method: string, uri: string): string | undefined {
  const c = state.challenge;
  if (!c) return undefined;
  const ha1 = hash(c.algorithm, `${state.username}:${c.realm}:${state.password}`);
  const ha2 = hash(c.algorithm, `${method}:${uri}`);
  const parts = [`username="${state.username}"`, `realm="${c.realm}"`, `nonce="${c.nonce}"`, `uri="${uri}"`,
    `algorithm=${c.algorithm}`];
  const useQop = c.qop?.split(',').map((q) => q.trim()).includes('auth');
  if (useQop) {
    state.nc += 1;
    const nc = state.nc.toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    parts.push(`qop=auth`, `nc=${nc}`, `cnonce="${cnonce}"`,
      `response="${hash(c.algorithm, `${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`)}"`);
  } else {
    parts.push(`response="${hash(c.algorithm, `${ha1}:${c.nonce}:${ha2}`)}"`);
  }
  if (c.opaque !== undefined) parts.push(`opaque="${c.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}

/** Server side check, used by the simulated camera (and a test of this module). */
export function verifyAuthorization(header: string, method: string, expected: { username: string; password: string; realm: string }): boolean {
  const p = parseParams(header.replace(/^\s*digest\s+/i, ''));
  if (p.username !== expected.username || p.realm !== expected.realm || !p.nonce || !p.uri || !p.response) return false;
  const alg = (p.algorithm ?? 'MD5').toUpperCase() === 'SHA-256' ? 'SHA-256' : 'MD5';
  const ha1 = hash(alg, `${expected.username}:${expected.realm}:${expected.password}`);
  const ha2 = hash(alg, `${method}:${p.uri}`);
  const want = p.qop === 'auth'
    ? hash(alg, `${ha1}:${p.nonce}:${p.nc ?? ''}:${p.cnonce ?? ''}:auth:${ha2}`)
    : hash(alg, `${ha1}:${p.nonce}:${ha2}`);
  return want === p.response;
}
