/** Builds the R/health payload (contract v1) from the registry and the drivers' buses (the HealthReporter fills `store`). */
import type { BusHealth, Driver } from '../../drivers/types.js';
import { isoTime, type HealthV1 } from '../core/contract.js';
import type { DeviceRegistry } from './device-registry.js';

export function buildHealth(opts: {
  registry: DeviceRegistry;
  drivers: Driver[];
  startedMono: number;
  nowMono: number;
  now: number;
  clockSynced: boolean;
}): HealthV1 {
  const c = opts.registry.counts();
  const buses: BusHealth[] = opts.drivers.flatMap((d) => d.buses?.() ?? []);
  return {
    v: 1,
    at: isoTime(opts.now),
    uptimeS: Math.round((opts.nowMono - opts.startedMono) / 1000),
    clockSynced: opts.clockSynced,
    store: { pending: 0, oldestPendingAt: null, bytes: 0 },
    devices: { total: c.total, online: c.online, offline: c.offline, degraded: c.degraded },
    unhealthy: opts.registry.all().filter((d) => d.state === 'offline' || d.state === 'degraded').slice(0, 100).map((d) => ({
      id: d.id, type: d.type, state: d.state, since: isoTime(d.since), lastError: d.lastError,
    })),
    buses: buses.map((b) => ({ ...b })),
  };
}
