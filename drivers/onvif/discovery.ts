/**
 * WS-Discovery Probe for ONVIF devices (ONVIF Core §7.3; WS-Discovery 2005/04): one SOAP 1.2 Probe for
 * NetworkVideoTransmitter sent to 239.255.255.250:3702 (repeated, since UDP multicast may drop it), then
 * ProbeMatches collected for the given time. Replies are parsed like any camera reply (no DTDs), and are
 * small datagrams by nature; a bad one is skipped.
 */
import dgram from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { asArray, child, parseSafeXml, text } from './soap/xml.js';

export const WSD_ADDRESS = '239.255.255.250';
export const WSD_PORT = 3702;

export interface DiscoveredDevice {
  address: string;
  endpoint: string;
  xaddrs: string[];
  types: string[];
  scopes: string[];
  /** From the onvif://www.onvif.org/hardware/ and /name/ scopes, when present. */
  hardware?: string;
  name?: string;
}

export function probeMessage(messageId: string): string {
  return '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    + 'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
    + 'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header>'
    + `<a:MessageID>uuid:${messageId}</a:MessageID><a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>`
    + '<a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>'
    + '<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>';
}

/** Parses one ProbeMatches datagram; undefined when it is not one. */
export function parseProbeMatches(xml: string, from: string): DiscoveredDevice[] {
  let doc;
  try {
    doc = parseSafeXml(xml, from);
  } catch {
    return [];
  }
  const matches = child(child(child(doc, 'Envelope'), 'Body'), 'ProbeMatches');
  return asArray(child(matches, 'ProbeMatch')).map((m) => {
    const split = (v: unknown): string[] => (text(v) ?? '').split(/\s+/).filter(Boolean);
    const scopes = split(child(m, 'Scopes')).map(decodeURIComponentSafe);
    const dev: DiscoveredDevice = {
      address: from, endpoint: text(child(child(m, 'EndpointReference'), 'Address')) ?? '',
      xaddrs: split(child(m, 'XAddrs')), types: split(child(m, 'Types')), scopes,
    };
    const hw = scopes.find((s) => s.startsWith('onvif://www.onvif.org/hardware/'));
    const name = scopes.find((s) => s.startsWith('onvif://www.onvif.org/name/'));
    if (hw) dev.hardware = hw.slice('onvif://www.onvif.org/hardware/'.length);
    if (name) dev.name = name.slice('onvif://www.onvif.org/name/'.length);
    return dev;
  }).filter((d) => d.xaddrs.length > 0 || d.endpoint !== '');
}

function decodeURIComponentSafe(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

export interface ProbeOptions {
  seconds: number;
  /** Called about every 100 ms with elapsed ms and devices so far (progress bars). */
  onProgress?: (elapsedMs: number, found: number) => void;
  signal?: AbortSignal;
  target?: { address: string; port: number };
}

export async function discoverOnvif(opts: ProbeOptions): Promise<DiscoveredDevice[]> {
  const target = opts.target ?? { address: WSD_ADDRESS, port: WSD_PORT };
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const found = new Map<string, DiscoveredDevice>();
  const id = randomUUID();
  socket.on('message', (msg, rinfo) => {
    if (msg.length > 65_000) return;
    for (const d of parseProbeMatches(msg.toString('utf8'), rinfo.address)) found.set(d.endpoint || `${rinfo.address}:${d.xaddrs[0]}`, d);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => { socket.once('error', reject); socket.bind(0, () => resolve()); });
  const msg = Buffer.from(probeMessage(id));
  const send = (): void => socket.send(msg, target.port, target.address);
  const started = Date.now();
  try {
    send();
    // WS-Discovery §3.2 (UDP): repeat the probe; the matches carry RelatesTo, duplicates collapse by endpoint.
    setTimeout(send, 250).unref();
    setTimeout(send, 750).unref();
    while (Date.now() - started < opts.seconds * 1000 && !opts.signal?.aborted) {
      await new Promise((r) => setTimeout(r, 100));
      opts.onProgress?.(Math.min(Date.now() - started, opts.seconds * 1000), found.size);
    }
  } finally {
    socket.close();
  }
  return [...found.values()].sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }));
}
