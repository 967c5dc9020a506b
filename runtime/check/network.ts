/** The broker: TCP connect, then (mqtts) a TLS handshake with the box's CA, certificate and key. */
import { tlsKeyPem } from '../../config/secrets.js';
import { errorMessage } from '../core/errors.js';
import { fail, ok, warn, type CheckContext, type CheckResult } from './types.js';

export async function checkBroker(ctx: CheckContext): Promise<CheckResult[]> {
  const uplink = ctx.config?.uplink;
  if (!uplink) return [warn('broker', 'skipped: no valid uplink in the config', 'fix the config first')];
  let url: URL;
  try {
    url = new URL(uplink.url);
  } catch {
    return [fail('broker', `uplink.url ${uplink.url} is not a URL`, 'expected mqtts://host:8883')];
  }
  const tls = url.protocol === 'mqtts:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (tls ? 8883 : 1883));
  try {
    await ctx.probes.tcpConnect(host, port, ctx.timeoutMs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? errorMessage(err);
    const hint = code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? `DNS cannot resolve ${host}: check /etc/resolv.conf and the network`
      : code === 'ECONNREFUSED' ? `nothing listens on ${host}:${port}: is the broker up, is the port right?`
        : `no route or a firewall: ping ${host}; check the 4G/Ethernet link and that port ${port} is open`;
    return [fail('broker', `cannot connect to ${host}:${port} (${code})`, hint)];
  }
  if (!tls) return [ok('broker', `${host}:${port} reachable (plain TCP${uplink.insecure ? ', insecure: true' : ', loopback'})`)];
  let ca: string | undefined;
  let cert: string | undefined;
  let key: string | undefined;
  try {
    if (uplink.caFile) ca = ctx.probes.readText(uplink.caFile);
    if (uplink.certFile) cert = ctx.probes.readText(uplink.certFile);
  } catch (err) {
    return [fail('broker', `cannot read the CA or certificate: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`, 'check uplink.caFile and uplink.certFile')];
  }
  try {
    key = ctx.loaded ? tlsKeyPem(ctx.loaded.secrets) : undefined;
  } catch {
    key = undefined;
  }
  const t = await ctx.probes.tlsHandshake({ host, port, ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) }, ctx.timeoutMs);
  if (!t.authorized) {
    return [fail('broker', `TLS to ${host}:${port} failed: ${t.error ?? 'not authorized'}`,
      'check uplink.caFile (the center CA), the box certificate and its key, and that the clock is right (certificates have dates)')];
  }
  if (cert && !key) return [warn('broker', `${host}:${port} TLS ok, but without the client certificate (key not readable here)`, 'run qinhe check with sudo to test the box certificate too')];
  return [ok('broker', `${host}:${port} TLS handshake ok${cert ? ' with the box certificate' : ''}`)];
}
