import { describe, expect, it } from 'vitest';
import { checkTransport, isLoopbackHost, reconnectDelay, RetryBudget } from '../../../runtime/uplink/index.js';
import type { BoxConfig } from '../../../config/schema.js';

const policy = { baseMs: 1000, capMs: 60_000, firstRetryMaxMs: 5000 };

describe('reconnectDelay (full jitter)', () => {
  it('waits a random 0–5 s before the first retry', () => {
    expect(reconnectDelay(0, policy, () => 0)).toBe(0);
    expect(reconnectDelay(0, policy, () => 0.5)).toBe(2500);
    expect(reconnectDelay(0, policy, () => 0.999999)).toBe(4999);
  });
  it('doubles the ceiling per attempt up to the 60 s cap', () => {
    const max = (n: number) => reconnectDelay(n, policy, () => 0.999999);
    expect([1, 2, 3, 4, 5].map(max)).toEqual([1999, 3999, 7999, 15_999, 31_999]);
    expect(max(6)).toBe(59_999);
    expect(max(60)).toBe(59_999);
    expect(reconnectDelay(8, policy, () => 0.25)).toBe(15_000);
  });
});

describe('RetryBudget', () => {
  it('keeps the proposed delay while the rolling hour has room', () => {
    const b = new RetryBudget(3);
    b.record(0);
    b.record(1000);
    expect(b.delay(1000, 500)).toBe(500);
  });
  it('lengthens a delay that would put one attempt too many into any hour, and only that one', () => {
    const b = new RetryBudget(3, 60_000);
    for (const t of [0, 10_000, 20_000]) b.record(t);
    // A 4th attempt at 25 s would make 4 in the minute (0, 10, 20, 25): wait until the one at 0 leaves it.
    expect(b.delay(20_000, 5000)).toBe(40_000);
    b.record(60_000);
    // From 60 s: 10, 20, 60 in the window; the one at 10 leaves at 70.
    expect(b.delay(60_000, 1000)).toBe(10_000);
    expect(b.delay(60_000, 30_000)).toBe(30_000);
  });
  it('holds any sequence of jittered delays to the budget in every rolling hour', () => {
    const b = new RetryBudget(120);
    const times: number[] = [];
    let now = 0;
    for (let i = 0; i < 2000; i++) {
      times.push(now);
      b.record(now);
      now += b.delay(now, reconnectDelay(8, policy, Math.random));
    }
    for (let i = 0; i < times.length; i++) {
      const inHour = times.filter((t) => t >= times[i]! && t < times[i]! + 3_600_000).length;
      expect(inHour).toBeLessThanOrEqual(120);
    }
  });
});

const cfg = (url: string, insecure = false): BoxConfig['uplink'] => ({ url, insecure, prefix: 'qinhe', keepaliveS: 30, drainPerS: 200,
  backoffBaseMs: 1000, backoffCapMs: 60_000, firstRetryMaxMs: 5000, retriesPerHour: 120, centerKeys: [], healthIntervalS: 300 });

describe('transport rule', () => {
  it('allows TLS anywhere, plain TCP to loopback, and plain TCP elsewhere only with insecure', () => {
    expect(() => checkTransport(cfg('mqtts://center.example:8883'))).not.toThrow();
    expect(() => checkTransport(cfg('mqtt://127.0.0.1:1883'))).not.toThrow();
    expect(() => checkTransport(cfg('mqtt://localhost'))).not.toThrow();
    expect(() => checkTransport(cfg('mqtt://[::1]:1883'))).not.toThrow();
    expect(() => checkTransport(cfg('mqtt://10.0.0.5:1883'))).toThrow(expect.objectContaining({ code: 'QH_UPLINK_TLS' }));
    expect(() => checkTransport(cfg('mqtt://127.0.0.1.evil.example'))).toThrow(expect.objectContaining({ code: 'QH_UPLINK_TLS' }));
    expect(() => checkTransport(cfg('mqtt://10.0.0.5:1883', true))).not.toThrow();
    expect(() => checkTransport(cfg('http://127.0.0.1'))).toThrow(expect.objectContaining({ code: 'QH_UPLINK_TLS' }));
  });
  it('knows loopback hosts', () => {
    expect(['127.0.0.1', '127.5.6.7', 'localhost', '::1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['10.0.0.1', 'localhost.example', '128.0.0.1', '::2'].some(isLoopbackHost)).toBe(false);
  });
});
