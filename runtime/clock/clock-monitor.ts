/**
 * ClockMonitor: watches for the wall clock to become trustworthy and remembers the wall/mono offset at that
 * moment, so a time taken before the sync (wall unknown, mono known) can be corrected afterwards:
 *   trueWall(mono) = mono + (wallAtSync − monoAtSync).
 * The probe is injectable (see probes.ts); polling uses injectable timers; the constructor does no I/O.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../drivers/types.js';
import type { EventBus } from '../core/bus.js';
import type { ClockProbe } from './probes.js';
import { systemTimers, type TimerHandle, type Timers } from './timers.js';

export interface ClockMonitorContext {
  clock: Clock;
  probe: ClockProbe;
  logger: Logger;
  timers?: Timers;
  bus?: EventBus;
  /** Poll period until synced. */
  pollMs?: number;
  /** Treat the clock as synced from the start (tests, boxes with an RTC). */
  assumeSynced?: boolean;
}

export type SyncListener = (offsetMs: number) => void;

export class ClockMonitor {
  private offset: number | null = null;
  private timer: TimerHandle | null = null;
  private running = false;
  private readonly listeners: SyncListener[] = [];
  private readonly timers: Timers;

  constructor(private readonly ctx: ClockMonitorContext) {
    this.timers = ctx.timers ?? systemTimers;
    if (ctx.assumeSynced) this.offset = ctx.clock.now() - ctx.clock.mono();
  }

  synced(): boolean { return this.offset !== null; }

  /** wall − mono at the sync, or null before it. */
  offsetMs(): number | null { return this.offset; }

  /** The true wall time of a monotonic instant, or null before the sync. */
  trueWall(mono: number): number | null {
    return this.offset === null ? null : mono + this.offset;
  }

  onSync(fn: SyncListener): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  start(): void {
    if (this.running || this.synced()) return;
    this.running = true;
    void this.poll();
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Runs the probe once now (also used by start's polling). */
  async poll(): Promise<boolean> {
    if (this.synced()) return true;
    let ok = false;
    try {
      ok = await this.ctx.probe();
    } catch (err) {
      this.ctx.logger.warn({ err }, 'clock probe failed');
    }
    if (ok) this.markSynced();
    else if (this.running) this.timer = this.timers.setTimeout(() => void this.poll(), this.ctx.pollMs ?? 5000);
    return ok;
  }

  /** Records the sync now (the probe said yes, or an operator said so). */
  markSynced(): void {
    if (this.synced()) return;
    const offset = this.ctx.clock.now() - this.ctx.clock.mono();
    this.offset = offset;
    this.running = false;
    this.ctx.logger.info({ offsetMs: offset }, 'wall clock synchronised');
    this.ctx.bus?.emit('clockSynced', { offsetMs: offset });
    for (const fn of [...this.listeners]) {
      try {
        fn(offset);
      } catch (err) {
        this.ctx.logger.error({ err }, 'clock sync listener threw');
      }
    }
  }
}
