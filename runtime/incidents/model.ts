/**
 * The incident as the engine keeps it: the contract's fields plus what the engine needs to run it (member
 * keys, counts, escalation stages done, outputs it sounded, monotonic instants). It is a plain JSON object so
 * the store can persist it as is.
 */
import { ulid } from 'ulid';
import type { ActionRef, EvidenceRef, IncidentEventDraft, IncidentEventName, IncidentEventV1, IncidentKind, Severity, Timeline } from '../core/contract.js';
import { isoTime } from '../core/contract.js';

export type TimelineField = Exclude<keyof Timeline, never>;
export type Stage = 'ack-timeout' | 'onsite-reminder' | 'reinforce';

export interface Incident {
  id: string;
  /** `device/rule` keys folded into this incident (the first is the one that raised it). */
  keys: string[];
  kind: IncidentKind;
  severity: Severity;
  device: IncidentEventV1['device'];
  summary: string;
  data: Record<string, unknown>;
  evidence: EvidenceRef[];
  actions: ActionRef[];
  timeline: Timeline;
  /** Monotonic instants (this boot) of the timeline entries; rebased on restore. */
  mono: Partial<Record<keyof Timeline, number>>;
  clockSynced: boolean;
  test?: boolean;
  status: 'open' | 'resolved';
  /** Keys whose condition stopped holding (the incident stays open: the center resolves it). */
  clearedKeys?: string[];
  /** The `updated` event saying every condition cleared was sent (reset when one triggers again). */
  clearedPublished?: boolean;
  /** Triggers folded into this incident (1 = only the one that raised it). */
  count: number;
  /** `count` at the last published event, so an update is only sent when something repeated. */
  countPublished: number;
  stagesDone: Stage[];
  /** Output devices this incident sounded and has not silenced; `silenced` ones are never re-sounded. */
  sounding: string[];
  silenced: string[];
  /** Alarm pattern and on-time it used (the escalation re-sounds with a louder pattern). */
  alarm: { pattern: string; seconds: number } | null;
  /** seq of the committed `raised` event (undefined until the outbox has it: a restart then sends it again). */
  raisedSeq?: number;
  /** Elapsed time since detection and the wall time at the last save (restart bookkeeping). */
  savedElapsedMs: number;
  savedWall: number;
}

export interface NewIncident {
  key: string;
  kind: IncidentKind;
  severity: Severity;
  device: IncidentEventV1['device'];
  summary: string;
  data: Record<string, unknown>;
  detectedAt: number;
  detectedMono: number;
  clockSynced: boolean;
  test?: boolean;
}

export function createIncident(n: NewIncident): Incident {
  return {
    id: ulid(n.detectedAt), keys: [n.key], kind: n.kind, severity: n.severity, device: n.device, summary: n.summary,
    data: n.data, evidence: [], actions: [],
    timeline: { detectedAt: isoTime(n.detectedAt), alarmedAt: null, forwardedAt: null, ackedAt: null, onsiteAt: null, resolvedAt: null },
    mono: { detectedAt: n.detectedMono }, clockSynced: n.clockSynced, ...(n.test ? { test: true } : {}),
    status: 'open', count: 1, countPublished: 1, stagesDone: [], sounding: [], silenced: [], alarm: null,
    savedElapsedMs: 0, savedWall: n.detectedAt,
  };
}

/** Sets a timeline entry (wall and monotonic) unless it is already set. */
export function mark(inc: Incident, field: keyof Timeline, wall: number, mono: number): boolean {
  if (inc.timeline[field]) return false;
  inc.timeline[field] = isoTime(wall);
  inc.mono[field] = mono;
  return true;
}

export function detectedMono(inc: Incident): number {
  return inc.mono.detectedAt ?? 0;
}

export function toDraft(inc: Incident, event: IncidentEventName, extra: Record<string, unknown> = {}): IncidentEventDraft {
  return {
    v: 1, eventId: ulid(), incidentId: inc.id, event, kind: inc.kind, severity: inc.severity, device: { ...inc.device },
    detectedAt: inc.timeline.detectedAt ?? isoTime(inc.savedWall), clockSynced: inc.clockSynced, summary: inc.summary,
    data: { ...inc.data, count: inc.count, ...extra },
    evidence: inc.evidence.map((e) => ({ ...e })), actions: inc.actions.map((a) => ({ ...a })),
    timeline: { ...inc.timeline },
    ...(inc.test ? { test: true } : {}),
  };
}
