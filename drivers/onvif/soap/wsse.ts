/**
 * WS-Security UsernameToken with a password digest (OASIS UsernameToken Profile 1.0, §3.1; ONVIF Core
 * §5.9.4): Base64(SHA1(nonce + created + password)). `created` is the camera's time (our clock plus the
 * measured offset), since cameras with replay protection reject a Created far from their own clock.
 */
import { createHash, randomBytes } from 'node:crypto';

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')])).digest('base64');
}

export function securityHeader(username: string, password: string, cameraNowMs: number): string {
  const nonce = randomBytes(16);
  const created = new Date(cameraNowMs).toISOString();
  return '<wsse:Security s:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" '
    + 'xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken>'
    + `<wsse:Username>${escapeXml(username)}</wsse:Username>`
    + '<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">'
    + `${passwordDigest(nonce, created, password)}</wsse:Password>`
    + '<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">'
    + `${nonce.toString('base64')}</wsse:Nonce><wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`;
}
