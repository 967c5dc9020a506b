/**
 * The seams between runtime parts, so each part can be built and tested alone: the incident engine writes
 * through OutboxPort, the command dispatcher calls CommandTarget, outputs go through OutputPort.
 */
import type { OutputCommand } from '../../drivers/types.js';
import type { IncidentEventDraft, IncidentEventV1 } from './contract.js';

/** Lanes, drained in this order (upstream contract + issue 3). */
export const LANES = ['critical', 'incident', 'reply', 'health', 'evidence', 'telemetry'] as const;
export type Lane = (typeof LANES)[number];

export interface OutboxMessage {
  lane: Lane;
  /** Topic below the root R (e.g. `incident`, `health`, `evidence/{incidentId}/{evidenceId}`). */
  topic: string;
  payload: Buffer | Record<string, unknown>;
  qos?: 0 | 1;
  retain?: boolean;
  /** MQTT 5 properties (contentType, userProperties) for evidence. */
  properties?: { contentType?: string; userProperties?: Record<string, string> };
}

export interface OutboxPort {
  /**
   * Assigns the next seq and commits the incident event durably (grouped per event-loop tick); resolves only
   * after the commit. Lane: critical when severity is critical, else incident.
   */
  appendIncident(draft: IncidentEventDraft): Promise<IncidentEventV1>;
  /** Any other upstream message (reply, health, evidence, telemetry), durable too. */
  append(msg: OutboxMessage): Promise<void>;
}

export interface OutputPort {
  /** Drive a local alarm output (GPIO siren or Modbus relay); resolves once the command is issued. */
  output(cmd: OutputCommand): Promise<void>;
}

/** What center commands can do to the runtime; each returns the reply's `result`. */
export interface CommandTarget {
  ack(args: { incidentId: string; by: string }): Promise<Record<string, unknown>>;
  onsite(args: { incidentId: string; by: string }): Promise<Record<string, unknown>>;
  resolve(args: { incidentId: string; by: string; outcome: 'handled' | 'false-alarm' }): Promise<Record<string, unknown>>;
  siren(args: { target: string; pattern: string; seconds: number }): Promise<Record<string, unknown>>;
  silence(args: { target: string }): Promise<Record<string, unknown>>;
  snapshot(args: { deviceId: string }): Promise<Record<string, unknown>>;
  health(): Promise<Record<string, unknown>>;
}

/** Evidence capture, implemented by the ONVIF driver's evidence service. */
export interface EvidencePort {
  snapshot(cameraId: string, incidentId: string): Promise<{ id: string; file: string; bytes: number; sha256: string; mime: string }>;
  clip?(cameraId: string, incidentId: string, eventMono: number): Promise<{ id: string; file: string; bytes: number; sha256: string; mime: string }>;
}
