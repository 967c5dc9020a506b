/**
 * Payload types of the upstream contract v1 (../shared/spec/upstream-v1.md). Field names are the contract's.
 */
import type { KINDS, SEVERITIES } from '../../config/schema.js';

export type IncidentKind = (typeof KINDS)[number];
export type Severity = (typeof SEVERITIES)[number];
export type IncidentEventName = 'raised' | 'updated' | 'escalated' | 'acknowledged' | 'onsite' | 'resolved';

export interface EvidenceRef {
  id: string;
  type: 'snapshot' | 'clip';
  deviceId: string;
  mime: string;
  bytes: number;
  sha256: string;
}

export interface ActionRef {
  type: string;
  deviceId: string;
  pattern?: string;
  at: string;
  [extra: string]: unknown;
}

export interface Timeline {
  detectedAt: string | null;
  alarmedAt: string | null;
  forwardedAt?: string | null;
  ackedAt: string | null;
  onsiteAt: string | null;
  resolvedAt: string | null;
}

export interface IncidentEventV1 {
  v: 1;
  seq: number;
  eventId: string;
  incidentId: string;
  event: IncidentEventName;
  kind: IncidentKind;
  severity: Severity;
  device: { id: string; type: string; zone: string; location?: string };
  detectedAt: string;
  clockSynced: boolean;
  summary: string;
  data: Record<string, unknown>;
  evidence: EvidenceRef[];
  actions: ActionRef[];
  timeline: Timeline;
  buffered: boolean;
  /** Extension (readers ignore unknown fields): set on drills and commissioning so the center does not dispatch. */
  test?: boolean;
}

/** An incident event before the outbox assigns its seq and the uplink sets `buffered`. */
export type IncidentEventDraft = Omit<IncidentEventV1, 'seq' | 'buffered'>;

export interface HealthV1 {
  v: 1;
  at: string;
  uptimeS: number;
  clockSynced: boolean;
  store: { pending: number; oldestPendingAt: string | null; bytes: number; evictions?: Record<string, number> };
  devices: { total: number; online: number; offline: number; degraded: number };
  unhealthy: Array<{ id: string; type: string; state: string; since: string; lastError: string | null }>;
  buses: Array<{ id: string; txOk: number; timeouts: number; crcErrors: number; cycleMs: number | null; [k: string]: unknown }>;
}

export interface CommandV1 {
  v: 1;
  id: string;
  issuedAt: string;
  expiresAt: string;
  args: Record<string, unknown>;
  sig: string;
}

export type ReplyErrorCode = 'bad-signature' | 'expired' | 'replayed' | 'invalid' | 'unknown-command' | 'failed';

export type ReplyV1 =
  | { v: 1; id: string; ok: true; result: Record<string, unknown> }
  | { v: 1; id: string | null; ok: false; error: { code: ReplyErrorCode; message: string } };

/** RFC 3339 UTC with milliseconds. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
