/**
 * R/health (retained, QoS 1): at least every `intervalS` (≤ 300 s, contract v1) and within `debounceMs`
 * (default 2 s, ≤ 10 s) of trigger() (a device changed state). Bursts of triggers collapse into one publish.
 * The runtime's provider returns the HealthV1 payload (devices, buses, unhealthy); this fills `store` from the
 * outbox stats (pending, oldestPendingAt, bytes, evictions). Goes through the outbox health lane like any
 * other message, so the last health before an outage is delivered after it.
 */
import type { Logger } from 'pino';
import type { HealthV1 } from '../core/contract.js';
import type { OutboxPort } from '../core/ports.js';
import type { OutboxStats } from '../store/index.js';
import { systemTimers, type Timers } from './backoff.js';

export interface HealthReporterOptions {
  provider: () => HealthV1 | Promise<HealthV1>;
  outbox: Pick<OutboxPort, 'append'> & { stats(): OutboxStats };
  intervalS: number;
  logger: Logger;
  timers?: Timers;
  debounceMs?: number;
}

export const MAX_HEALTH_INTERVAL_S = 300;
export const MAX_DEBOUNCE_MS = 10_000;

export class HealthReporter {
  private readonly timers: Timers;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly debounceMs: number;
  private periodic: unknown = null;
  private debounce: unknown = null;
  private running = false;
  private publishing: Promise<HealthV1 | null> | null = null;
  private published = 0;

  constructor(private readonly o: HealthReporterOptions) {
    this.timers = o.timers ?? systemTimers;
    this.logger = o.logger.child({ component: 'health' });
    this.intervalMs = Math.min(Math.max(o.intervalS, 1), MAX_HEALTH_INTERVAL_S) * 1000;
    this.debounceMs = Math.min(Math.max(o.debounceMs ?? 2000, 0), MAX_DEBOUNCE_MS);
  }

  get count(): number {
    return this.published;
  }

  /** Publishes once now, then periodically. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.publishNow();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of [this.periodic, this.debounce]) if (t !== null) this.timers.clearTimeout(t);
    this.periodic = null;
    this.debounce = null;
    await this.publishing;
  }

  /** A device changed state: publish within debounceMs (many triggers, one publish). */
  trigger(): void {
    if (!this.running || this.debounce !== null) return;
    this.debounce = this.timers.setTimeout(() => {
      this.debounce = null;
      void this.publishNow();
    }, this.debounceMs);
  }

  /** Builds and appends R/health now (also the `health` command); restarts the periodic timer. */
  publishNow(): Promise<HealthV1 | null> {
    const run = async (): Promise<HealthV1 | null> => {
      try {
        const health = await this.o.provider();
        const s = this.o.outbox.stats();
        const payload: HealthV1 = { ...health, v: 1,
          store: { pending: s.pending, oldestPendingAt: s.oldestPendingAt, bytes: s.bytes, evictions: { ...s.evictions } } };
        await this.o.outbox.append({ lane: 'health', topic: 'health', payload: payload as unknown as Record<string, unknown>, qos: 1, retain: true });
        this.published += 1;
        return payload;
      } catch (err) {
        this.logger.error({ err }, 'health publish failed');
        return null;
      } finally {
        this.schedule();
      }
    };
    const p = (this.publishing ?? Promise.resolve(null)).then(run);
    this.publishing = p;
    return p;
  }

  private schedule(): void {
    if (this.periodic !== null) this.timers.clearTimeout(this.periodic);
    this.periodic = null;
    if (!this.running) return;
    this.periodic = this.timers.setTimeout(() => {
      this.periodic = null;
      void this.publishNow();
    }, this.intervalMs);
  }
}
