/**
 * The 1-3-5 minute response chain (seed: 1 min to start the response, 3 min on site, 5 min reinforcement),
 * for critical incidents, measured from detection on the monotonic clock:
 *   ack-timeout      at ackTimeoutS (60)      unless acknowledged (or someone is on site)
 *   onsite-reminder  at onsiteReminderS (180) unless someone is on site
 *   reinforce        at reinforceS (300)      unless resolved — the stage where the center sends reinforcement
 * Each stage fires at most once per incident (stages done are persisted with it), so neither a restart nor a
 * wall-clock jump can fire a stage twice. Major and minor incidents, and drills, have no chain.
 */
import type { BoxConfig } from '../../config/schema.js';
import type { Timers, TimerHandle } from '../clock/timers.js';
import type { Incident, Stage } from '../incidents/model.js';

export interface StageDue { stage: Stage; afterMs: number }

/** The stages still to come for this incident, given its state. */
export function pendingStages(inc: Pick<Incident, 'severity' | 'status' | 'timeline' | 'stagesDone' | 'test'>,
  cfg: BoxConfig['incidents']): StageDue[] {
  if (inc.status !== 'open' || inc.test || inc.severity !== 'critical') return [];
  const out: StageDue[] = [];
  const todo = (s: Stage) => !inc.stagesDone.includes(s);
  if (todo('ack-timeout') && !inc.timeline.ackedAt && !inc.timeline.onsiteAt) out.push({ stage: 'ack-timeout', afterMs: cfg.ackTimeoutS * 1000 });
  if (todo('onsite-reminder') && !inc.timeline.onsiteAt) out.push({ stage: 'onsite-reminder', afterMs: cfg.onsiteReminderS * 1000 });
  if (todo('reinforce')) out.push({ stage: 'reinforce', afterMs: cfg.reinforceS * 1000 });
  return out;
}

/** Holds one timer per (incident, stage); the owner decides, when it fires, whether the stage still applies. */
export class EscalationTimers {
  private readonly handles = new Map<string, Map<Stage, TimerHandle>>();

  constructor(private readonly timers: Timers, private readonly fire: (incidentId: string, stage: Stage) => void) {}

  /** (Re)arms the stages of an incident; `elapsedMs` is the time since detection. */
  arm(incidentId: string, stages: StageDue[], elapsedMs: number): void {
    this.disarm(incidentId);
    if (stages.length === 0) return;
    const map = new Map<Stage, TimerHandle>();
    for (const s of stages) {
      map.set(s.stage, this.timers.setTimeout(() => {
        map.delete(s.stage);
        this.fire(incidentId, s.stage);
      }, Math.max(0, s.afterMs - elapsedMs)));
    }
    this.handles.set(incidentId, map);
  }

  disarm(incidentId: string, stage?: Stage): void {
    const map = this.handles.get(incidentId);
    if (!map) return;
    for (const [s, h] of map) {
      if (stage && s !== stage) continue;
      this.timers.clearTimeout(h);
      map.delete(s);
    }
    if (map.size === 0) this.handles.delete(incidentId);
  }

  armed(incidentId: string): Stage[] {
    return [...(this.handles.get(incidentId)?.keys() ?? [])];
  }

  stop(): void {
    for (const id of [...this.handles.keys()]) this.disarm(id);
  }
}
