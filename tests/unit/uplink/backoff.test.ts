import { describe, expect, it } from 'vitest';
import { checkTransport, isLoopbackHost, reconnectDelay } from '../../../runtime/uplink/index.js';
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

const cfg = (url: string, insecure = false): BoxConfig['uplink'] => ({ url, insecure, prefix: 'qinhe', keepaliveS: 30, drainPerS: 200,
  backoffBaseMs: 1000, backoffCapMs: 60_000, firstRetryMaxMs: 5000, centerKeys: [], healthIntervalS: 300 });

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
