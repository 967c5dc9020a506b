/**
 * Publisher: every incident event goes through OutboxPort.appendIncident, in order per incident (one promise
 * chain each), so `acknowledged` can never be committed before `raised`. A failed append is logged and the
 * chain goes on: the local alarm never depends on the outbox.
 */
import type { Logger } from 'pino';
import type { IncidentEventDraft, IncidentEventV1 } from '../core/contract.js';
import type { OutboxPort } from '../core/ports.js';

export class Publisher {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly outbox: OutboxPort, private readonly logger: Logger) {}

  /** Queues the event; `onCommitted` runs once the outbox has committed it. */
  publish(draft: IncidentEventDraft, onCommitted?: (ev: IncidentEventV1) => void): Promise<void> {
    const prev = this.chains.get(draft.incidentId);
    const run = async () => {
      try {
        const ev = await this.outbox.appendIncident(draft);
        onCommitted?.(ev);
      } catch (err) {
        this.logger.error({ err, incident: draft.incidentId, event: draft.event }, 'outbox refused an incident event');
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
