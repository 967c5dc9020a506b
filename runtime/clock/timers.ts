/**
 * Injectable timers. Every delay in the incident engine and the escalation chain goes through this seam, so
 * tests drive time with ManualClock instead of sleeping. Node's own timers run on libuv's monotonic clock, so
 * a wall-clock jump (NTP step, no RTC at boot) neither fires them early nor late.
 */
export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Timers {
  /** Calls fn once after `ms` of monotonic time. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, Math.max(0, ms));
    // A pending escalation must not keep a stopping process alive; stop() clears them anyway.
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
