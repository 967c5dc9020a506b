import { describe, expect, it } from 'vitest';
import { authorizationFor, newDigestState, parseChallenges, verifyAuthorization } from '../../../drivers/onvif/soap/digest.js';
import { passwordDigest } from '../../../drivers/onvif/soap/wsse.js';

describe('HTTP digest', () => {
  it('verifies the RFC 2617 §3.5 example response', () => {
    const header = 'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
      + 'uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", '
      + 'opaque="5ccc069c403ebaf9f0171e9517f40e41"';
    expect(verifyAuthorization(header, 'GET', { username: 'Mufasa', password: 'Circle Of Life', realm: 'testrealm@host.com' })).toBe(true);
    expect(verifyAuthorization(header, 'GET', { username: 'Mufasa', password: 'circle of life', realm: 'testrealm@host.com' })).toBe(false);
  });

  it('prefers SHA-256 when a camera offers both algorithms, and counts nc up', () => {
    const c = parseChallenges(['Digest qop="auth", realm="IP Camera", nonce="abc", stale="FALSE"',
      'Digest qop="auth", realm="IP Camera", nonce="def", algorithm="SHA-256", stale="FALSE"', 'Basic realm="x"']);
    expect(c).toMatchObject({ algorithm: 'SHA-256', nonce: 'def' });
    const state = newDigestState('admin', 'pw');
    state.challenge = c;
    const a1 = authorizationFor(state, 'POST', '/onvif/device_service') ?? '';
    const a2 = authorizationFor(state, 'POST', '/onvif/device_service') ?? '';
    expect(a1).toContain('nc=00000001');
    expect(a2).toContain('nc=00000002');
    expect(verifyAuthorization(a2, 'POST', { username: 'admin', password: 'pw', realm: 'IP Camera' })).toBe(true);
  });
});

describe('WS-Security password digest', () => {
  it('is Base64(SHA1(nonce + created + password)) (OASIS UsernameToken Profile 1.0 §3.1)', () => {
    // Computed independently with: (printf 000102…0f | xxd -r -p; printf 2026-11-26T03:02:03.000Z; printf pw) | openssl sha1 -binary | base64
    const nonce = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    expect(passwordDigest(nonce, '2026-11-26T03:02:03.000Z', 'pw')).toBe('83OQQyGOQtXKBP0gea9nYTQoGpc=');
  });
});
