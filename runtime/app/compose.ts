/**
 * Composition: builds the box's parts from a loaded configuration and wires them to the event bus.
 * Core (kept across reloads when its settings are unchanged): storage, uplink. Edge: drivers, rules.
 */
import type { Logger } from 'pino';
import type { LoadedConfig } from '../../config/load.js';
import { systemClock, type Clock, type Driver, type DriverContext, type OutputCommand } from '../../drivers/types.js';
import { EventBus } from '../core/bus.js';
import { cameraCredentials } from '../../config/secrets.js';
import { openStore, Outbox, type Store } from '../store/index.js';
import type { Composer, Composition, Service } from './box.js';
import { DeviceRegistry } from './device-registry.js';
import { resolveDevices } from './resolve-devices.js';
import { DriverSupervisor } from './supervisor.js';
import { createDrivers, type DriverOptions } from './drivers.js';

export interface BoxHandle {
  bus: EventBus;
  registry: DeviceRegistry;
  supervisor: DriverSupervisor;
  clock: Clock;
  loaded: LoadedConfig;
  core: CoreParts;
}

export interface CoreParts {
  store: Store | null;
  outbox: Outbox | null;
  recoveredFromCorruption: { movedTo: string; reason: string } | null;
}

function coreKey(loaded: LoadedConfig): string {
  const c = loaded.config;
  return JSON.stringify({ estate: c.estate, box: c.box, uplink: c.uplink, storage: c.storage, secrets: loaded.secretsFile });
}

/** What the demo, the bench and tests may swap in: the clock and the driver options (fake GPIO, serial binding). */
export interface ComposeOptions {
  clock?: Clock;
  drivers?: DriverOptions;
}

/** A Composer with options bound (the demo uses fake GPIO; `qinhe run` uses the defaults). */
export function createComposer(opts: ComposeOptions = {}): Composer {
  return (loaded, logger, previous) => composeWith(loaded, logger, previous, opts);
}

export const composeBox: Composer = createComposer();

function composeWith(loaded: LoadedConfig, logger: Logger, previous: Composition | undefined, opts: ComposeOptions): Composition {
  const clock = opts.clock ?? systemClock;
  const key = coreKey(loaded);
  const prevHandle = previous?.handle as BoxHandle | undefined;
  const reuse = previous !== undefined && previous.coreKey === key && prevHandle !== undefined;
  const bus = reuse ? prevHandle.bus : new EventBus(logger);
  const core: CoreParts = reuse ? prevHandle.core : { store: null, outbox: null, recoveredFromCorruption: null };

  const devices = resolveDevices(loaded);
  const registry = new DeviceRegistry(devices, clock, logger);
  const supervisor = new DriverSupervisor(logger);
  const handle: BoxHandle = { bus, registry, supervisor, clock, loaded, core };

  const storage: Service = {
    name: 'storage',
    start: async () => {
      const opened = openStore({ dataDir: loaded.config.storage.dataDir, storage: loaded.config.storage, logger, clock });
      core.store = opened.store;
      core.outbox = new Outbox(opened.store, { logger, clock });
      core.recoveredFromCorruption = opened.recoveredFromCorruption;
    },
    stop: async () => {
      core.outbox?.close();
      core.store?.close();
      core.store = null;
      core.outbox = null;
    },
  };

  const ctx: DriverContext = {
    logger,
    clock,
    devices,
    dataDir: loaded.config.storage.dataDir,
    credentials: (id) => cameraCredentials(loaded.secrets, id),
    facts: {
      reading: (f) => { registry.seen(f.device, f.at); bus.emit('reading', f); },
      event: (f) => { registry.seen(f.device, f.at); bus.emit('event', f); },
      availability: (f) => { registry.availability(f); bus.emit('availability', f); },
    },
  };
  let drivers: Driver[] = [];
  const driverService: Service = {
    name: 'drivers',
    start: async () => {
      drivers = createDrivers(ctx, loaded.config, logger, opts.drivers ?? {});
      await supervisor.startAll(drivers);
    },
    stop: async () => {
      await supervisor.stopAll();
      bus.removeListeners(handle);
    },
  };

  return {
    core: [storage],
    coreKey: key,
    edge: [driverService],
    handle,
    safeOutputs: async () => {
      const outputs = loaded.config.devices.filter((d) => ['siren', 'strobe', 'relay'].includes(d.type));
      await Promise.all(outputs.map((d) => outputTo(drivers, { deviceId: d.id, pattern: 'off', seconds: 1 }).catch(() => undefined)));
    },
  };
}

/** Sends an output command to whichever driver owns the device. */
export async function outputTo(drivers: Driver[], cmd: OutputCommand): Promise<void> {
  const errors: unknown[] = [];
  for (const d of drivers) {
    if (!d.output) continue;
    try {
      await d.output(cmd);
      return;
    } catch (err) {
      errors.push(err);
    }
  }
  throw errors[0] ?? new Error(`no driver drives ${cmd.deviceId}`);
}
