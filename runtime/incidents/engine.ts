/**
 * IncidentEngine: facts → rules → incidents → local alarms, outbox events and the response chain.
 *
 *   bus facts ─► RuleRunner ─► verdict ─┬─ open incident for (device, rule)? ─► count, rate-limited `updated`
 *                                       ├─ correlates with an open one in the zone? ─► merged, `updated`
 *                                       └─ new: sirens/cut-off NOW ─► save ─► outbox `raised` ─► chain armed
 *
 * Local outputs are issued synchronously in the bus listener, before the disk write and the outbox append,
 * so a siren never waits on either. Every timer is on the injectable (monotonic) timers.
 */
import type { Logger } from 'pino';
import type { RuleConfig } from '../../config/schema.js';
import type { ResolvedDevice } from '../../drivers/types.js';
import { systemTimers, type TimerHandle, type Timers } from '../clock/timers.js';
import { isoTime, type EvidenceRef, type IncidentEventName, type IncidentKind, type Severity } from '../core/contract.js';
import { QinheError } from '../core/errors.js';
import { EscalationTimers, pendingStages } from '../escalation/chain.js';
import { escalate } from '../escalation/escalate.js';
import { RuleRunner, type RuleVerdict } from '../rules/runner.js';
import { planActions } from './actions.js';
import { Alarms } from './alarms.js';
import { Responses } from './responses.js';
import type { IncidentEngineContext } from './context.js';
import { correlate } from './correlation.js';
import { createIncident, detectedMono, mark, toDraft, type Incident, type NewIncident } from './model.js';
import { Publisher } from './publisher.js';
import { rebase } from './restore.js';
import { IncidentStore } from './store.js';

/** Evidence files arriving within this window are announced in one `updated` event. */
export const EVIDENCE_BATCH_MS = 500;

export class IncidentEngine extends Responses {
  private readonly log: Logger;
  private readonly timers: Timers;
  private readonly evidenceBatches = new Map<string, { ids: string[]; timer: TimerHandle }>();
  private readonly store: IncidentStore;
  private readonly publisher: Publisher;
  private readonly devicesById: Map<string, ResolvedDevice>;
  private readonly lastUpdate = new Map<string, number>();
  private readonly flushTimers = new Map<string, TimerHandle>();
  private runner: RuleRunner | null = null;
  private tickTimer: TimerHandle | null = null;
  private unsubscribeSync: (() => void) | null = null;
  private running = false;

  constructor(private readonly ctx: IncidentEngineContext) {
    super();
    this.log = ctx.logger.child({ component: 'incidents' });
    this.timers = ctx.timers ?? systemTimers;
    this.store = new IncidentStore(ctx.dataDir);
    this.publisher = new Publisher(ctx.outbox, this.log);
    this.devicesById = new Map(ctx.devices.map((d) => [d.config.id, d]));
    this.alarms = new Alarms({
      outputs: ctx.outputs, evidence: ctx.evidence, clock: ctx.clock, logger: this.log,
      typeOf: (id) => this.devicesById.get(id)?.config.type,
    });
    this.escalation = new EscalationTimers(this.timers, (id, stage) => {
      const inc = this.openById.get(id);
      if (inc) escalate(this, inc, stage);
    });
  }

