/**
 * The local API: what the daemon provides to the `qinhe` CLI over its Unix socket (runtime/api/server.ts).
 * The daemon (runtime/app/compose.ts) implements BoxApi; the server only translates HTTP ⇄ these calls.
 * Every view is plain JSON (camelCase keys, times RFC 3339 UTC strings, as in the upstream contract), so the
 * CLI's `--json` output is exactly what the daemon returned.
 *
 * Errors: a method throws a QinheError; the server answers `{"error":{"code","message"}}` with
 * 404 for QH_INCIDENT_UNKNOWN / QH_INCIDENT_DEVICE, 400 for QH_USAGE / QH_OUTPUT_INVALID, 504 for
 * QH_TIMEOUT, else 500. "Not found" for `device(id)` / `incident(id)` is `undefined` (→ 404).
 */
import type { ActionRef, EvidenceRef, IncidentKind, Severity, Timeline } from '../core/contract.js';
import type { Lane } from '../core/ports.js';
import type { DeviceState, PointValue } from '../../drivers/types.js';

/** A method may answer synchronously or not; the server awaits either. */
export type Awaitable<T> = T | Promise<T>;

export interface BoxApi {
  /** One-screen summary of the box (`qinhe status`). */
  status(): Awaitable<StatusView>;
  /** Devices, filtered (`qinhe devices`). `unhealthy`: state is not online. */
  devices(filter: DeviceFilter): Awaitable<DeviceView[]>;
  /** One device with its last 20 state changes (`qinhe device ID`); undefined when unknown. */
  device(id: string): Awaitable<DeviceDetail | undefined>;
  /** Incidents, newest first (`qinhe incidents`); `open` keeps only open ones; `limit` defaults to 50. */
  incidents(query: IncidentQuery): Awaitable<IncidentView[]>;
  /** One incident with timeline, actions and evidence (`qinhe incident ID`); undefined when unknown. */
  incident(id: string): Awaitable<IncidentDetail | undefined>;
  /** Outbox statistics (`qinhe store`). */
  store(): Awaitable<StoreView>;
  /**
   * Sounds a local alarm output (device id or zone) for `seconds` (1–300) with the `chirp` pattern unless
   * another is given; never longer. Local only: nothing is sent upstream.
   */
  testSiren(target: string, seconds: number, pattern?: string): Promise<SirenTestResult>;
  /** Takes a snapshot from a camera now; `inline` adds the image as base64 (commissioning report). */
  testSnapshot(deviceId: string, opts?: { inline?: boolean }): Promise<SnapshotResult>;
  /**
   * Raises a test incident end to end (rules bypassed: incident → local actions → outbox → uplink) with
   * `test: true` upstream so the center does not dispatch. Without a device, the box picks the first one.
   */
  drill(deviceId?: string): Promise<DrillResult>;

  // ---- commissioning (runtime/commission/) ----
  /** Reads every point of a device now (Driver.readNow); QH_INCIDENT_DEVICE when unknown. */
  readNow(deviceId: string): Promise<ReadNowResult>;
  /**
   * Resolves with the next event fact of this device (a contact tripped, a button pressed, a camera
   * analytic), or `event: null` after `timeoutMs` (at most 120 000). Several waiters may wait at once.
   */
  waitForEvent(deviceId: string, timeoutMs: number): Promise<WaitEventResult>;
  /**
   * Puts devices in (or out of) test mode: while on, their events and readings still run the rules and the
   * local alarm path, but every incident they raise carries `test: true` (EventFact.test) so the center does
   * not dispatch. Test mode ends by itself after `ttlS` (default 3600) so a forgotten walk test cannot mask
   * real alarms for long. Returns every device currently in test mode.
   */
  setTestMode(deviceIds: string[], on: boolean, ttlS?: number): Awaitable<TestModeView>;
}

export interface DeviceFilter {
  unhealthy?: boolean;
  type?: string;
  zone?: string;
}

