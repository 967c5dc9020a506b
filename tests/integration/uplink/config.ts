import type { BoxConfig } from '../../../config/schema.js';

/** An uplink config for tests: fast backoff (and the retry budget scaled with it), a high drain rate. */
export function uplinkConfig(url: string, over: Partial<BoxConfig['uplink']> = {}): BoxConfig['uplink'] {
  const capMs = over.backoffCapMs ?? 500;
  return { url, prefix: 'qinhe', insecure: false, keepaliveS: 30, drainPerS: 2000, backoffBaseMs: 100, backoffCapMs: capMs,
    firstRetryMaxMs: 200, retriesPerHour: Math.round((120 * 60_000) / capMs), centerKeys: [], healthIntervalS: 300, ...over };
}
