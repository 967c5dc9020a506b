import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSafeXml, soapBody, child } from '../../../drivers/onvif/soap/xml.js';
import { parseNotifications, type RawEvent } from '../../../drivers/onvif/events/raw-event.js';
import { ParserRegistry } from '../../../drivers/onvif/parsers/registry.js';

function fixture(name: string): RawEvent[] {
  const xml = readFileSync(fileURLToPath(new URL(`../../fixtures/onvif/${name}`, import.meta.url)), 'utf8');
  return parseNotifications(child(soapBody(parseSafeXml(xml, 'fixture'), 'fixture'), 'PullMessagesResponse'));
}

const summary = (reg: ParserRegistry, events: RawEvent[]) => events.map((e) => {
  const n = reg.parse(e);
  return n ? [n.kind, n.active] : ['unknown', e.topic];
});

describe('ONVIF topic parsers', () => {
  it('parses a Hikvision-style pull: motion, tamper, field detector, line crossing, and a mapped falling-object topic', () => {
    const reg = new ParserRegistry([{ topic: 'tnshik:ThrowingDetector/ThrowingObject', kind: 'falling-object' }]);
    const events = fixture('hikvision-pull.xml');
    expect(summary(reg, events)).toEqual([
      ['motion', true], ['tamper', false], ['intrusion', true], ['line-crossing', true], ['falling-object', true],
    ]);
    expect(events[4]?.topic).toBe('tns1:RuleEngine/tnshik:ThrowingDetector/ThrowingObject');
    expect(reg.parse(events[4]!)?.data).toMatchObject({ Rule: 'facade-3F', State: 'true', operation: 'Changed' });
  });

  it('parses a Dahua-style pull: motion alarm, signal loss, storage failure, digital input, a mapped throw topic', () => {
    const reg = new ParserRegistry([{ topic: 'HighAltitudeThrow/Throw', kind: 'falling-object' }]);
    expect(summary(reg, fixture('dahua-pull.xml'))).toEqual([
      ['motion', false], ['signal-loss', true], ['storage-failure', true], ['input', true], ['falling-object', true],
      ['unknown', 'tns1:RuleEngine/tnsdahua:Smoking/Detected'],
    ]);
  });

  it('parses an Axis-style pull: I/O port, motion alarm, and object analytics mapped by profile', () => {
    const reg = new ParserRegistry([{ topic: 'RuleEngine/ObjectAnalytics/Device1ScenarioANY', kind: 'falling-object' }]);
    const events = fixture('axis-pull.xml');
    expect(summary(reg, events)).toEqual([['input', true], ['motion', true], ['falling-object', true]]);
    expect(events[0]?.source).toEqual({ port: '1' });
  });

  it('leaves a vendor topic unknown until a profile maps it', () => {
    const events = fixture('axis-pull.xml');
    expect(new ParserRegistry().parse(events[2]!)).toBeUndefined();
  });

  it('matches a profile topic only on whole path segments', () => {
    const reg = new ParserRegistry([{ topic: 'Throw', kind: 'falling-object' }]);
    const ev: RawEvent = { topic: 'tns1:RuleEngine/tnsdahua:HighAltitudeThrow', source: {}, data: { State: 'true' } };
    expect(reg.parse(ev)).toBeUndefined();
  });

  it('parses an unknown-topic log line pasted back as a raw event (motion region, pasted from a log)', () => {
    // Shape of the `unknownEvent` field the driver logs.
    const pasted: RawEvent = { topic: 'tns1:RuleEngine/MotionRegionDetector/Motion', operation: 'Changed',
      source: { VideoSource: '1', RuleName: 'Region1' }, data: { State: 'false' } };
    expect(new ParserRegistry().parse(pasted)).toMatchObject({ kind: 'motion', active: false, data: { RuleName: 'Region1' } });
  });
});