  start(): void {
    if (this.running) return;
    const store = this.store.open(this.ctx.clock.now());
    this.runner = new RuleRunner(this.ctx.devices, this.ctx.config.rules,
      (w) => this.log.warn({ device: w.device, rule: w.rule, scope: w.scope, reason: w.reason }, 'rule override skipped'));
    this.running = true;
    this.restore();
    const { bus } = this.ctx;
    bus.on('reading', this, (f) => this.handle(this.runner?.reading(f) ?? []));
    bus.on('event', this, (f) => this.handle(this.runner?.event(f) ?? []));
    bus.on('availability', this, (f) => this.handle(this.runner?.availability(f) ?? []));
    this.unsubscribeSync = this.ctx.clockMonitor?.onSync((offset) => this.correctClock(offset)) ?? null;
    this.scheduleTick();
    if (store.degraded) {
      this.log.error({ reason: store.reason }, 'incident store degraded');
      this.raiseBoxFault(store.reason);
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.publisher.stop();
    this.ctx.bus.removeListeners(this);
    this.unsubscribeSync?.();
    if (this.tickTimer) this.timers.clearTimeout(this.tickTimer);
    for (const h of this.flushTimers.values()) this.timers.clearTimeout(h);
    this.flushTimers.clear();
    // Evidence already on disk is announced before stopping rather than lost from the incident's events.
    for (const id of [...this.evidenceBatches.keys()]) {
      const inc = this.openById.get(id);
      if (inc) this.flushEvidence(inc);
    }
    this.evidenceBatches.clear();
    this.escalation.stop();
    // Not waiting for the outbox: a hung store must not hang shutdown; appends already issued are its job.
    this.store.close();
  }

  /** Resolves once every queued outbox append has settled (tests, clean shutdown). */
  idle(): Promise<void> { return this.publisher.idle(); }

  open(): Incident[] { return [...this.openById.values()].map(copy); }

  list(limit = 50): Incident[] { return this.store.list(limit); }

  get(id: string): Incident | undefined {
    const inc = this.openById.get(id);
    return inc ? copy(inc) : this.store.get(id);
  }

  /** A drill: a test incident end to end (short chirp locally, `test: true` upstream, no escalation). */
  raiseTest(deviceId: string): Incident {
    const dev = this.devicesById.get(deviceId);
    if (!dev) throw new QinheError('QH_INCIDENT_DEVICE', `no device ${deviceId}`, { details: { deviceId } });
    const rule: RuleConfig | undefined = this.runner?.rulesOf(deviceId)[0];
    const now = this.ctx.clock.now();
    const inc = this.raise({
      key: `${deviceId}/drill#${now}`, kind: rule?.kind ?? 'other', severity: rule?.severity ?? 'minor',
      device: deviceInfo(dev), summary: `drill on ${deviceId}`, data: { drill: true, ...(rule ? { rule: rule.id } : {}) },
      detectedAt: now, detectedMono: this.ctx.clock.mono(), clockSynced: this.synced(), test: true,
    }, dev, { pattern: 'chirp', seconds: 5 });
    return copy(inc);
  }

  /** The box itself is in trouble (store corrupt and set aside, disk full): one incident per reason while open. */
  raiseBoxFault(reason: string): Incident {
    const key = `box/${reason.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 48)}`;
    const existing = this.byKey.get(key);
    const existingInc = existing ? this.openById.get(existing) : undefined;
    if (existingInc) {
      this.repeat(existingInc, reason, {}, this.ctx.clock.mono());
      return copy(existingInc);
    }
    const box = this.ctx.config.box.id;
    return copy(this.raise({
      key, kind: 'box-fault', severity: 'major', device: { id: box, type: 'box', zone: 'box' }, summary: reason,
      data: { reason }, detectedAt: this.ctx.clock.now(), detectedMono: this.ctx.clock.mono(), clockSynced: this.synced(),
    }, undefined));
  }

  // ---------- called by Responses and the escalation ----------
  override get config() { return this.ctx.config; }
  override get clock() { return this.ctx.clock; }
  override get sms() { return this.ctx.sms; }
  override get devices() { return this.ctx.devices; }
  override logFor(inc: Incident): Logger { return this.log.child({ incident: inc.id }); }

  override emit(inc: Incident, event: IncidentEventName, extra: Record<string, unknown> = {}): void {
    inc.countPublished = inc.count;
    this.lastUpdate.set(inc.id, this.ctx.clock.mono());
    this.save(inc);
    const draft = toDraft(inc, event, extra);
    void this.publisher.publish(draft, event === 'raised' ? (ev) => {
      inc.raisedSeq = ev.seq;
      this.save(inc);
    } : undefined);
  }

  /**
   * The broker acknowledged incident events (PUBACK): the incident has reached the center, which is what the
   * timeline's `forwardedAt` records (not the moment it was stored while the uplink was down).
   */
  delivered(events: Array<{ incidentId: string }>): void {
    for (const { incidentId } of events) {
      const inc = this.openById.get(incidentId);
      if (inc && mark(inc, 'forwardedAt', this.ctx.clock.now(), this.ctx.clock.mono())) this.save(inc);
    }
  }

  override save(inc: Incident): void {
    inc.savedElapsedMs = Math.max(0, this.ctx.clock.mono() - detectedMono(inc));
    inc.savedWall = this.ctx.clock.now();
    try {
      this.store.save(inc);
    } catch (err) {
      this.log.error({ err, incident: inc.id }, 'could not persist incident');
    }
  }

  override forget(inc: Incident): void {
    const h = this.flushTimers.get(inc.id);
    if (h) this.timers.clearTimeout(h);
    this.flushTimers.delete(inc.id);
    this.lastUpdate.delete(inc.id);
  }

  // ---------- facts to incidents ----------
  private handle(verdicts: RuleVerdict[]): void {
    for (const v of verdicts) {
      try {
        this.onVerdict(v);
      } catch (err) {
        this.log.error({ err, device: v.device.config.id, rule: v.rule.id }, 'incident handling failed');
      }
    }
  }

  private onVerdict({ device, rule, verdict }: RuleVerdict): void {
    if (verdict.type === 'clear') return this.cleared(`${device.config.id}/${rule.id}`, verdict.mono);
    if (verdict.type !== 'trigger') return;
    const key = `${device.config.id}/${rule.id}${verdict.test ? '#test' : ''}`;
    const openId = this.byKey.get(key);
    const inc = openId ? this.openById.get(openId) : undefined;
    if (inc) {
      if (inc.clearedKeys?.includes(key)) {
        inc.clearedKeys = inc.clearedKeys.filter((k) => k !== key);
        inc.clearedPublished = false;
      }
      return this.repeat(inc, verdict.summary, verdict.data, verdict.mono);
    }
    // A rule still active after its incident was resolved only raises again on a fresh edge.
    if (!verdict.edge) return;
    // Another rule of the same device saying the same thing (rate of rise, then the limit) is the same incident.
    const sibling = [...this.openById.values()].find((o) => o.device.id === device.config.id && o.kind === rule.kind
      && Boolean(o.test) === Boolean(verdict.test));
    if (sibling) {
      sibling.keys.push(key);
      this.byKey.set(key, sibling.id);
      return this.repeat(sibling, verdict.summary, verdict.data, verdict.mono);
    }
    const zone = device.config.zone;
    const joined = correlate(this.openById.values(), { kind: rule.kind, zone, mono: verdict.mono, ...(verdict.test ? { test: true } : {}) },
      this.ctx.config.incidents.correlationWindowS);
    if (joined) return this.merge(joined.incident, joined.kind, joined.severity, key, device, rule.kind, verdict.summary, verdict.data);
    this.raise({
      key, kind: rule.kind, severity: rule.severity, device: deviceInfo(device), summary: verdict.summary, data: verdict.data,
      detectedAt: verdict.at, detectedMono: verdict.mono, clockSynced: this.synced(), ...(verdict.test ? { test: true } : {}),
    }, device);
  }

  private raise(n: NewIncident, device: ResolvedDevice | undefined, alarm?: { pattern: 'chirp'; seconds: number }): Incident {
    const inc = createIncident(n);
    const plan = planActions({ kind: n.kind, severity: n.severity, zone: n.device.zone, ...(device ? { device } : {}) },
      this.ctx.config.actions, this.ctx.devices);
    // Drills and walk tests: a short chirp, never a cut-off.
    if (alarm || n.test) Object.assign(plan, alarm ?? { pattern: 'chirp', seconds: 5 }, { cutoffs: [] });
    this.alarms.execute(inc, plan); // outputs first: before the disk and the outbox
    this.openById.set(inc.id, inc);
    this.byKey.set(n.key, inc.id);
    this.alarms.requestEvidence(inc, plan.cameras, (cam) => Boolean(this.devicesById.get(cam)?.profile.evidence?.clip),
      (ref) => this.addEvidence(inc, ref));
    this.logFor(inc).warn({ kind: inc.kind, severity: inc.severity, device: inc.device.id, test: inc.test }, inc.summary);
    this.emit(inc, 'raised');
    this.armChain(inc);
    return inc;
  }

  /**
   * A condition stopped holding (the device is back online, the temperature fell below the hysteresis...). When
   * every condition folded into the incident has cleared, an `updated` event says so once (`data.cleared: true`,
   * `clearedAfterS`); the incident stays open until the center resolves it. Rate-limited like repeats, so a
   * flapping device costs one update per interval, not one per flap.
   */
  private cleared(key: string, mono: number): void {
    const inc = this.openById.get(this.byKey.get(key) ?? '');
    if (!inc || inc.status !== 'open' || inc.clearedKeys?.includes(key)) return;
    inc.clearedKeys = [...(inc.clearedKeys ?? []), key];
    this.save(inc);
    if (this.allCleared(inc)) this.scheduleUpdate(inc, mono);
  }

  private allCleared(inc: Incident): boolean {
    return inc.keys.every((k) => inc.clearedKeys?.includes(k));
  }

  private repeat(inc: Incident, summary: string, data: Record<string, unknown>, mono: number): void {
    inc.count += 1;
    if (inc.keys.length === 1) {
      inc.summary = summary;
      inc.data = { ...inc.data, ...data };
    }
    this.scheduleUpdate(inc, mono);
  }

  /** An `updated` event now, or at the end of the update interval (one pending per incident). */
  private scheduleUpdate(inc: Incident, mono: number): void {
    const since = mono - (this.lastUpdate.get(inc.id) ?? detectedMono(inc));
    const intervalMs = (this.ctx.updateIntervalS ?? 30) * 1000;
    if (since >= intervalMs) return this.publishUpdate(inc);
    if (this.flushTimers.has(inc.id)) return;
    this.flushTimers.set(inc.id, this.timers.setTimeout(() => {
      this.flushTimers.delete(inc.id);
      if (inc.status === 'open') this.publishUpdate(inc);
    }, intervalMs - since));
  }

  /** Says what changed since the last event: more triggers (`repeated`), and/or every condition cleared. */
  private publishUpdate(inc: Incident): void {
    const extra: Record<string, unknown> = {};
    if (inc.count > inc.countPublished) extra.repeated = true;
    const clearedNow = this.allCleared(inc);
    if (clearedNow && !inc.clearedPublished) {
      const afterS = Math.round((this.ctx.clock.mono() - detectedMono(inc)) / 1000);
      Object.assign(extra, { cleared: true, clearedAfterS: afterS });
      inc.clearedPublished = true;
      this.logFor(inc).info({ afterS }, 'incident condition cleared');
    }
    if (Object.keys(extra).length > 0) this.emit(inc, 'updated', extra);
  }

  private merge(inc: Incident, kind: IncidentKind, severity: Severity, key: string, device: ResolvedDevice, memberKind: IncidentKind,
    summary: string, data: Record<string, unknown>): void {
    const was = { kind: inc.kind, severity: inc.severity };
    inc.keys.push(key);
    this.byKey.set(key, inc.id);
    inc.count += 1;
    inc.kind = kind;
    inc.severity = severity;
    inc.summary = `${inc.summary} + ${summary}`.slice(0, 300);
    const members = Array.isArray(inc.data.correlated) ? (inc.data.correlated as unknown[]) : [];
    inc.data = { ...inc.data, correlated: [...members, { device: device.config.id, kind: memberKind, ...data }] };
    const plan = planActions({ kind, severity, zone: inc.device.zone, device }, this.ctx.config.actions, this.ctx.devices);
    const louder = kind !== was.kind || severity !== was.severity;
    this.alarms.execute(inc, louder ? plan : { ...plan, sirens: plan.sirens.filter((s) => !inc.sounding.includes(s)) });
    this.alarms.requestEvidence(inc, plan.cameras.filter((c) => !inc.actions.some((a) => a.deviceId === c && a.type === 'snapshot')),
      (cam) => Boolean(this.devicesById.get(cam)?.profile.evidence?.clip), (ref) => this.addEvidence(inc, ref));
    this.logFor(inc).warn({ kind, severity, joined: key }, 'incident correlated');
    this.emit(inc, 'updated', { correlatedFrom: was, joined: device.config.id });
    this.armChain(inc);
  }

  /**
   * Evidence from several cameras arrives within moments of each other: it is saved at once and announced in
   * one `updated` event per EVIDENCE_BATCH_MS, not one per file.
   */
  private addEvidence(inc: Incident, ref: EvidenceRef): void {
    inc.evidence.push(ref);
    this.save(inc);
    if (inc.status !== 'open') return;
    const batch = this.evidenceBatches.get(inc.id);
    if (batch) {
      batch.ids.push(ref.id);
      return;
    }
    const ids = [ref.id];
    const timer = this.timers.setTimeout(() => this.flushEvidence(inc), EVIDENCE_BATCH_MS);
    this.evidenceBatches.set(inc.id, { ids, timer });
  }

  private flushEvidence(inc: Incident): void {
    const batch = this.evidenceBatches.get(inc.id);
    if (!batch) return;
    this.evidenceBatches.delete(inc.id);
    this.timers.clearTimeout(batch.timer);
    if (inc.status === 'open') this.emit(inc, 'updated', { evidenceAdded: batch.ids });
  }

  override armChain(inc: Incident): void {
    this.escalation.arm(inc.id, pendingStages(inc, this.ctx.config.incidents), this.ctx.clock.mono() - detectedMono(inc));
  }

  private restore(): void {
    for (const inc of this.store.loadOpen()) {
      const elapsed = rebase(inc, this.ctx.clock);
      this.openById.set(inc.id, inc);
      for (const k of inc.keys) this.byKey.set(k, inc.id);
      this.logFor(inc).warn({ elapsedMs: elapsed, stagesDone: inc.stagesDone }, 'open incident restored');
      if (inc.alarm && inc.sounding.length > 0 && !inc.timeline.ackedAt && elapsed < inc.alarm.seconds * 1000) {
        const pattern = inc.alarm.pattern as Parameters<Alarms['sound']>[2];
        this.alarms.sound(inc, inc.sounding, pattern, Math.ceil(inc.alarm.seconds - elapsed / 1000));
      }
      if (inc.raisedSeq === undefined && !inc.timeline.forwardedAt) this.emit(inc, 'raised', { restored: true });
      else this.save(inc);
      this.armChain(inc);
    }
  }

  private correctClock(offsetMs: number): void {
    for (const inc of this.openById.values()) {
      if (inc.clockSynced) continue;
      const previous = inc.timeline.detectedAt;
      for (const [field, mono] of Object.entries(inc.mono) as Array<[keyof Incident['timeline'], number]>) {
        if (inc.timeline[field]) inc.timeline[field] = isoTime(mono + offsetMs);
      }
      inc.clockSynced = true;
      this.emit(inc, 'updated', { clockCorrected: true, previousDetectedAt: previous });
    }
  }

  private scheduleTick(): void {
    this.tickTimer = this.timers.setTimeout(() => {
      if (!this.running) return;
      this.handle(this.runner?.tick(this.ctx.clock.mono(), this.ctx.clock.now()) ?? []);
      this.scheduleTick();
    }, this.ctx.tickMs ?? 1000);
  }

  private synced(): boolean {
    return this.ctx.clockMonitor ? this.ctx.clockMonitor.synced() : true;
  }
}

function deviceInfo(d: ResolvedDevice): Incident['device'] {
  return { id: d.config.id, type: d.config.type, zone: d.config.zone, ...(d.config.location ? { location: d.config.location } : {}) };
}

function copy(inc: Incident): Incident {
  return structuredClone(inc);
}
