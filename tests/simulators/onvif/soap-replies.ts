/**
 * SOAP 1.2 replies of the simulated camera, in the shape real Profile S cameras send (namespaces as in the
 * ONVIF WSDLs). Vendor differences that matter to a client are kept: Axis uses its own topic prefix.
 */
export type CameraModel = 'hikvision' | 'dahua' | 'axis';

const NSDECL = 'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" '
  + 'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" '
  + 'xmlns:tev="http://www.onvif.org/ver10/events/wsdl" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" '
  + 'xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:tns1="http://www.onvif.org/ver10/topics" '
  + 'xmlns:wstop="http://docs.oasis-open.org/wsn/t-1" xmlns:ter="http://www.onvif.org/ver10/error" '
  + 'xmlns:tnsaxis="http://www.axis.com/2009/event/topics" xmlns:tnshik="http://www.hikvision.com/2011/event/topics" '
  + 'xmlns:tnsdahua="http://www.dahuatech.com/2011/event/topics"';

export function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope ${NSDECL}><s:Body>${body}</s:Body></s:Envelope>`;
}

export function fault(code: 'Sender' | 'Receiver', subcode: string, reason: string): string {
  return envelope(`<s:Fault><s:Code><s:Value>s:${code}</s:Value><s:Subcode><s:Value>${subcode}</s:Value></s:Subcode></s:Code>`
    + `<s:Reason><s:Text xml:lang="en">${reason}</s:Text></s:Reason></s:Fault>`);
}

export function dateTime(ms: number): string {
  const d = new Date(ms);
  return envelope('<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>'
    + '<tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>CST-8</tt:TZ></tt:TimeZone><tt:UTCDateTime>'
    + `<tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>`
    + `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date>`
    + '</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>');
}

const INFO: Record<CameraModel, [string, string, string]> = {
  hikvision: ['HIKVISION', 'DS-2CD2T47G2-L', 'V5.7.3 build 220112'],
  dahua: ['Dahua', 'IPC-HFW3441T-ZAS', '2.840.0000000.14.R'],
  axis: ['AXIS', 'P1465-LE', '10.12.114'],
};

export function deviceInformation(model: CameraModel, serial: string): string {
  const [m, mo, fw] = INFO[model];
  return envelope(`<tds:GetDeviceInformationResponse><tds:Manufacturer>${m}</tds:Manufacturer><tds:Model>${mo}</tds:Model>`
    + `<tds:FirmwareVersion>${fw}</tds:FirmwareVersion><tds:SerialNumber>${serial}</tds:SerialNumber>`
    + `<tds:HardwareId>88</tds:HardwareId></tds:GetDeviceInformationResponse>`);
}

export function capabilities(base: string): string {
  return envelope('<tds:GetCapabilitiesResponse><tds:Capabilities>'
    + `<tt:Device><tt:XAddr>${base}/onvif/device_service</tt:XAddr></tt:Device>`
    + `<tt:Events><tt:XAddr>${base}/onvif/event_service</tt:XAddr><tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport>`
    + '<tt:WSPullPointSupport>true</tt:WSPullPointSupport><tt:WSPausableSubscriptionManagerInterfaceSupport>false</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>'
    + `<tt:Media><tt:XAddr>${base}/onvif/media_service</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast>`
    + '<tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>'
    + '</tds:Capabilities></tds:GetCapabilitiesResponse>');
}

export function profiles(): string {
  const p = (token: string, name: string, w: number, h: number): string => `<trt:Profiles fixed="true" token="${token}"><tt:Name>${name}</tt:Name>`
    + '<tt:VideoSourceConfiguration token="VideoSourceToken"><tt:Name>VideoSourceConfig</tt:Name><tt:UseCount>2</tt:UseCount>'
    + `<tt:SourceToken>VideoSource_1</tt:SourceToken><tt:Bounds x="0" y="0" width="${w}" height="${h}"/></tt:VideoSourceConfiguration>`
    + `<tt:VideoEncoderConfiguration token="VideoEncoderToken_${token}"><tt:Name>VideoEncoder_${token}</tt:Name><tt:UseCount>1</tt:UseCount>`
    + `<tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>${w}</tt:Width><tt:Height>${h}</tt:Height></tt:Resolution>`
    + '<tt:Quality>3</tt:Quality><tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval>'
    + '<tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl><tt:SessionTimeout>PT5S</tt:SessionTimeout></tt:VideoEncoderConfiguration></trt:Profiles>';
  return envelope(`<trt:GetProfilesResponse>${p('Profile_1', 'mainStream', 2560, 1440)}${p('Profile_2', 'subStream', 640, 360)}</trt:GetProfilesResponse>`);
}

export function mediaUri(kind: 'Stream' | 'Snapshot', uri: string): string {
  return envelope(`<trt:Get${kind}UriResponse><trt:MediaUri><tt:Uri>${uri}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>`
    + `<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:Get${kind}UriResponse>`);
}

export function subscriptionCreated(address: string, now: number, termination: number): string {
  return envelope(`<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa:Address>${address}</wsa:Address>`
    + `</tev:SubscriptionReference><wsnt:CurrentTime>${iso(now)}</wsnt:CurrentTime><wsnt:TerminationTime>${iso(termination)}</wsnt:TerminationTime>`
    + '</tev:CreatePullPointSubscriptionResponse>');
}

export function renewed(now: number, termination: number): string {
  return envelope(`<wsnt:RenewResponse><wsnt:TerminationTime>${iso(termination)}</wsnt:TerminationTime>`
    + `<wsnt:CurrentTime>${iso(now)}</wsnt:CurrentTime></wsnt:RenewResponse>`);
}

export interface SimEvent {
  topic: string;
  data: Record<string, string>;
  source: Record<string, string>;
  operation: 'Initialized' | 'Changed' | 'Deleted';
  at: number;
}

function simpleItems(items: Record<string, string>): string {
  return Object.entries(items).map(([k, v]) => `<tt:SimpleItem Name="${k}" Value="${v}"/>`).join('');
}

export function pulled(now: number, termination: number, events: SimEvent[]): string {
  const msgs = events.map((e) => '<wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">'
    + `${e.topic}</wsnt:Topic><wsnt:Message><tt:Message UtcTime="${iso(e.at)}" PropertyOperation="${e.operation}">`
    + `<tt:Source>${simpleItems(e.source)}</tt:Source><tt:Data>${simpleItems(e.data)}</tt:Data></tt:Message></wsnt:Message>`
    + '</wsnt:NotificationMessage>').join('');
  return envelope(`<tev:PullMessagesResponse><tev:CurrentTime>${iso(now)}</tev:CurrentTime>`
    + `<tev:TerminationTime>${iso(termination)}</tev:TerminationTime>${msgs}</tev:PullMessagesResponse>`);
}

export function eventProperties(topics: string[]): string {
  const tree: Record<string, unknown> = {};
  for (const t of topics) {
    let node = tree;
    for (const seg of t.split('/')) node = (node[seg] ??= {}) as Record<string, unknown>;
  }
  const render = (node: Record<string, unknown>): string => Object.entries(node).map(([k, v]) => {
    const inner = render(v as Record<string, unknown>);
    return `<${k} wstop:topic="true">${inner || '<tt:MessageDescription IsProperty="true"/>'}</${k}>`;
  }).join('');
  return envelope(`<tev:GetEventPropertiesResponse><tev:TopicNamespaceLocation>http://www.onvif.org/onvif/ver10/topics/topicns.xml</tev:TopicNamespaceLocation>`
    + `<wsnt:FixedTopicSet>true</wsnt:FixedTopicSet><wstop:TopicSet>${render(tree)}</wstop:TopicSet></tev:GetEventPropertiesResponse>`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
