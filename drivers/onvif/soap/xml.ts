/**
 * Safe XML for camera replies. SOAP 1.2 forbids a document type declaration in a message (SOAP 1.2 Part 1,
 * §5), so any DOCTYPE or ENTITY declaration is refused before parsing: no entity expansion ("billion laughs"),
 * no external entity. fast-xml-parser then runs with entity processing off and a nesting cap.
 */
import { XMLParser } from 'fast-xml-parser';
import { QinheError } from '../../../runtime/core/errors.js';

export type XmlNode = Record<string, unknown>;

const ARRAYS = new Set(['NotificationMessage', 'SimpleItem', 'ElementItem', 'Profiles', 'TopicSet']);

function newParser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    maxNestedTags: 64,
    isArray: (name) => ARRAYS.has(name),
  });
}

/** Refuses DTDs and non-XML; returns the parsed document (namespace prefixes removed from names). */
export function parseSafeXml(text: string, host: string): XmlNode {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (!head.startsWith('<')) throw new QinheError('QH_ONVIF_HOSTILE', `${host} sent a reply that is not XML`);
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new QinheError('QH_ONVIF_HOSTILE', `${host} sent a document type declaration (refused: entity expansion risk)`);
  }
  try {
    return newParser().parse(text) as XmlNode;
  } catch (err) {
    throw new QinheError('QH_ONVIF_HOSTILE', `${host} sent malformed XML: ${(err as Error).message.slice(0, 120)}`, { cause: err });
  }
}

export function child(node: unknown, name: string): unknown {
  return node !== null && typeof node === 'object' ? (node as XmlNode)[name] : undefined;
}

/** Text content of a node (string, or an element with attributes and #text). */
export function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  const t = child(node, '#text');
  return typeof t === 'string' ? t : undefined;
}

export function attr(node: unknown, name: string): string | undefined {
  const v = child(node, `@_${name}`);
  return typeof v === 'string' ? v : undefined;
}

export function asArray(node: unknown): unknown[] {
  if (node === undefined || node === null) return [];
  return Array.isArray(node) ? node : [node];
}

/** The SOAP Body of an Envelope; a Fault becomes QH_ONVIF_FAULT (or QH_ONVIF_AUTH for NotAuthorized). */
export function soapBody(doc: XmlNode, host: string): XmlNode {
  const body = child(child(doc, 'Envelope'), 'Body');
  if (body === undefined || body === null || typeof body !== 'object') {
    throw new QinheError('QH_ONVIF_HOSTILE', `${host} sent XML that is not a SOAP envelope`);
  }
  const fault = child(body, 'Fault');
  if (fault !== undefined) {
    const codes = faultCodes(fault);
    const reason = text(child(child(fault, 'Reason'), 'Text')) ?? '';
    const code = codes.some((c) => /NotAuthorized|FailedAuthentication/i.test(c)) ? 'QH_ONVIF_AUTH' : 'QH_ONVIF_FAULT';
    throw new QinheError(code, `${host} SOAP fault ${codes.join('/')}${reason ? `: ${reason}` : ''}`, { details: { faultCodes: codes } });
  }
  return body as XmlNode;
}

function faultCodes(fault: unknown): string[] {
  const out: string[] = [];
  let code: unknown = child(fault, 'Code');
  for (let depth = 0; code !== undefined && depth < 5; depth += 1) {
    const v = text(child(code, 'Value'));
    if (v) out.push(v);
    code = child(code, 'Subcode');
  }
  return out;
}
