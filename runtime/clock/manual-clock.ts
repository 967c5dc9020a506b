/**
 * A hand-driven Clock + Timers for tests and simulations: `advance(ms)` moves monotonic and wall time together
 * and runs every timer that falls due, in due order; `jumpWall(ms)` moves only the wall clock (an NTP step,
 * a box booting without RTC), which must never fire or lose a timer.
 */
import type { Clock } from '../../drivers/types.js';
import type { TimerHandle, Timers } from './timers.js';

interface Pending { id: number; due: number; fn: () => void }

export class ManualClock implements Clock, Timers {
  private wall: number;
  private monoMs: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start: { wall?: number; mono?: number } = {}) {
    this.wall = start.wall ?? Date.UTC(2026, 10, 26, 3, 0, 0);
    this.monoMs = start.mono ?? 1_000;
  }

  now(): number { return this.wall; }
  mono(): number { return this.monoMs; }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const entry = { id: ++this.seq, due: this.monoMs + Math.max(0, ms), fn };
    this.pending.push(entry);
    return entry;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending = this.pending.filter((p) => p !== handle);
  }

  /** Number of timers not yet fired. */
  pendingCount(): number { return this.pending.length; }

  /** Moves both clocks by `ms`, firing due timers in order (timers set by timers fire too if due). */
  advance(ms: number): void {
    const target = this.monoMs + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.wall += next.due - this.monoMs;
      this.monoMs = next.due;
      this.pending = this.pending.filter((p) => p !== next);
      next.fn();
    }
    this.wall += target - this.monoMs;
    this.monoMs = target;
  }

  /** Steps the wall clock only. */
  jumpWall(ms: number): void { this.wall += ms; }

  private nextDue(limit: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending) {
      if (p.due <= limit && (!best || p.due < best.due || (p.due === best.due && p.id < best.id))) best = p;
    }
    return best;
  }
}
