/**
 * Reconnect delays: exponential backoff with jitter (AWS architecture blog, "Exponential Backoff And Jitter",
 * 2015), c = min(cap, base * 2^attempt):
 *   full  (contract v1, the default)  delay = random(0, c)
 *   equal (proposed upstream v2)      delay = c/2 + random(0, c/2)
 * The first retry after a loss waits a random 0–firstRetryMaxMs in both, so a district-wide broker restart does
 * not bring every box back in the same second. Full jitter's delays are uniform on [0, c], so the wait left when
 * the broker returns is more often short than long and the first seconds are crowded (fault item 7: ≤ 10
 * CONNECT/s for 200 boxes); equal jitter's floor of c/2 spreads the return more evenly over c/2–c. It changes the
 * contract's reconnect rule, so a fleet uses it only once the center has agreed (uplink.jitter).
 */
export type Jitter = 'full' | 'equal';

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  firstRetryMaxMs: number;
  /** Default 'full' (contract v1). */
  jitter?: Jitter;
}

/** `attempt` 0 is the first retry after a loss or a failed first connect. `random` returns [0, 1). */
export function reconnectDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1);
  if (attempt <= 0) return Math.floor(r * policy.firstRetryMaxMs);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  if (policy.jitter === 'equal') return Math.floor(ceiling / 2 + (r * ceiling) / 2);
  return Math.floor(r * ceiling);
}

/**
 * A hard budget on top of the jitter: a token bucket of `burst` attempts refilled at `perHour` an hour, so any
 * hour holds at most perHour + burst attempts (120 + 10 = 130 by default). Equal jitter at the 60 s cap averages
 * 45 s (80 an hour) and never meets an empty bucket at steady state. Full jitter at the 60 s cap
 * averages ~120 attempts an hour, with single hours above 130 (about one in twenty at steady state): the
 * bucket only lengthens a delay when it is empty, and then by no more than one refill (30 s at 120/h), so
 * even a configuration with a tiny backoff cap is slowed to the budget's pace, never stalled.
 */
export class RetryBudget {
  private tokens: number;
  private last: number | undefined;
  private readonly perMs: number;

  constructor(perHour: number, private readonly burst = 10) {
    this.tokens = burst;
    this.perMs = perHour / 3_600_000;
  }

  private level(at: number): number {
    return this.last === undefined ? this.tokens : Math.min(this.burst, this.tokens + (at - this.last) * this.perMs);
  }

  /** The delay to use from `now` (monotonic ms) instead of `proposed`, so the attempt finds a token. */
  delay(now: number, proposed: number): number {
    const wait = Math.max(0, proposed);
    const level = this.level(now + wait);
    return level >= 1 ? wait : wait + Math.ceil((1 - level) / this.perMs);
  }

  /** An attempt was made at `now` (monotonic ms): it takes a token (the level may go below zero, never stays). */
  record(now: number): void {
    this.tokens = this.level(now) - 1;
    this.last = now;
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
