/**
 * A WS-Discovery responder for simulated cameras: joins 239.255.255.250:3702 and answers a Probe for
 * NetworkVideoTransmitter with a ProbeMatch per camera. Tests run it inside a private network namespace.
 */
import dgram from 'node:dgram';
import { randomUUID } from 'node:crypto';

export interface Advertised {
  xaddr: string;
  hardware: string;
  name: string;
}

export class WsDiscoveryResponder {
  private socket: dgram.Socket | undefined;
  private readonly cameras: Array<Advertised & { endpoint: string }>;

  constructor(cameras: Advertised[], private readonly iface = '127.0.0.1') {
    this.cameras = cameras.map((c) => ({ ...c, endpoint: `urn:uuid:${randomUUID()}` }));
  }

  async start(): Promise<void> {
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    s.on('message', (msg, rinfo) => {
      const text = msg.toString('utf8');
      if (!text.includes('Probe') || text.includes('ProbeMatches')) return;
      const relates = /<[^>]*MessageID[^>]*>([^<]+)</.exec(text)?.[1] ?? '';
      for (const cam of this.cameras) s.send(Buffer.from(match(cam, relates)), rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => s.bind(3702, () => resolve()));
    s.addMembership('239.255.255.250', this.iface);
    this.socket = s;
  }

  stop(): void {
    this.socket?.close();
    this.socket = undefined;
  }
}

function match(cam: Advertised & { endpoint: string }, relatesTo: string): string {
  return '<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" '
    + 'xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsdd="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
    + 'xmlns:tdn="http://www.onvif.org/ver10/network/wsdl"><SOAP-ENV:Header>'
    + `<wsa:MessageID>uuid:${randomUUID()}</wsa:MessageID><wsa:RelatesTo>${relatesTo}</wsa:RelatesTo>`
    + '<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>'
    + '<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header><SOAP-ENV:Body>'
    + '<wsdd:ProbeMatches><wsdd:ProbeMatch><wsa:EndpointReference>'
    + `<wsa:Address>${cam.endpoint}</wsa:Address></wsa:EndpointReference><wsdd:Types>tdn:NetworkVideoTransmitter</wsdd:Types>`
    + `<wsdd:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/hardware/${encodeURIComponent(cam.hardware)} `
    + `onvif://www.onvif.org/name/${encodeURIComponent(cam.name)}</wsdd:Scopes><wsdd:XAddrs>${cam.xaddr}</wsdd:XAddrs>`
    + '<wsdd:MetadataVersion>10</wsdd:MetadataVersion></wsdd:ProbeMatch></wsdd:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>';
}
