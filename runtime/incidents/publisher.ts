/**
 * Publisher: every incident event goes through OutboxPort.appendIncident, in order per incident (one promise
 * chain each), so `acknowledged` can never be committed before `raised`. The local alarm never depends on the
 * outbox. An append the store refuses for a reason that passes (disk or quota full, I/O error, store not open)
 * is held in memory and retried, in order, until it commits: a full disk delays an incident, never loses it.
 */
import type { Logger } from 'pino';
import type { IncidentEventDraft, IncidentEventV1 } from '../core/contract.js';
import { errorMessage, isTransient } from '../core/errors.js';
import type { OutboxPort } from '../core/ports.js';

/** Retry delays for a refused append: 0.5 s doubling to 5 s, so events are out ≤ 5 s after space returns. */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 5000;

export class Publisher {
  private readonly chains = new Map<string, Promise<void>>();

  private stopped = false;
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  constructor(private readonly outbox: OutboxPort, private readonly logger: Logger) {}

  /** Stops retrying (the engine stops); events still held are given up with one error line each. */
  stop(): void {
    this.stopped = true;
    for (const s of this.sleeping) {
      clearTimeout(s.timer);
      s.wake();
    }
    this.sleeping.clear();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = { timer: setTimeout(() => { this.sleeping.delete(entry); resolve(); }, ms), wake: resolve };
      entry.timer.unref();
      this.sleeping.add(entry);
    });
  }

  /** Queues the event; `onCommitted` runs once the outbox has committed it. */
  publish(draft: IncidentEventDraft, onCommitted?: (ev: IncidentEventV1) => void): Promise<void> {
    const prev = this.chains.get(draft.incidentId);
    const run = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const ev = await this.outbox.appendIncident(draft);
          if (attempt > 0) this.logger.info({ incident: draft.incidentId, event: draft.event, attempts: attempt + 1 }, 'held incident event committed');
          onCommitted?.(ev);
          return;
        } catch (err) {
          const retry = isTransient(err) && !this.stopped;
          if (attempt === 0 || !retry) {
            this.logger.error({ err: errorMessage(err), incident: draft.incidentId, event: draft.event, held: retry },
              retry ? 'outbox refused an incident event; held in memory and retried' : 'outbox refused an incident event');
          }
          if (!retry) return;
          await this.sleep(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** attempt));
        }
      }
    };
    // The first event of an incident is appended synchronously (no microtask hop) so it is queued at once.
    const next = prev ? prev.then(run) : run();
    this.chains.set(draft.incidentId, next);
    void next.then(() => {
      if (this.chains.get(draft.incidentId) === next) this.chains.delete(draft.incidentId);
    });
    return next;
  }

  /** Resolves when every queued event has been handled. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }
}
