import type { BoxConfig } from '../../../config/schema.js';

/** An uplink config for tests: fast backoff, a high drain rate. */
export function uplinkConfig(url: string, over: Partial<BoxConfig['uplink']> = {}): BoxConfig['uplink'] {
  return { url, prefix: 'qinhe', insecure: false, keepaliveS: 30, drainPerS: 2000, backoffBaseMs: 100, backoffCapMs: 500,
    firstRetryMaxMs: 200, retriesPerHour: 120, centerKeys: [], healthIntervalS: 300, ...over };
}
