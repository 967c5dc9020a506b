import { describe, expect, it } from 'vitest';
import { SeqTracker } from '../../../runtime/demo/seq-tracker.js';
import { renderSummary, statusLine, type SummarySnapshot } from '../../../runtime/demo/summary.js';
import { parseDemoFlags, type RawDemoFlags } from '../../../runtime/demo/options.js';

const base: SummarySnapshot = {
  estate: 'caima', box: 'caima-01', uptimeS: 75, broker: 'mqtt://127.0.0.1:1883', uplink: 'connected',
  devices: { total: 477, online: 470, offline: 2, degraded: 0, unknown: 5 },
  boxRaised: { smoke: 2, panic: 1 }, centerRaised: { smoke: 1, panic: 1 },
  seq: { received: 3, first: 1, last: 3, gaps: 0, duplicates: 0 }, outboxPending: 4,
  events: ['13:00:01 scenario: smoke'], apiSocket: '/d/api.sock', privateKeyFile: '/d/etc/center-key.pem',
  configFile: '/d/etc/qinhe.yaml', logFile: '/d/demo.log', transport: 'pty',
};

describe('demo summary', () => {
  it('shows uplink, devices, incidents by kind on both sides, outbox, API socket and the private key', () => {
    const text = renderSummary(base).join('\n');
    expect(text).toContain('up 1:15');
    expect(text).toContain('uplink   connected');
    expect(text).toContain('470/477 online, 2 offline');
    expect(text).toMatch(/smoke 2 → 1/);
    expect(text).toMatch(/panic 1 → 1/);
    expect(text).toContain('outbox pending 4');
    expect(text).toContain('/d/api.sock');
    expect(text).toContain('/d/etc/center-key.pem');
    expect(text).not.toContain('fire-risk');
  });

  it('says when the center key was given instead of made', () => {
    const { privateKeyFile: _omit, ...rest } = base;
    expect(renderSummary(rest).join('\n')).toContain('--center-key-file');
  });

  it('cuts long events to the width', () => {
    const lines = renderSummary({ ...base, events: ['x'.repeat(300)] }, 60);
    expect(lines.every((l) => !l.includes('x'.repeat(60)))).toBe(true);
  });

  it('has a one-line status for pipes', () => {
    expect(statusLine(base)).toBe('[75s] uplink connected, devices 470/477 online, outbox 4, raised: smoke=2 panic=1, center seq 3 (0 gaps)');
  });
});

describe('seq tracker', () => {
  it('counts gaps between the lowest and highest seq and duplicates', () => {
    const s = new SeqTracker();
    for (const n of [5, 6, 6, 9, 7]) s.add(n);
    expect(s.count).toBe(4);
    expect(s.duplicates).toBe(1);
    expect(s.gaps).toBe(1);
    expect(s.missing()).toEqual([8]);
    expect(s.outOfOrder).toBe(1);
    expect(s.range).toEqual({ first: 5, last: 9 });
  });

  it('has no gaps when nothing arrived', () => {
    const s = new SeqTracker();
    expect(s.gaps).toBe(0);
    expect(s.range).toBeUndefined();
  });
});

describe('demo flags', () => {
  const flags: RawDemoFlags = { estate: 'caima', box: 'caima-01', dataDir: './.qinhe-demo', scenario: 'caima', inventory: 'x.csv', transport: 'auto', display: 'auto', logLevel: 'info' };

  it('takes numbers and resolves paths', () => {
    const o = parseDemoFlags({ ...flags, devices: '40', duration: '30', ackTimeout: '20' });
    expect(o).toMatchObject({ devices: 40, durationS: 30, ackTimeoutS: 20, scenario: 'caima' });
    expect(o.dataDir.startsWith('/')).toBe(true);
  });

  it('refuses bad ids, scenarios, numbers and broker URLs with QH_USAGE', () => {
    for (const bad of [{ box: 'Caima_01' }, { scenario: 'fire' }, { devices: '0' }, { duration: 'soon' }, { ackTimeout: '2' }, { broker: 'http://x' }]) {
      expect(() => parseDemoFlags({ ...flags, ...bad })).toThrow(expect.objectContaining({ code: 'QH_USAGE' }) as Error);
    }
  });
});
