import { describe, expect, it } from 'vitest';
import { boxConfigSchema } from '../../../config/schema.js';
import { reconnectDelay, Uplink, type Jitter } from '../../../runtime/uplink/index.js';
import { freePort } from '../../helpers/mosquitto.js';
import { waitFor } from '../../integration/uplink/observer.js';
import { silentLogger, useTestOutbox } from '../store/fixtures.js';
import { ManualTimers } from './manual-timers.js';
import { mulberry32 } from '../../simulators/estate/scenario.js';

const policy = (jitter?: Jitter) => ({ baseMs: 1000, capMs: 60_000, firstRetryMaxMs: 5000, ...(jitter ? { jitter } : {}) });

function sample(attempt: number, jitter: Jitter | undefined, n = 20_000): { min: number; max: number; mean: number } {
  const random = mulberry32(attempt * 7919 + (jitter === 'equal' ? 1 : 0));
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = reconnectDelay(attempt, policy(jitter), random);
    min = Math.min(min, d);
    max = Math.max(max, d);
    sum += d;
  }
  return { min, max, mean: sum / n };
}

describe('reconnectDelay jitter modes', () => {
  it('keeps the first retry a random 0–firstRetryMaxMs in both modes', () => {
    for (const jitter of [undefined, 'full', 'equal'] as const) {
      expect(reconnectDelay(0, policy(jitter), () => 0)).toBe(0);
      expect(reconnectDelay(0, policy(jitter), () => 0.999999)).toBe(4999);
      const s = sample(0, jitter);
      expect(s.min).toBeLessThan(100);
      expect(s.max).toBeGreaterThan(4900);
      expect(s.mean).toBeGreaterThan(2400);
      expect(s.mean).toBeLessThan(2600);
    }
  });

  it('full (contract v1, the default): uniform on [0, c), c = min(cap, base·2^n)', () => {
    expect(reconnectDelay(3, policy(), () => 0.5)).toBe(reconnectDelay(3, policy('full'), () => 0.5));
    for (const [attempt, c] of [[1, 2000], [3, 8000], [5, 32_000], [6, 60_000], [40, 60_000]] as const) {
      expect(reconnectDelay(attempt, policy('full'), () => 0)).toBe(0);
      expect(reconnectDelay(attempt, policy('full'), () => 0.999999)).toBe(c - 1);
      const s = sample(attempt, 'full');
      expect(s.min).toBeGreaterThanOrEqual(0);
      expect(s.min).toBeLessThan(c * 0.01);
      expect(s.max).toBeLessThan(c);
      expect(s.max).toBeGreaterThan(c * 0.99);
      expect(Math.abs(s.mean - c / 2) / c).toBeLessThan(0.01);
    }
  });

  it('equal (proposed v2): uniform on [c/2, c), never below half the ceiling', () => {
    for (const [attempt, c] of [[1, 2000], [3, 8000], [5, 32_000], [6, 60_000], [40, 60_000]] as const) {
      expect(reconnectDelay(attempt, policy('equal'), () => 0)).toBe(c / 2);
      expect(reconnectDelay(attempt, policy('equal'), () => 0.5)).toBe((3 * c) / 4);
      expect(reconnectDelay(attempt, policy('equal'), () => 0.999999)).toBe(c - 1);
      const s = sample(attempt, 'equal');
      expect(s.min).toBeGreaterThanOrEqual(c / 2);
      expect(s.min).toBeLessThan(c / 2 + c * 0.005);
      expect(s.max).toBeLessThan(c);
      expect(s.max).toBeGreaterThan(c * 0.995);
      expect(Math.abs(s.mean - (3 * c) / 4) / c).toBeLessThan(0.01);
    }
  });

  it('equal jitter at the 60 s cap averages 45 s: 80 attempts an hour, inside the retry budget without its help', () => {
    const s = sample(20, 'equal', 50_000);
    expect(3_600_000 / s.mean).toBeGreaterThan(79);
    expect(3_600_000 / s.mean).toBeLessThan(81);
  });
});

describe('uplink.jitter in the config and the Uplink', () => {
  const t = useTestOutbox();
  const uplinkSection = boxConfigSchema.shape.uplink;
  const base = { url: 'mqtts://center.example:8883' };

  it('is optional (contract v1 full jitter when absent), takes full or equal, refuses anything else', () => {
    expect(uplinkSection.parse(base).jitter).toBeUndefined();
    expect(uplinkSection.parse({ ...base, jitter: 'equal' }).jitter).toBe('equal');
    expect(uplinkSection.parse({ ...base, jitter: 'full' }).jitter).toBe('full');
    expect(uplinkSection.safeParse({ ...base, jitter: 'decorrelated' }).success).toBe(false);
  });

  it('makes the Uplink schedule equal-jitter retries when set', async () => {
    const port = await freePort(); // nothing listens there
    for (const [jitter, expected] of [
      ['equal', [2500, 1500, 3000, 6000, 6000, 6000]],
      [undefined, [2500, 1000, 2000, 4000, 4000, 4000]],
    ] as const) {
      const timers = new ManualTimers();
      const uplink = new Uplink({
        config: { url: `mqtt://127.0.0.1:${port}`, prefix: 'qinhe', insecure: false, keepaliveS: 30, drainPerS: 200, backoffBaseMs: 1000,
          backoffCapMs: 8000, firstRetryMaxMs: 5000, retriesPerHour: 120, centerKeys: [], healthIntervalS: 300, ...(jitter ? { jitter } : {}) },
        estate: 'caima', box: 'caima-01', secrets: {}, outbox: t.outbox, logger: silentLogger(), version: '0.1.0',
        stateDevices: () => ({ total: 0, online: 0 }), timers, random: () => 0.5,
      });
      await uplink.start();
      for (let i = 0; i < expected.length - 1; i++) {
        await waitFor(() => timers.size === 1, `retry ${i} scheduled`);
        await timers.advance(timers.delays.at(-1)!);
      }
      await waitFor(() => timers.size === 1, 'last retry scheduled');
      expect(timers.delays).toEqual(expected);
      await uplink.stop();
    }
  });
});
