/**
 * The alarm pattern engine, backend-agnostic: GPIO sirens and Modbus relay outputs give it a `setLevel(on)`.
 *
 *   play(pattern, seconds, priority) ─┐
 *   stop(pattern?) / off() ───────────┼─► requests ─► highest priority wins ─► levelAt(spec, own elapsed) ─► setLevel
 *   one timer: next level change or next expiry ───┘
 *
 * - Hard maximum on-time: a request lasts min(seconds, maxOnS) from when it first started; a re-trigger while it
 *   runs extends it, but never past that cap, so a repeating trigger cannot hold a siren on for ever.
 * - Overlaps: the highest priority wins (ties: the most recent); when it ends, the next one resumes at the point
 *   its own timeline has reached, if it is still within its time. One request per pattern: playing a pattern
 *   that already plays re-triggers it (its timeline continues; it keeps the higher priority).
 * - Writes are serialised, latest level wins (a slow Modbus write never reorders levels); a failing write is
 *   logged once per failure streak and retried every `retryMs`.
 */
import type { Logger } from 'pino';
import { QinheError } from '../../runtime/core/errors.js';
import { PATTERNS } from '../../config/schema.js';
import type { OutputPattern } from '../types.js';
import { PATTERN_SPECS, levelAt, type PatternSpec } from './patterns.js';
import { systemTimers, type TimerHandle, type Timers } from './timers.js';

export interface PatternPlayerOptions {
  /** Drive the output: true = sounding. May be synchronous (GPIO) or asynchronous (a Modbus write). */
  setLevel(on: boolean): void | Promise<void>;
  /** Hard maximum on-time of any one request (profile maxOnS). */
  maxOnS: number;
  logger: Logger;
  /** Monotonic milliseconds. */
  clock?: { mono(): number };
  timers?: Timers;
  retryMs?: number;
  specs?: Partial<Record<OutputPattern, PatternSpec>>;
}

export interface PlayingState {
  pattern: OutputPattern;
  priority: number;
  endsInMs: number;
}

interface Request {
  pattern: OutputPattern;
  priority: number;
  startedAt: number;
  endsAt: number;
  seq: number;
}

export class PatternPlayer {
  private readonly opts: PatternPlayerOptions;
  private readonly clock: { mono(): number };
  private readonly timers: Timers;
  private readonly requests = new Map<OutputPattern, Request>();
  private seq = 0;
  private timer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private desired = false;
  private written: boolean | undefined;
  private inFlight = false;
  private failing = false;
  private disposed = false;

  constructor(opts: PatternPlayerOptions) {
    if (!(opts.maxOnS > 0)) throw new QinheError('QH_OUTPUT_INVALID', `maxOnS must be positive, got ${opts.maxOnS}`);
    this.opts = opts;
    this.clock = opts.clock ?? { mono: () => performance.now() };
    this.timers = opts.timers ?? systemTimers;
  }

  /** Start (or re-trigger) a pattern for `seconds`, capped by maxOnS. Higher `priority` wins. */
  play(pattern: OutputPattern, seconds: number, priority = 0): void {
    this.assertOpen();
    if (!(PATTERNS as readonly string[]).includes(pattern)) {
      throw new QinheError('QH_OUTPUT_INVALID', `unknown pattern "${String(pattern)}"`);
    }
    if (!(seconds > 0) || !Number.isFinite(seconds)) {
      throw new QinheError('QH_OUTPUT_INVALID', `seconds must be a positive number, got ${seconds}`);
    }
    const now = this.clock.mono();
    this.pruneExpired(now);
    const capMs = this.opts.maxOnS * 1000;
    const existing = this.requests.get(pattern);
    const startedAt = existing?.startedAt ?? now;
    const endsAt = Math.min(now + seconds * 1000, startedAt + capMs);
    // A re-trigger never demotes a running pattern: it keeps the higher of the two priorities.
    const effective = Math.max(priority, existing?.priority ?? Number.NEGATIVE_INFINITY);
    this.requests.set(pattern, { pattern, priority: effective, startedAt, endsAt, seq: ++this.seq });
    this.tick();
  }

  /** End one pattern (or all); a lower-priority pattern still within its time resumes. */
  stop(pattern?: OutputPattern): void {
    if (this.disposed) return;
    if (pattern === undefined) this.requests.clear();
    else this.requests.delete(pattern);
    this.tick();
  }

  /** Silence everything now. */
  off(): void {
    this.stop();
  }

  /** What is sounding now, or null. */
  playing(): PlayingState | null {
    const now = this.clock.mono();
    const top = this.top(now);
    return top ? { pattern: top.pattern, priority: top.priority, endsInMs: top.endsAt - now } : null;
  }

  /** Stop timers without touching the output (the owner drives its safe state itself). Idempotent. */
  dispose(): void {
    this.disposed = true;
    this.requests.clear();
    this.clearTimer();
    if (this.retryTimer !== undefined) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private assertOpen(): void {
    if (this.disposed) throw new QinheError('QH_OUTPUT_CLOSED', 'the output has been stopped');
  }

  private pruneExpired(now: number): void {
    for (const [pattern, req] of this.requests) if (req.endsAt <= now) this.requests.delete(pattern);
  }

  private top(now: number): Request | undefined {
    let best: Request | undefined;
    for (const req of this.requests.values()) {
      if (req.endsAt <= now) continue;
      if (!best || req.priority > best.priority || (req.priority === best.priority && req.seq > best.seq)) best = req;
    }
    return best;
  }

  private tick(): void {
    if (this.disposed) return;
    this.clearTimer();
    const now = this.clock.mono();
    this.pruneExpired(now);
    const top = this.top(now);
    if (!top) {
      this.apply(false);
      return;
    }
    const spec = this.opts.specs?.[top.pattern] ?? PATTERN_SPECS[top.pattern];
    const level = levelAt(spec, now - top.startedAt);
    this.apply(level.on);
    const waitMs = Math.max(1, Math.min(level.changeInMs, top.endsAt - now));
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.tick();
    }, waitMs);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private apply(on: boolean): void {
    this.desired = on;
    this.pump();
  }

  /** Serialised writer: synchronous setLevel completes inline, a promise holds the next write until it settles. */
  private pump(): void {
    while (!this.inFlight && !this.disposed && this.written !== this.desired) {
      const target = this.desired;
      let result: void | Promise<void>;
      try {
        result = this.opts.setLevel(target);
      } catch (err) {
        this.writeFailed(err);
        return;
      }
      if (result instanceof Promise) {
        this.inFlight = true;
        result.then(
          () => {
            this.inFlight = false;
            this.writeOk(target);
            this.pump();
          },
          (err: unknown) => {
            this.inFlight = false;
            this.writeFailed(err);
          },
        );
        return;
      }
      this.writeOk(target);
    }
  }

  private writeOk(level: boolean): void {
    this.written = level;
    if (this.failing) this.opts.logger.info({ on: level }, 'alarm output writable again');
    this.failing = false;
  }

  private writeFailed(err: unknown): void {
    this.written = undefined;
    if (!this.failing) this.opts.logger.warn({ err, on: this.desired }, 'alarm output write failed; retrying');
    this.failing = true;
    if (this.retryTimer !== undefined || this.disposed) return;
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, this.opts.retryMs ?? 1000);
  }
}
