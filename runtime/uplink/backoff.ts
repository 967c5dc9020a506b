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

/**
 * A hard budget on top of the jitter: at most `perHour` connection attempts in any rolling hour. Full jitter at
 * the 60 s cap averages ~120 attempts an hour, with single hours well above (~21 % over 130): the budget only
 * lengthens the delays that would break it, so the contract's jittered schedule is kept everywhere else.
 */
export class RetryBudget {
  private readonly times: number[] = [];

  constructor(private readonly perHour: number, private readonly windowMs = 3_600_000) {}

  /** The delay to use from `now` (monotonic ms) instead of `proposed`, so the attempt stays within the budget. */
  delay(now: number, proposed: number): number {
    const at = now + Math.max(0, proposed);
    while (this.times.length > 0 && this.times[0]! <= at - this.windowMs) this.times.shift();
    if (this.times.length < this.perHour) return Math.max(0, proposed);
    // The attempt that must leave the window first: with `perHour` attempts in it, the oldest one.
    const earliest = this.times[this.times.length - this.perHour]! + this.windowMs;
    return Math.max(at, earliest) - now;
  }

  /** An attempt was made at `now` (monotonic ms). */
  record(now: number): void {
    this.times.push(now);
    if (this.times.length > this.perHour * 2) this.times.splice(0, this.times.length - this.perHour);
  }
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