export interface IncidentQuery {
  open?: boolean;
  limit?: number;
}

export type DeviceCounts = Record<DeviceState, number> & { total: number };

export interface StatusView {
  version: string;
  estate: string;
  box: string;
  startedAt: string;
  uptimeS: number;
  uplink: UplinkView;
  store: StoreView;
  devices: DeviceCounts;
  incidents: { open: number; openTest: number };
  clock: { synced: boolean; now: string };
  /** Devices currently in test mode (commissioning). */
  testMode: string[];
}

export interface UplinkView {
  connected: boolean;
  /** Since when connected (or disconnected); null before the first attempt. */
  since: string | null;
  /** Broker URL without credentials. */
  broker: string;
  lastError: string | null;
}

export interface LaneView {
  pending: number;
  bytes: number;
  oldestAt: string | null;
}

export interface StoreView {
  pending: number;
  oldestPendingAt: string | null;
  bytes: number;
  quotaBytes: number;
  byLane: Record<Lane, LaneView>;
  /** Messages evicted per lane since the store was created (quota or TTL). */
  evictions: Record<Lane, number>;
}

export interface DeviceView {
  id: string;
  type: string;
  zone: string;
  location: string | null;
  profile: string;
  protocol: string;
  state: DeviceState;
  since: string;
  lastSeen: string | null;
  lastError: string | null;
  /** Availability errors since start. */
  errors: number;
}

export interface StateChangeView {
  state: DeviceState;
  at: string;
  error: string | null;
}

export interface DeviceDetail extends DeviceView {
  /** The device address without credentials (onvif://host, modbus-rtu:///dev/X?unit=N, gpio://chip/line). */
  address: string;
  /** Serial line id for Modbus devices, else null. */
  bus: string | null;
  /** Last request round trip (Modbus reply time, ONVIF request time), null when unknown. */
  latencyMs: number | null;
  /** Error counts by kind (e.g. timeouts, crcErrors, exceptions, authFailures). */
  errorCounts: Record<string, number>;
  /** The last 20 state changes, oldest first. */
  changes: StateChangeView[];
  /** Last known value of every point. */
  points: Record<string, { value: PointValue; unit: string | null; at: string }>;
  testMode: boolean;
}

export interface IncidentView {
  id: string;
  kind: IncidentKind;
  severity: Severity;
  status: 'open' | 'resolved';
  device: { id: string; type: string; zone: string; location?: string };
  summary: string;
  detectedAt: string;
  /** Triggers folded into this incident. */
  count: number;
  test: boolean;
}

export interface EvidenceView extends EvidenceRef {
  /** Local file on the box, null once pruned. */
  file: string | null;
  capturedAt: string | null;
}

export interface IncidentDetail extends IncidentView {
  timeline: Timeline;
  actions: ActionRef[];
  evidence: EvidenceView[];
  data: Record<string, unknown>;
}

export interface SirenTestResult {
  target: string;
  /** Output devices actually driven. */
  devices: string[];
  pattern: string;
  seconds: number;
}

export interface SnapshotResult {
  deviceId: string;
  evidenceId: string;
  file: string;
  mime: string;
  bytes: number;
  sha256: string;
  capturedAt: string;
  /** Only when asked (`inline`). */
  dataBase64?: string;
}

export interface DrillResult {
  incidentId: string;
  deviceId: string;
  test: true;
  raisedAt: string;
}

export interface ReadNowResult {
  deviceId: string;
  at: string;
  values: Record<string, PointValue>;
  units: Record<string, string>;
}

export interface EventView {
  topic: string;
  kind: string;
  active: boolean;
  at: string;
  test: boolean;
}

export interface WaitEventResult {
  deviceId: string;
  /** null when nothing came within the timeout. */
  event: EventView | null;
}

export interface TestModeView {
  devices: string[];
  /** When test mode ends by itself, per device. */
  until: Record<string, string>;
}
