/** A BoxApi with canned, recognisable data, recording the calls it gets, for API and CLI tests. */
import { QinheError } from '../../../runtime/core/errors.js';
import type {
  BoxApi, DeviceDetail, DeviceFilter, DeviceView, IncidentDetail, IncidentQuery, StatusView, StoreView,
} from '../../../runtime/api/types.js';

const NOW = Date.parse('2026-11-26T03:10:00.000Z');
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();

export const STORE: StoreView = {
  pending: 7, oldestPendingAt: iso(300_000), bytes: 52_311, quotaBytes: 512 * 1024 * 1024,
  byLane: {
    critical: { pending: 2, bytes: 1900, oldestAt: iso(300_000) }, incident: { pending: 1, bytes: 800, oldestAt: iso(200_000) },
    reply: { pending: 0, bytes: 0, oldestAt: null }, health: { pending: 1, bytes: 611, oldestAt: iso(100_000) },
    evidence: { pending: 1, bytes: 48_000, oldestAt: iso(250_000) }, telemetry: { pending: 2, bytes: 1000, oldestAt: iso(50_000) },
  },
  evictions: { critical: 0, incident: 0, reply: 0, health: 3, evidence: 1, telemetry: 42 },
};

export const DEVICES: DeviceView[] = [
  { id: 'cam-b3-02', type: 'camera', zone: 'B3', location: '3幢车棚', profile: 'onvif-camera', protocol: 'onvif', state: 'online', since: iso(3_600_000), lastSeen: iso(2000), lastError: null, errors: 0 },
  { id: 'cp-b3-07', type: 'charging-point', zone: 'B3', location: null, profile: 'charging-point', protocol: 'modbus-rtu', state: 'offline', since: iso(120_000), lastSeen: iso(125_000), lastError: 'QH_MODBUS_TIMEOUT unit 7 silent', errors: 4 },
  { id: 'door-a1', type: 'door', zone: 'A1', location: null, profile: 'gpio-contact', protocol: 'gpio', state: 'online', since: iso(3_600_000), lastSeen: iso(1000), lastError: null, errors: 0 },
  { id: 'panic-a1', type: 'panic', zone: 'A1', location: null, profile: 'gpio-panic', protocol: 'gpio', state: 'online', since: iso(3_600_000), lastSeen: iso(1000), lastError: null, errors: 0 },
  { id: 'siren-b3', type: 'siren', zone: 'B3', location: null, profile: 'relay-8', protocol: 'modbus-rtu', state: 'degraded', since: iso(60_000), lastSeen: iso(5000), lastError: 'QH_MODBUS_CRC', errors: 2 },
];

export const INCIDENT: IncidentDetail = {
  id: '01JDINCIDENT0000000000000A', kind: 'fire-risk', severity: 'critical', status: 'open',
  device: { id: 'cp-b3-07', type: 'charging-point', zone: 'B3', location: '3幢车棚 7号口' },
  summary: 'port 7 temperature 71.5 °C', detectedAt: iso(90_000), count: 3, test: false,
  timeline: { detectedAt: iso(90_000), alarmedAt: iso(89_800), forwardedAt: iso(89_500), ackedAt: null, onsiteAt: null, resolvedAt: null },
  actions: [{ type: 'siren', deviceId: 'siren-b3', pattern: 'fire', at: iso(89_800) }],
  evidence: [{ id: '01JDEVIDENCE00000000000000', type: 'snapshot', deviceId: 'cam-b3-02', mime: 'image/jpeg', bytes: 48_211, sha256: 'ab'.repeat(32), file: '/var/lib/qinhe/evidence/x.jpg', capturedAt: iso(89_000) }],
  data: { rule: 'charger-overheat', value: 71.5 },
};

/** A 1×1 JPEG is not needed: the bytes only travel, nobody decodes them. */
export const SNAPSHOT_BYTES = Buffer.from('\xff\xd8\xff\xe0fake-jpeg\xff\xd9', 'latin1');

export class FakeBoxApi implements BoxApi {
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  readonly testMode = new Set<string>();
  /** events handed to waitForEvent, per device */
  readonly pendingEvents = new Map<string, { topic: string; kind: string }>();

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  status(): StatusView {
    this.record('status');
    return {
      version: '0.1.0', estate: 'caima', box: 'caima-01', startedAt: iso(7_200_000), uptimeS: 7200,
      uplink: { connected: false, since: iso(300_000), broker: 'mqtts://center.example:8883', lastError: 'ECONNREFUSED' },
      store: STORE, devices: { total: 5, online: 3, offline: 1, degraded: 1, unknown: 0 },
      incidents: { open: 1, openTest: 0 }, clock: { synced: true, now: new Date(NOW).toISOString() }, testMode: [...this.testMode],
    };
  }

