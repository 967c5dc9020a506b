import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseProbeMatches, probeMessage } from '../../../drivers/onvif/discovery.js';

describe('WS-Discovery', () => {
  it('reads address, service addresses, hardware and name from a Hikvision-style ProbeMatch', () => {
    const xml = readFileSync(fileURLToPath(new URL('../../fixtures/onvif/probe-match.xml', import.meta.url)), 'utf8');
    expect(parseProbeMatches(xml, '192.168.1.64')).toEqual([{
      address: '192.168.1.64', endpoint: 'urn:uuid:a1b2c3d4-0000-4000-8000-bcbaf1234567',
      xaddrs: ['http://192.168.1.64/onvif/device_service', 'http://[fe80::4619:b6ff:fe00:1]/onvif/device_service'],
      types: ['dn:NetworkVideoTransmitter', 'tds:Device'],
      scopes: ['onvif://www.onvif.org/type/video_encoder', 'onvif://www.onvif.org/Profile/Streaming',
        'onvif://www.onvif.org/hardware/DS-2CD2T47G2-L', 'onvif://www.onvif.org/name/HIKVISION DS-2CD2T47G2-L',
        'onvif://www.onvif.org/location/city/hangzhou'],
      hardware: 'DS-2CD2T47G2-L', name: 'HIKVISION DS-2CD2T47G2-L',
    }]);
  });

  it('skips datagrams that are not matches, or carry a DTD', () => {
    expect(parseProbeMatches(probeMessage('x'), '10.0.0.1')).toEqual([]);
    expect(parseProbeMatches('<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>', '10.0.0.1')).toEqual([]);
    expect(parseProbeMatches('\u0000\u0001garbage', '10.0.0.1')).toEqual([]);
  });
});
