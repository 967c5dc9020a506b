/**
 * The daemon's side of the local API (runtime/api/types.ts BoxApi): views over the registry, the incident
 * engine, the outbox and the drivers, plus the technician's actions (test siren, snapshot, drill) and the
 * commissioning hooks (read now, wait for an event, test mode).
 */
import { readFile } from 'node:fs/promises';
import type { BoxApi, DeviceDetail, DeviceFilter, DeviceView, IncidentDetail, IncidentQuery, IncidentView, StatusView, StoreView, TestModeView } from '../api/types.js';
import { isoTime, type EvidenceRef } from '../core/contract.js';
import { QinheError } from '../core/errors.js';
import { packageVersion } from '../core/version.js';
import type { EventFact, OutputPattern, PointValue, ReadingFact } from '../../drivers/types.js';
import type { Incident } from '../incidents/index.js';
import type { BoxHandle } from './compose.js';
import type { DeviceStatus } from './device-registry.js';

const PATTERNS = new Set(['continuous', 'fire', 'intrusion', 'chirp', 'escalated']);

/** Last value of every point, kept from the reading facts. */
export class PointCache {
  private readonly points = new Map<string, Map<string, { value: PointValue; unit: string | null; at: number }>>();

  reading(f: ReadingFact): void {
    let m = this.points.get(f.device);
    if (!m) this.points.set(f.device, (m = new Map()));
    m.set(f.point, { value: f.value, unit: f.unit ?? null, at: f.at });
  }

  of(device: string): Record<string, { value: PointValue; unit: string | null; at: string }> {
    const out: Record<string, { value: PointValue; unit: string | null; at: string }> = {};
    for (const [k, v] of this.points.get(device) ?? []) out[k] = { ...v, at: isoTime(v.at) };
    return out;
  }
}

/** Devices in commissioning test mode, each until a deadline (monotonic ms). */
export class TestMode {
  private readonly until = new Map<string, number>();

  constructor(private readonly mono: () => number, private readonly now: () => number) {}

  has(device: string): boolean {
    const t = this.until.get(device);
    if (t === undefined) return false;
    if (t <= this.mono()) {
      this.until.delete(device);
      return false;
    }
    return true;
  }

  set(ids: string[], on: boolean, ttlS: number): TestModeView {
    for (const id of ids) {
      if (on) this.until.set(id, this.mono() + ttlS * 1000);
      else this.until.delete(id);
    }
    return this.view();
  }

  view(): TestModeView {
    const until: Record<string, string> = {};
    for (const [id, t] of this.until) if (this.has(id)) until[id] = isoTime(this.now() + (t - this.mono()));
    return { devices: Object.keys(until), until };
  }
}

export interface UplinkState {
  connected: boolean;
  since: number | null;
  lastError: string | null;
}

