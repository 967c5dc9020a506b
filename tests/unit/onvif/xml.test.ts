import { describe, expect, it } from 'vitest';
import { parseSafeXml, soapBody } from '../../../drivers/onvif/soap/xml.js';

const env = (body: string) => `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${body}</s:Body></s:Envelope>`;
const code = (fn: () => unknown): unknown => { try { fn(); return 'no error'; } catch (e) { return (e as { code?: string }).code; } };

describe('safe SOAP XML', () => {
  it('refuses internal entity declarations (billion laughs)', () => {
    expect(code(() => parseSafeXml(`<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>${env('<x>&b;</x>')}`, 'cam'))).toBe('QH_ONVIF_HOSTILE');
  });
  it('refuses an external entity', () => {
    expect(code(() => parseSafeXml(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${env('<x>&e;</x>')}`, 'cam'))).toBe('QH_ONVIF_HOSTILE');
  });
  it('refuses non-XML and malformed XML', () => {
    expect(code(() => parseSafeXml('HTTP/1.1 200 OK garbage', 'cam'))).toBe('QH_ONVIF_HOSTILE');
    expect(code(() => soapBody(parseSafeXml('<a><b></a>', 'cam'), 'cam'))).toBe('QH_ONVIF_HOSTILE');
  });
  it('refuses nesting deeper than the cap', () => {
    expect(code(() => parseSafeXml(`${'<a>'.repeat(200)}${'</a>'.repeat(200)}`, 'cam'))).toBe('QH_ONVIF_HOSTILE');
  });
  it('does not expand predefined-looking entities into markup', () => {
    const body = soapBody(parseSafeXml(env('<x>&lt;y/&gt;</x>'), 'cam'), 'cam');
    expect(body.x).toBe('&lt;y/&gt;');
  });
  it('turns a SOAP fault into a coded error with its subcodes', () => {
    const fault = env('<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>wsrf-rw:ResourceUnknownFault</s:Value></s:Subcode></s:Code><s:Reason><s:Text>gone</s:Text></s:Reason></s:Fault>');
    expect(() => soapBody(parseSafeXml(fault, 'cam'), 'cam')).toThrow(expect.objectContaining({
      code: 'QH_ONVIF_FAULT', details: { faultCodes: ['s:Sender', 'wsrf-rw:ResourceUnknownFault'] } }));
    const auth = env('<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value></s:Subcode></s:Code></s:Fault>');
    expect(code(() => soapBody(parseSafeXml(auth, 'cam'), 'cam'))).toBe('QH_ONVIF_AUTH');
  });
});
