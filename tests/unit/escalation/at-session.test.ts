import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../runtime/clock/manual-clock.js';
import { isQinheError } from '../../../runtime/core/errors.js';
import { AtSession, type ModemPort } from '../../../runtime/escalation/at-session.js';
import { smsText } from '../../../runtime/escalation/sms.js';

function fakePort() {
  const written: string[] = [];
  let listener: ((b: Buffer) => void) | undefined;
  const port: ModemPort = { write: (d) => { written.push(String(d)); }, onData: (fn) => { listener = fn; return () => { listener = undefined; }; } };
  return { port, written, feed: (s: string) => listener?.(Buffer.from(s, 'latin1')) };
}
const logger = pino({ level: 'silent' });

describe('AT session', () => {
  it('skips the echo and unsolicited lines, returns intermediate lines on OK, even split across chunks', async () => {
    const { port, written, feed } = fakePort();
    const at = new AtSession(port, new ManualClock(), logger);
    const p = at.command('AT+CSQ', 1000);
    expect(written).toEqual(['AT+CSQ\r']);
    feed('AT+CSQ\r\r\n+CS');
    feed('Q: 21,99\r\n\r\nRING\r\n\r\nO');
    feed('K\r\n');
    expect(await p).toEqual(['+CSQ: 21,99', 'RING']);
  });

  it('resolves a prompt on "> " without a line end, then the text on +CMGS/OK', async () => {
    const { port, written, feed } = fakePort();
    const at = new AtSession(port, new ManualClock(), logger);
    const p = at.prompt('AT+CMGS="+86138"', 1000);
    feed('\r\n> ');
    await p;
    const q = at.raw('SMS text', 'hi\x1a', 1000);
    feed('\r\n+CMGS: 7\r\n\r\nOK\r\n');
    expect(await q).toEqual(['+CMGS: 7']);
    expect(written).toEqual(['AT+CMGS="+86138"\r', 'hi\x1a']);
  });

  it('turns ERROR, +CME ERROR and +CMS ERROR into coded failures', async () => {
    const { port, feed } = fakePort();
    const at = new AtSession(port, new ManualClock(), logger);
    const a = at.command('AT+CMGF=1', 1000).catch((e: unknown) => e);
    feed('\r\nERROR\r\n');
    expect(isQinheError(await a, 'QH_SMS_FAILED')).toBe(true);
    const b = at.command('AT+CPIN?', 1000).catch((e: unknown) => e);
    feed('\r\n+CME ERROR: 10\r\n');
    expect(await b).toMatchObject({ code: 'QH_SMS_FAILED', details: { type: 'CME', code: '10' } });
  });

  it('times out on the injectable clock, and the next command still works; garbage while idle is dropped', async () => {
    const { port, feed } = fakePort();
    const clock = new ManualClock();
    const at = new AtSession(port, clock, logger);
    const a = at.command('AT', 500).catch((e: unknown) => e);
    clock.advance(500);
    expect(await a).toMatchObject({ code: 'QH_SMS_TIMEOUT', message: expect.stringMatching(/AT within 500 ms/) });
    feed('\x00\xff garbage \r\nOK\r\n'.repeat(100)); // late noise with no command waiting
    const b = at.command('AT', 500);
    await Promise.resolve();
    feed('\r\nOK\r\n');
    expect(await b).toEqual([]);
  });
});

describe('SMS text', () => {
  it('is ASCII, at most 160 characters, and names the stage, kind, zone and device', () => {
    const text = smsText({ id: '01JD0000000000000000ABCDEF', kind: 'fire-risk', severity: 'critical',
      device: { id: 'cp-b3-07', type: 'charging-point', zone: 'B3', location: '3幢车棚 7号口' },
      summary: 'temperature 71.5 °C, rising 9.2 °C/min '.repeat(5) }, 'ack-timeout', 60, 'caima-01');
    expect(text).toMatch(/^QINHE caima-01: CRITICAL fire-risk NOT ACKNOWLEDGED after 60s\. Zone B3, cp-b3-07\./);
    expect(text.length).toBeLessThanOrEqual(160);
    expect(/^[\x20-\x7e]+$/.test(text)).toBe(true);
  });
});
