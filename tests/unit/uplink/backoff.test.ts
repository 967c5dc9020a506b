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

describe('RetryBudget (token bucket: burst 10, refilled at perHour)', () => {
  it('keeps the proposed delay while the bucket has a token', () => {
    const b = new RetryBudget(120);
    for (let i = 0; i < 9; i++) b.record(i * 100);
    expect(b.delay(900, 500)).toBe(500);
  });
  it('lengthens a delay only when the bucket is empty, by what one token takes to come back', () => {
    const b = new RetryBudget(120); // a token every 30 s
    for (let i = 0; i < 10; i++) b.record(i * 100); // the burst used up within a second
    // 10 taken, 10 in the bucket at the start, one back every 30 s: the 11th attempt finds a token at 30 s.
    const at = 900 + b.delay(900, 500);
    expect(at).toBeGreaterThanOrEqual(30_000);
    expect(at).toBeLessThanOrEqual(30_002);
    expect(b.delay(900, 40_000)).toBe(40_000); // a long jittered delay needs no help
  });
  it('holds any sequence of delays, however short, to perHour + burst in every rolling hour, without stalling', () => {
    for (const jitter of [() => reconnectDelay(8, policy, Math.random), () => Math.random() * 500]) {
      const b = new RetryBudget(120);
      const times: number[] = [];
      let now = 0;
      let longest = 0;
      for (let i = 0; i < 3000; i++) {
        times.push(now);
        b.record(now);
        const d = b.delay(now, jitter());
        longest = Math.max(longest, d);
        now += d;
      }
      for (let i = 0; i < times.length; i++) {
        let n = 0;
        for (let k = i; k < times.length && times[k]! < times[i]! + 3_600_000; k++) n++;
        expect(n).toBeLessThanOrEqual(130);
      }
      expect(longest).toBeLessThanOrEqual(60_000 + 30_000);
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
