/**
 * Alarms: carries out an ActionPlan. Output commands are issued synchronously (the promise is not awaited), so
 * a siren never waits on the disk or the uplink; each command is recorded in the incident's `actions` at once.
 * Evidence requests run in the background and report back through `onEvidence`.
 */
import type { Logger } from 'pino';
import type { Clock, OutputCommand, OutputPattern } from '../../drivers/types.js';
import { isoTime, type ActionRef, type EvidenceRef } from '../core/contract.js';
import type { EvidencePort, OutputPort } from '../core/ports.js';
import type { ActionPlan } from './actions.js';
import { mark, type Incident } from './model.js';

export interface AlarmsContext {
  outputs: OutputPort;
  evidence?: EvidencePort | undefined;
  clock: Clock;
  logger: Logger;
  /** Device type by id, to label an action siren or strobe. */
  typeOf(deviceId: string): string | undefined;
}

export class Alarms {
  constructor(private readonly ctx: AlarmsContext) {}

  /** Sounds outputs and cuts off ports now; returns the outputs it sounded. */
  execute(inc: Incident, plan: ActionPlan): string[] {
    const sounded = this.sound(inc, plan.sirens.filter((id) => !inc.silenced.includes(id)), plan.pattern, plan.seconds);
    for (const id of plan.cutoffs) this.command(inc, { deviceId: id, pattern: 'off', seconds: 0, priority: 0 }, 'cutoff');
    return sounded;
  }

  sound(inc: Incident, ids: string[], pattern: OutputPattern, seconds: number): string[] {
    // The escalated pattern outranks the first one on the same output (drivers: highest priority wins).
    const priority = pattern === 'escalated' ? 2 : 1;
    for (const id of ids) this.command(inc, { deviceId: id, pattern, seconds, priority }, this.ctx.typeOf(id) ?? 'siren');
    if (ids.length > 0) {
      mark(inc, 'alarmedAt', this.ctx.clock.now(), this.ctx.clock.mono());
      inc.alarm = { pattern, seconds };
      inc.sounding = [...new Set([...inc.sounding, ...ids])];
    }
    return ids;
  }

  /** Returns outputs to their safe state (silence, resolve). */
  off(ids: string[], why: string): void {
    for (const id of ids) {
      this.ctx.outputs.output({ deviceId: id, pattern: 'off', seconds: 0, priority: 0 })
        .catch((err: unknown) => this.ctx.logger.error({ err, device: id, why }, 'could not silence an output'));
    }
  }

  requestEvidence(inc: Incident, cameras: string[], withClip: (cameraId: string) => boolean,
    onEvidence: (ref: EvidenceRef) => void): void {
    const port = this.ctx.evidence;
    if (!port) return;
    const log = this.ctx.logger.child({ incident: inc.id });
    const eventMono = inc.mono.detectedAt ?? this.ctx.clock.mono();
    for (const cam of cameras) {
      this.record(inc, { type: 'snapshot', deviceId: cam, at: isoTime(this.ctx.clock.now()) });
      port.snapshot(cam, inc.id)
        .then((r) => onEvidence({ id: r.id, type: 'snapshot', deviceId: cam, mime: r.mime, bytes: r.bytes, sha256: r.sha256 }))
        .catch((err: unknown) => log.warn({ err, device: cam }, 'snapshot failed'));
      if (port.clip && withClip(cam)) {
        this.record(inc, { type: 'clip', deviceId: cam, at: isoTime(this.ctx.clock.now()) });
        port.clip(cam, inc.id, eventMono)
          .then((r) => onEvidence({ id: r.id, type: 'clip', deviceId: cam, mime: r.mime, bytes: r.bytes, sha256: r.sha256 }))
          .catch((err: unknown) => log.warn({ err, device: cam }, 'clip failed'));
      }
    }
  }

  record(inc: Incident, action: ActionRef): void {
    inc.actions.push(action);
  }

  private command(inc: Incident, cmd: OutputCommand, type: string): void {
    const action: ActionRef = { type, deviceId: cmd.deviceId, pattern: cmd.pattern, at: isoTime(this.ctx.clock.now()), ...(cmd.pattern === 'off' ? {} : { seconds: cmd.seconds }) };
    this.record(inc, action);
    // async wrapper: a driver that throws synchronously still only fails this one command
    (async () => this.ctx.outputs.output(cmd))().catch((err: unknown) => {
      action.error = err instanceof Error ? err.message : String(err);
      this.ctx.logger.error({ err, incident: inc.id, device: cmd.deviceId, pattern: cmd.pattern }, 'alarm output failed');
    });
  }
}
