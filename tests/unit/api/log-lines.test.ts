import { describe, expect, it } from 'vitest';
import { formatLogLine, parseLogLine } from '../../../runtime/system/log-lines.js';

const plain = { red: (s: string) => s, yellow: (s: string) => s, dim: (s: string) => s, cyan: (s: string) => s };

describe('readable log lines', () => {
  it('shows time, level, device/bus and message from a pino line', () => {
    const line = JSON.stringify({ level: 40, time: '2026-11-26T03:02:03.123Z', name: 'qinhe', device: 'cp-b3-07', bus: 'rs485-0', state: 'offline', error: 'x', msg: 'device offline' });
    expect(formatLogLine(parseLogLine(line)!, plain)).toBe('2026-11-26 03:02:03.123 WARN  [device=cp-b3-07 bus=rs485-0] device offline');
  });

  it('unwraps journalctl -o json records (MESSAGE holds the pino line)', () => {
    const inner = JSON.stringify({ level: 50, time: 1764126123123, msg: 'service failed to start', service: 'uplink', err: { code: 'QH_UPLINK_TLS', message: 'plain TCP refused' } });
    const rec = JSON.stringify({ __REALTIME_TIMESTAMP: '1764126123200000', PRIORITY: '6', MESSAGE: inner, _SYSTEMD_UNIT: 'qinhe.service' });
    const l = parseLogLine(rec)!;
    expect(l).toMatchObject({ level: 'ERROR', context: 'service=uplink', message: 'service failed to start', error: 'QH_UPLINK_TLS plain TCP refused' });
  });

  it('keeps plain-text journal lines (a Node crash trace) with the journal priority', () => {
    const rec = JSON.stringify({ __REALTIME_TIMESTAMP: '1764126123200000', PRIORITY: '3', MESSAGE: 'TypeError: x is not a function' });
    expect(parseLogLine(rec)).toMatchObject({ level: 'ERROR', message: 'TypeError: x is not a function' });
  });

  it('shows non-JSON lines as they are and skips blank ones', () => {
    expect(parseLogLine('    at foo (bar.js:1:1)')?.message).toBe('at foo (bar.js:1:1)');
    expect(parseLogLine('   ')).toBeUndefined();
  });
});
