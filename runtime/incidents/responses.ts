/**
 * The center's answers moving an incident along (contract commands ack, onsite, resolve, silence), as the base
 * of IncidentEngine. Each returns the reply's `result`; an unknown incident id throws QH_INCIDENT_UNKNOWN.
 * Repeating a command is harmless (`changed: false`), since the center may retry after a lost reply.
 */
import type { Logger } from 'pino';
import type { BoxConfig } from '../../config/schema.js';
import type { Clock, ResolvedDevice } from '../../drivers/types.js';
import { isoTime, type IncidentEventName } from '../core/contract.js';
import { QinheError } from '../core/errors.js';
import type { EscalationTimers } from '../escalation/chain.js';
import type { SmsSender } from '../escalation/sms.js';
import type { Alarms } from './alarms.js';
import { mark, type Incident } from './model.js';

/** What the escalation and the responses need from the engine. */
export interface EngineCore {
  readonly config: BoxConfig;
  readonly clock: Clock;
  readonly sms: SmsSender | undefined;
  readonly devices: ResolvedDevice[];
  readonly alarms: Alarms;
  readonly escalation: EscalationTimers;
  emit(inc: Incident, event: IncidentEventName, extra?: Record<string, unknown>): void;
  save(inc: Incident): void;
  logFor(inc: Incident): Logger;
}

const ALARM_TYPES = new Set(['siren', 'strobe']);

export abstract class Responses implements EngineCore {
  protected readonly openById = new Map<string, Incident>();
  protected readonly byKey = new Map<string, string>();
  alarms!: Alarms;
  escalation!: EscalationTimers;

  abstract get config(): BoxConfig;
  abstract get clock(): Clock;
  abstract get sms(): SmsSender | undefined;
  abstract get devices(): ResolvedDevice[];
  abstract emit(inc: Incident, event: IncidentEventName, extra?: Record<string, unknown>): void;
  abstract save(inc: Incident): void;
  abstract logFor(inc: Incident): Logger;
  abstract forget(inc: Incident): void;
  abstract armChain(inc: Incident): void;
  abstract get(id: string): Incident | undefined;

  async ack(args: { incidentId: string; by: string }): Promise<Record<string, unknown>> {
    const inc = this.openOrAnswer(args.incidentId);
    if (!inc) return this.closedAnswer(args.incidentId);
    if (!mark(inc, 'ackedAt', this.clock.now(), this.clock.mono())) return this.answer(inc, false);
    inc.data = { ...inc.data, ackedBy: args.by };
    this.escalation.disarm(inc.id, 'ack-timeout');
    this.logFor(inc).info({ by: args.by }, 'incident acknowledged');
    this.emit(inc, 'acknowledged', { by: args.by });
    return this.answer(inc, true);
  }

  async onsite(args: { incidentId: string; by: string }): Promise<Record<string, unknown>> {
    const inc = this.openOrAnswer(args.incidentId);
    if (!inc) return this.closedAnswer(args.incidentId);
    const now = this.clock.now();
    const mono = this.clock.mono();
    if (!mark(inc, 'onsiteAt', now, mono)) return this.answer(inc, false);
    mark(inc, 'ackedAt', now, mono); // someone on site has acknowledged it
    inc.data = { ...inc.data, onsiteBy: args.by };
    this.escalation.disarm(inc.id, 'ack-timeout');
    this.escalation.disarm(inc.id, 'onsite-reminder');
    this.logFor(inc).info({ by: args.by }, 'responder on site');
    this.emit(inc, 'onsite', { by: args.by });
    return this.answer(inc, true);
  }

  async resolve(args: { incidentId: string; by: string; outcome: 'handled' | 'false-alarm' }): Promise<Record<string, unknown>> {
    const inc = this.openOrAnswer(args.incidentId);
    if (!inc) return this.closedAnswer(args.incidentId);
    mark(inc, 'resolvedAt', this.clock.now(), this.clock.mono());
    inc.status = 'resolved';
    inc.data = { ...inc.data, resolvedBy: args.by, outcome: args.outcome };
    this.escalation.disarm(inc.id);
    this.openById.delete(inc.id);
    for (const k of inc.keys) if (this.byKey.get(k) === inc.id) this.byKey.delete(k);
    this.forget(inc);
    // Silence what this incident sounded, except outputs another open incident still needs.
    const stillNeeded = new Set([...this.openById.values()].flatMap((o) => o.sounding));
    const off = inc.sounding.filter((id) => !stillNeeded.has(id));
    this.alarms.off(off, 'resolved');
    for (const id of off) this.alarms.record(inc, { type: 'silence', deviceId: id, at: isoTime(this.clock.now()) });
    inc.sounding = [];
    this.logFor(inc).info({ by: args.by, outcome: args.outcome }, 'incident resolved');
    this.emit(inc, 'resolved', { by: args.by, outcome: args.outcome });
    return { ...this.answer(inc, true), outcome: args.outcome, silenced: off };
  }

  /** Stops local alarms on a device or a zone; incidents do not re-sound them (not even on escalation). */
  async silence(target: string | { target: string }): Promise<Record<string, unknown>> {
    const args = typeof target === 'string' ? { target } : target;
    const ids = this.devices
      .filter((d) => ALARM_TYPES.has(d.config.type) && (d.config.id === args.target || d.config.zone === args.target))
      .map((d) => d.config.id);
    this.alarms.off(ids, 'silence');
    for (const inc of this.openById.values()) {
      const hit = inc.sounding.filter((id) => ids.includes(id));
      if (hit.length === 0) continue;
      inc.sounding = inc.sounding.filter((id) => !ids.includes(id));
      inc.silenced = [...new Set([...inc.silenced, ...hit])];
      for (const id of hit) this.alarms.record(inc, { type: 'silence', deviceId: id, at: isoTime(this.clock.now()) });
      this.save(inc);
    }
    return { target: args.target, silenced: ids };
  }

  private openOrAnswer(id: string): Incident | undefined {
    const inc = this.openById.get(id);
    if (inc) return inc;
    if (!this.get(id)) throw new QinheError('QH_INCIDENT_UNKNOWN', `no incident ${id}`, { details: { incidentId: id } });
    return undefined;
  }

  private closedAnswer(id: string): Record<string, unknown> {
    const inc = this.get(id);
    return { incidentId: id, status: 'resolved', changed: false, timeline: inc?.timeline ?? null };
  }

  private answer(inc: Incident, changed: boolean): Record<string, unknown> {
    return { incidentId: inc.id, status: inc.status, changed, timeline: { ...inc.timeline } };
  }
}
