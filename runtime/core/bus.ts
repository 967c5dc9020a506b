/**
 * Typed event bus: one map of event name → payload type; listeners are filed under their owner and removed
 * together; every listener is wrapped so a throw is logged, never propagated to the emitter (idea from
 * zigbee2mqtt lib/eventBus.ts).
 */
import type { Logger } from 'pino';
import type { AvailabilityFact, EventFact, ReadingFact } from '../../drivers/types.js';
import type { IncidentEventV1 } from './contract.js';

export interface BusEvents {
  reading: ReadingFact;
  event: EventFact;
  availability: AvailabilityFact;
  /** An incident event was committed to the outbox (seq assigned). */
  incident: IncidentEventV1;
  /** The uplink connected or disconnected. */
  uplink: { connected: boolean; reason?: string };
  /** The configuration was (re)loaded. */
  config: { reloaded: boolean };
  /** The wall clock became trustworthy (NTP sync observed). */
  clockSynced: { offsetMs: number };
}

type Listener<K extends keyof BusEvents> = (payload: BusEvents[K]) => void;

export class EventBus {
  private readonly listeners = new Map<keyof BusEvents, Array<{ owner: object; fn: Listener<never> }>>();

  constructor(private readonly logger: Logger) {}

  on<K extends keyof BusEvents>(event: K, owner: object, fn: Listener<K>): void {
    const list = this.listeners.get(event) ?? [];
    list.push({ owner, fn: fn as Listener<never> });
    this.listeners.set(event, list);
  }

  emit<K extends keyof BusEvents>(event: K, payload: BusEvents[K]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (const { fn, owner } of list) {
      try {
        (fn as Listener<K>)(payload);
      } catch (err) {
        this.logger.error({ err, event, owner: owner.constructor?.name }, 'bus listener threw');
      }
    }
  }

  removeListeners(owner: object): void {
    for (const [event, list] of this.listeners) {
      this.listeners.set(event, list.filter((l) => l.owner !== owner));
    }
  }

  listenerCount(event: keyof BusEvents): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}
