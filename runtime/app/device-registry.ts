/**
 * The box's view of every device: state from availability facts, last seen from any fact, error counts and
 * the last 20 state changes. Feeds R/state, R/health, the local API and the CLI. A device going down or
 * coming back is logged here once per change (never per failed poll).
 */
import type { Logger } from 'pino';
import type { AvailabilityFact, Clock, DeviceState, ResolvedDevice } from '../../drivers/types.js';
import { ChangeHistory } from './change-history.js';

export type { StateChange } from './change-history.js';

export interface DeviceStatus {
  id: string;
  type: string;
  zone: string;
  profile: string;
  protocol: string;
  state: DeviceState;
  since: number;
  lastSeen: number | null;
  lastError: string | null;
  errors: number;
  /** The last MAX_CHANGES state changes (`list()`: oldest first). */
  readonly changes: ChangeHistory;
}

const MAX_CHANGES = 20;

export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceStatus>();
  private readonly listeners: Array<(d: DeviceStatus, previous: DeviceState) => void> = [];

  constructor(devices: ResolvedDevice[], private readonly clock: Clock, private readonly logger: Logger) {
    const now = clock.now();
    for (const { config, profile } of devices) {
      this.devices.set(config.id, {
        id: config.id, type: config.type, zone: config.zone, profile: profile.model, protocol: profile.protocol,
        state: 'unknown', since: now, lastSeen: null, lastError: null, errors: 0, changes: new ChangeHistory(MAX_CHANGES),
      });
    }
  }

  onChange(fn: (d: DeviceStatus, previous: DeviceState) => void): void {
    this.listeners.push(fn);
  }

  seen(deviceId: string, at: number = this.clock.now()): void {
    const d = this.devices.get(deviceId);
    if (d) d.lastSeen = at;
  }

  availability(fact: AvailabilityFact): void {
    const d = this.devices.get(fact.device);
    if (!d) return;
    if (fact.state === 'online') d.lastSeen = fact.at;
    if (fact.state !== 'online' && fact.error) {
      d.errors++;
      // The same text as before keeps the string already held (a failing poll reports it every cycle).
      if (d.lastError !== fact.error) d.lastError = fact.error;
    }
    if (d.state === fact.state) return;
    const previous = d.state;
    const downFor = fact.at - d.since;
    d.state = fact.state;
    d.since = fact.at;
    d.changes.push(fact.state, fact.at, fact.error || undefined);
    const log = this.logger.child({ device: d.id });
    if (fact.state === 'offline' || fact.state === 'degraded') log.warn({ state: fact.state, error: fact.error }, `device ${fact.state}`);
    else if (fact.state === 'online' && (previous === 'offline' || previous === 'degraded')) log.info({ downForMs: downFor }, `device recovered after ${formatDuration(downFor)}`);
    for (const fn of this.listeners) fn(d, previous);
  }

  get(id: string): DeviceStatus | undefined {
    return this.devices.get(id);
  }

  all(): DeviceStatus[] {
    return [...this.devices.values()];
  }

  counts(): { total: number; online: number; offline: number; degraded: number; unknown: number } {
    const c = { total: 0, online: 0, offline: 0, degraded: 0, unknown: 0 };
    for (const d of this.devices.values()) {
      c.total++;
      c[d.state]++;
    }
    return c;
  }
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}
