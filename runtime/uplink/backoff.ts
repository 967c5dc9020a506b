/**
 * Reconnect delays: exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And
 * Jitter", 2015): delay = random(0, min(cap, base * 2^attempt)). The first retry after a loss waits a random
 * 0–firstRetryMaxMs, so a district-wide broker restart does not bring every box back in the same second.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  firstRetryMaxMs: number;
}

/** `attempt` 0 is the first retry after a loss or a failed first connect. `random` returns [0, 1). */
export function reconnectDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1);
  if (attempt <= 0) return Math.floor(r * policy.firstRetryMaxMs);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(r * ceiling);
}

/** Timers, injectable so tests can drive reconnects and pacing without sleeping. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