export function createBoxApi(h: BoxHandle, extra: { points: PointCache; testMode: TestMode; uplinkState: () => UplinkState; startedAt: number }): BoxApi {
  const { registry, clock, loaded } = h;
  const engine = () => {
    const e = h.engine();
    if (!e) throw new QinheError('QH_DRIVER_FAILED', 'the incident engine is not running');
    return e;
  };

  const storeView = (): StoreView => {
    const quotaBytes = loaded.config.storage.quotaMb * 1024 * 1024;
    const outbox = h.core.outbox;
    if (!outbox) throw new QinheError('QH_STORE_IO', 'the store is not open');
    const s = outbox.stats();
    return { pending: s.pending, oldestPendingAt: s.oldestPendingAt, bytes: s.bytes, quotaBytes, byLane: s.byLane, evictions: s.evictions };
  };

  const deviceView = (d: DeviceStatus): DeviceView => ({
    id: d.id, type: d.type, zone: d.zone, location: loaded.config.devices.find((c) => c.id === d.id)?.location ?? null,
    profile: d.profile, protocol: d.protocol, state: d.state, since: isoTime(d.since),
    lastSeen: d.lastSeen === null ? null : isoTime(d.lastSeen), lastError: d.lastError, errors: d.errors,
  });

  const incidentView = (i: Incident): IncidentView => ({
    id: i.id, kind: i.kind, severity: i.severity, status: i.status, device: i.device, summary: i.summary,
    detectedAt: i.timeline.detectedAt ?? '', count: i.count, test: Boolean(i.test),
  });

  const driverFor = (deviceId: string) => {
    const d = registry.get(deviceId);
    if (!d) throw new QinheError('QH_INCIDENT_DEVICE', `no device ${deviceId}`);
    const name = d.protocol === 'modbus-rtu' ? 'modbus' : d.protocol;
    return h.supervisor.drivers().find((x) => x.name === name);
  };

  return {
    status(): StatusView {
      const open = h.engine()?.open() ?? [];
      const c = registry.counts();
      const up = extra.uplinkState();
      return {
        version: packageVersion(), estate: loaded.config.estate.id, box: loaded.config.box.id,
        startedAt: isoTime(extra.startedAt), uptimeS: Math.round((clock.now() - extra.startedAt) / 1000),
        uplink: {
          connected: up.connected, since: up.since === null ? null : isoTime(up.since),
          broker: loaded.config.uplink.url.replace(/\/\/[^@/]*@/, '//'), lastError: up.lastError,
        },
        store: h.core.outbox ? storeView() : { pending: 0, oldestPendingAt: null, bytes: 0, quotaBytes: 0, byLane: {} as StoreView['byLane'], evictions: {} as StoreView['evictions'] },
        devices: { total: c.total, online: c.online, offline: c.offline, degraded: c.degraded, unknown: c.unknown },
        incidents: { open: open.filter((i) => !i.test).length, openTest: open.filter((i) => i.test).length },
        clock: { synced: h.core.clockMonitor.synced(), now: isoTime(clock.now()) },
        testMode: extra.testMode.view().devices,
      };
    },

    devices(filter: DeviceFilter): DeviceView[] {
      return registry.all()
        .filter((d) => !filter.unhealthy || d.state !== 'online')
        .filter((d) => !filter.type || d.type === filter.type)
        .filter((d) => !filter.zone || d.zone === filter.zone)
        .map(deviceView);
    },

    device(id: string): DeviceDetail | undefined {
      const d = registry.get(id);
      const cfg = loaded.config.devices.find((c) => c.id === id);
      if (!d || !cfg) return undefined;
      const m = /^modbus-rtu:\/\/([^?]+)\?unit=(\d+)/.exec(cfg.address);
      const bus = m ? loaded.config.serial.find((l) => l.path === m[1])?.id ?? null : null;
      // Modbus: the unit's last reply time on its line (the driver keeps it per unit).
      const busHealth = bus ? h.supervisor.drivers().flatMap((x) => x.buses?.() ?? []).find((b) => b.id === bus) : undefined;
      const unitLatency = (busHealth?.latencyByUnit as Record<string, { lastMs?: number }> | undefined)?.[m?.[2] ?? ''];
      return {
        ...deviceView(d), address: cfg.address, bus,
        latencyMs: unitLatency?.lastMs ?? null, errorCounts: { availability: d.errors },
        changes: d.changes.list().map((ch) => ({ state: ch.state, at: isoTime(ch.at), error: ch.error ?? null })),
        points: extra.points.of(id), testMode: extra.testMode.has(id),
      };
    },

    incidents(q: IncidentQuery): IncidentView[] {
      const e = engine();
      const list = q.open ? e.open() : e.list(q.limit ?? 50);
      return list.slice(0, q.limit ?? 50).map(incidentView);
    },

    incident(id: string): IncidentDetail | undefined {
      const i = engine().get(id);
      if (!i) return undefined;
      const evidenceDir = `${loaded.config.storage.dataDir}/evidence`;
      return {
        ...incidentView(i), timeline: i.timeline, actions: i.actions, data: i.data,
        evidence: i.evidence.map((ev: EvidenceRef) => ({ ...ev, file: `${evidenceDir}/${ev.id}`, capturedAt: null })),
      };
    },

    store: storeView,

    async testSiren(target: string, seconds: number, pattern?: string) {
      const ids = h.outputs.resolveTarget(target);
      if (ids.length === 0) throw new QinheError('QH_USAGE', `no siren or strobe named or in zone ${target}`);
      const p = (pattern && PATTERNS.has(pattern) ? pattern : 'chirp') as OutputPattern;
      const s = Math.max(1, Math.min(300, Math.floor(seconds)));
      await Promise.all(ids.map((id) => h.outputs.output({ deviceId: id, pattern: p, seconds: s, priority: 1 })));
      return { target, devices: ids, pattern: p, seconds: s };
    },

    async testSnapshot(deviceId: string, opts?: { inline?: boolean }) {
      const port = h.rawEvidence();
      if (!port) throw new QinheError('QH_DRIVER_FAILED', 'no camera driver is running');
      const ev = await port.snapshot(deviceId, 'test');
      return {
        deviceId, evidenceId: ev.id, file: ev.file, mime: ev.mime, bytes: ev.bytes, sha256: ev.sha256, capturedAt: isoTime(clock.now()),
        ...(opts?.inline ? { dataBase64: (await readFile(ev.file)).toString('base64') } : {}),
      };
    },

    async drill(deviceId?: string) {
      const id = deviceId ?? loaded.config.devices[0]?.id;
      if (!id) throw new QinheError('QH_USAGE', 'the box has no devices to drill');
      const inc = engine().raiseTest(id);
      return { incidentId: inc.id, deviceId: id, test: true as const, raisedAt: inc.timeline.detectedAt ?? isoTime(clock.now()) };
    },

    async readNow(deviceId: string) {
      const driver = driverFor(deviceId);
      if (!driver?.readNow) throw new QinheError('QH_DRIVER_FAILED', `the driver of ${deviceId} cannot read points on demand`);
      const values = await driver.readNow(deviceId);
      const profile = loaded.profiles.get(loaded.config.devices.find((d) => d.id === deviceId)?.profile ?? '');
      const units: Record<string, string> = {};
      for (const p of profile?.points ?? []) if (p.unit) units[p.name] = p.unit;
      return { deviceId, at: isoTime(clock.now()), values, units };
    },

    waitForEvent(deviceId: string, timeoutMs: number) {
      if (!registry.get(deviceId)) return Promise.reject(new QinheError('QH_INCIDENT_DEVICE', `no device ${deviceId}`));
      return new Promise((resolve) => {
        const owner = {};
        const timer = setTimeout(() => {
          h.core.bus.removeListeners(owner);
          resolve({ deviceId, event: null });
        }, Math.min(Math.max(timeoutMs, 0), 120_000));
        h.core.bus.on('event', owner, (f: EventFact) => {
          if (f.device !== deviceId) return;
          clearTimeout(timer);
          h.core.bus.removeListeners(owner);
          resolve({ deviceId, event: { topic: f.topic, kind: f.kind, active: f.active, at: isoTime(f.at), test: Boolean(f.test) } });
        });
      });
    },

    setTestMode(ids: string[], on: boolean, ttlS = 3600) {
      const unknown = ids.filter((id) => !registry.get(id));
      if (unknown.length > 0) throw new QinheError('QH_INCIDENT_DEVICE', `no device ${unknown.join(', ')}`);
      return extra.testMode.set(ids, on, ttlS);
    },
  };
}
