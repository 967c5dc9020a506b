/**
 * Topic names and MQTT connect options of contract v1: client id `qinhe-{estate}-{box}`, the last will on
 * R/state, TLS with the box's client certificate. Plain TCP (mqtt://, ws://) is refused unless the broker is
 * loopback or the config says `insecure: true` (QH_UPLINK_TLS).
 */
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { BoxConfig } from '../../config/schema.js';
import { QinheError } from '../core/errors.js';

export const STATE_LOST = '{"v":1,"online":false,"reason":"lost"}';
export const STATE_STOPPED = '{"v":1,"online":false,"reason":"stopped"}';
/** Largest packet the broker may send us (commands are capped far below this by the dispatcher). */
export const MAX_INCOMING_PACKET = 256 * 1024;
/** How long the broker keeps our session (subscriptions, queued commands) while we are away. */
export const SESSION_EXPIRY_S = 24 * 3600;

export function topicRoot(prefix: string, estate: string, box: string): string {
  return `${prefix}/${estate}/${box}`;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function isTlsUrl(url: string): boolean {
  return /^(mqtts|wss|ssl|tls):/i.test(url);
}

/** Throws QH_UPLINK_TLS when the URL is plain TCP to a non-loopback host without `insecure: true`. */
export function checkTransport(config: BoxConfig['uplink']): void {
  let parsed: URL;
  try {
    parsed = new URL(config.url);
  } catch (err) {
    throw new QinheError('QH_UPLINK_TLS', `uplink url is not a URL: ${config.url}`, { cause: err });
  }
  if (!/^(mqtts?|wss?|ssl|tls|tcp):$/i.test(parsed.protocol)) {
    throw new QinheError('QH_UPLINK_TLS', `unsupported uplink scheme ${parsed.protocol}`);
  }
  if (isTlsUrl(config.url) || config.insecure || isLoopbackHost(parsed.hostname)) return;
  throw new QinheError('QH_UPLINK_TLS', `plain TCP to ${parsed.hostname} refused: use mqtts:// or set uplink.insecure: true`);
}

export interface ConnectParams {
  config: BoxConfig['uplink'];
  clientId: string;
  root: string;
  secrets: { mqttPassword?: string; tlsKeyPem?: string };
  connectTimeoutMs: number;
}

/** Builds the mqtt.js options (reads the CA and certificate files: call from start(), not a constructor). */
export function connectOptions(p: ConnectParams): IClientOptions {
  const { config } = p;
  const opts: IClientOptions = {
    protocolVersion: 5,
    clientId: p.clientId,
    clean: false,
    keepalive: config.keepaliveS,
    reconnectPeriod: 0, // our own loop (uplink.ts) with jittered backoff
    connectTimeout: p.connectTimeoutMs,
    queueQoSZero: false,
    writeCache: false, // no 65,536-Buffer number cache: see packet-caches.ts
    properties: { sessionExpiryInterval: SESSION_EXPIRY_S, maximumPacketSize: MAX_INCOMING_PACKET },
    will: { topic: `${p.root}/state`, payload: Buffer.from(STATE_LOST), qos: 1, retain: true },
  };
  if (config.username !== undefined) opts.username = config.username;
  if (p.secrets.mqttPassword !== undefined) opts.password = p.secrets.mqttPassword;
  if (isTlsUrl(config.url)) {
    try {
      if (config.caFile) opts.ca = readFileSync(config.caFile);
      if (config.certFile) opts.cert = readFileSync(config.certFile);
    } catch (err) {
      throw new QinheError('QH_UPLINK_TLS', `cannot read the uplink CA or certificate: ${(err as Error).message}`, { cause: err });
    }
    if (config.certFile && !p.secrets.tlsKeyPem) {
      throw new QinheError('QH_UPLINK_TLS', 'uplink.certFile is set but the secrets hold no TLS key');
    }
    if (p.secrets.tlsKeyPem) opts.key = p.secrets.tlsKeyPem;
    opts.rejectUnauthorized = true;
  }
  return opts;
}