  devices(filter: DeviceFilter): DeviceView[] {
    this.record('devices', filter);
    return DEVICES.filter((d) => (!filter.unhealthy || d.state !== 'online') && (!filter.type || d.type === filter.type) && (!filter.zone || d.zone === filter.zone));
  }

  device(id: string): DeviceDetail | undefined {
    this.record('device', id);
    const d = DEVICES.find((x) => x.id === id);
    if (!d) return undefined;
    return {
      ...d, address: 'modbus-rtu:///dev/qinhe/rs485-0?unit=7', bus: 'rs485-0', latencyMs: 38,
      errorCounts: { timeouts: 4, crcErrors: 1 },
      changes: [{ state: 'online', at: iso(3_600_000), error: null }, { state: 'offline', at: iso(120_000), error: 'QH_MODBUS_TIMEOUT unit 7 silent' }],
      points: { temperature: { value: 31.5, unit: '°C', at: iso(125_000) } }, testMode: this.testMode.has(id),
    };
  }

  incidents(query: IncidentQuery) {
    this.record('incidents', query);
    const { timeline: _t, actions: _a, evidence: _e, data: _d, ...view } = INCIDENT;
    const resolved = { ...view, id: '01JDINCIDENT0000000000000B', status: 'resolved' as const, test: true, kind: 'panic' as const, severity: 'major' as const };
    return [view, resolved].filter((i) => !query.open || i.status === 'open').slice(0, query.limit ?? 50);
  }

  incident(id: string): IncidentDetail | undefined {
    this.record('incident', id);
    return id === INCIDENT.id ? INCIDENT : undefined;
  }

  store(): StoreView {
    this.record('store');
    return STORE;
  }

  async testSiren(target: string, seconds: number, pattern?: string) {
    this.record('testSiren', target, seconds, pattern);
    const devices = DEVICES.filter((d) => d.type === 'siren' && (d.id === target || d.zone === target)).map((d) => d.id);
    if (devices.length === 0) throw new QinheError('QH_INCIDENT_DEVICE', `no siren ${target}`);
    return { target, devices, pattern: pattern ?? 'chirp', seconds };
  }

  async testSnapshot(deviceId: string, opts?: { inline?: boolean }) {
    this.record('testSnapshot', deviceId, opts);
    if (deviceId !== 'cam-b3-02') throw new QinheError('QH_INCIDENT_DEVICE', `no camera ${deviceId}`);
    return {
      deviceId, evidenceId: '01JDSNAP', file: '/var/lib/qinhe/evidence/snap.jpg', mime: 'image/jpeg', bytes: SNAPSHOT_BYTES.length,
      sha256: 'cd'.repeat(32), capturedAt: new Date(NOW).toISOString(), ...(opts?.inline ? { dataBase64: SNAPSHOT_BYTES.toString('base64') } : {}),
    };
  }

  async drill(deviceId?: string) {
    this.record('drill', deviceId);
    return { incidentId: '01JDDRILL', deviceId: deviceId ?? 'cam-b3-02', test: true as const, raisedAt: new Date(NOW).toISOString() };
  }

  async readNow(deviceId: string) {
    this.record('readNow', deviceId);
    if (!DEVICES.some((d) => d.id === deviceId)) throw new QinheError('QH_INCIDENT_DEVICE', `no device ${deviceId}`);
    if (deviceId === 'siren-b3') throw new QinheError('QH_MODBUS_TIMEOUT', 'unit 3 did not answer');
    return { deviceId, at: new Date(NOW).toISOString(), values: { temperature: 31.5, state: 1 }, units: { temperature: '°C' } };
  }

  async waitForEvent(deviceId: string, timeoutMs: number) {
    this.record('waitForEvent', deviceId, timeoutMs);
    const e = this.pendingEvents.get(deviceId);
    if (!e) return { deviceId, event: null };
    return { deviceId, event: { ...e, active: true, at: new Date(NOW).toISOString(), test: this.testMode.has(deviceId) } };
  }

  setTestMode(deviceIds: string[], on: boolean, ttlS?: number) {
    this.record('setTestMode', deviceIds, on, ttlS);
    for (const id of deviceIds) if (on) this.testMode.add(id); else this.testMode.delete(id);
    const until = Object.fromEntries([...this.testMode].map((id) => [id, new Date(NOW + (ttlS ?? 3600) * 1000).toISOString()]));
    return { devices: [...this.testMode], until };
  }
}
