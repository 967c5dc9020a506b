/**
 * Composition root: builds the box's parts from a loaded configuration and wires them together.
 *
 *   drivers ──facts──► bus ──► registry (device states)         ┌──► uplink ──► MQTT (contract v1)
 *                        └───► incident engine ──► outbox ──────┘       │
 *                                  │                                     ▼
 *                                  └──► outputs (sirens), evidence   commands ──► command target
 *
 * Core (kept across reloads when its settings are unchanged): storage, uplink (+ commands, health).
 * Edge (rebuilt on every reload): drivers, rules. Callbacks from the core reach the current edge through
 * `core.live`, so a reload never leaves the uplink talking to a stopped engine.
 */
import type { Logger } from 'pino';
import type { LoadedConfig } from '../../config/load.js';
import { cameraCredentials, tlsKeyPem } from '../../config/secrets.js';
import { systemClock, type Clock, type Driver, type DriverContext } from '../../drivers/types.js';
import { EventBus } from '../core/bus.js';
import { QinheError, errorMessage } from '../core/errors.js';
import type { IncidentEventDraft, IncidentEventV1 } from '../core/contract.js';
import type { EvidencePort, OutboxMessage, OutboxPort } from '../core/ports.js';
import { packageVersion } from '../core/version.js';
import { createApiService } from '../api/server.js';
import { apiSocketPath } from '../api/socket-path.js';
import { CommandDispatcher, loadCenterKeys } from '../commands/index.js';
import { IncidentEngine } from '../incidents/index.js';
import { openStore, Outbox, type Store } from '../store/index.js';
import { HealthReporter, Uplink } from '../uplink/index.js';
import { ClockMonitor, defaultClockProbe } from '../clock/index.js';
import { smsFromConfig } from '../escalation/index.js';
import type { Composer, Composition, Service } from './box.js';
import { createBoxApi, PointCache, TestMode, type UplinkState } from './box-api.js';
import { BoxCommandTarget } from './command-target.js';
import { DeviceRegistry } from './device-registry.js';
import { createDrivers, type DriverOptions, type DriverSet } from './drivers.js';
import { EvidenceForwarder } from './evidence-forwarder.js';
import { buildHealth } from './health.js';
import { OutputRouter } from './output-router.js';
import { resolveDevices } from './resolve-devices.js';
import { DriverSupervisor } from './supervisor.js';

/** What the demo, the bench and tests may swap in: the clock and the driver options (fake GPIO, serial binding). */
export interface ComposeOptions {
  clock?: Clock;
  drivers?: DriverOptions;
  /** Take the wall clock as synced (the demo, boxes with an RTC); else a probe watches for NTP sync. */
  assumeClockSynced?: boolean;
  /** Incident engine tuning (the demo shortens the update interval). */
  incidents?: { updateIntervalS?: number };
}

/** The current edge, as seen by the long-lived core. */
export interface LiveEdge {
  registry: DeviceRegistry;
  target: BoxCommandTarget;
  drivers: () => Driver[];
  engine: () => IncidentEngine | undefined;
}

export interface CoreParts {
  bus: EventBus;
  store: Store | null;
  outbox: Outbox | null;
  recoveredFromCorruption: { movedTo: string; reason: string } | null;
  walLost: { reason: string } | null;
  uplink: Uplink | null;
  dispatcher: CommandDispatcher | null;
  health: HealthReporter | null;
  clockMonitor: ClockMonitor;
  startedMono: number;
  startedAt: number;
  live: LiveEdge | null;
  uplinkState: UplinkState;
  points: PointCache;
  testMode: TestMode;
}

export interface BoxHandle {
  core: CoreParts;
  registry: DeviceRegistry;
  supervisor: DriverSupervisor;
  outputs: OutputRouter;
  evidence: EvidenceForwarder;
  clock: Clock;
  loaded: LoadedConfig;
  engine: () => IncidentEngine | undefined;
  /** The camera driver's own evidence port (local files only, nothing upstream). */
  rawEvidence: () => EvidencePort | undefined;
  publishHealth: () => Promise<void>;
}

function coreKey(loaded: LoadedConfig): string {
  const c = loaded.config;
  return JSON.stringify({ estate: c.estate, box: c.box, uplink: c.uplink, storage: c.storage, secrets: loaded.secrets.mqtt ?? null, tls: loaded.secrets.tls ?? null });
}

/** A Composer with options bound (the demo uses fake GPIO; `qinhe run` uses the defaults). */
export function createComposer(opts: ComposeOptions = {}): Composer {
  return (loaded, logger, previous) => composeWith(loaded, logger, previous, opts);
}

export const composeBox: Composer = createComposer();

/** The outbox as the incident engine sees it: when the store is unavailable, appends fail (and are logged by the engine) while local alarms go on. */
function outboxPort(core: CoreParts): OutboxPort {
  return {
    appendIncident: async (draft: IncidentEventDraft): Promise<IncidentEventV1> => {
      if (!core.outbox) throw new QinheError('QH_STORE_IO', 'the store is not open');
      const ev = await core.outbox.appendIncident(draft);
      // Committed, with its seq: now it exists for everyone else (API, demo summary).
      core.bus.emit('incident', ev);
      return ev;
    },
    append: (msg: OutboxMessage): Promise<void> =>
      core.outbox ? core.outbox.append(msg) : Promise.reject(new QinheError('QH_STORE_IO', 'the store is not open')),
  };
}

function composeWith(loaded: LoadedConfig, logger: Logger, previous: Composition | undefined, opts: ComposeOptions): Composition {
  const clock = opts.clock ?? systemClock;
  const key = coreKey(loaded);
  const prev = previous?.handle as BoxHandle | undefined;
  const reuse = previous !== undefined && previous.coreKey === key && prev !== undefined;
  const core: CoreParts = reuse ? prev.core : {
    bus: new EventBus(logger), store: null, outbox: null, recoveredFromCorruption: null, walLost: null, uplink: null, dispatcher: null,
    health: null, clockMonitor: new ClockMonitor({ clock, probe: defaultClockProbe(), logger, assumeSynced: opts.assumeClockSynced ?? false }),
    startedMono: clock.mono(), startedAt: clock.now(), live: null,
    uplinkState: { connected: false, since: null, lastError: null }, points: new PointCache(),
    testMode: new TestMode(() => clock.mono(), () => clock.now()),
  };
  const { config } = loaded;
  const bus = core.bus;
  const devices = resolveDevices(loaded);
  const registry = new DeviceRegistry(devices, clock, logger);
  const supervisor = new DriverSupervisor(logger);
  const outputs = new OutputRouter(devices, () => supervisor.drivers());
  let driverSet: DriverSet | undefined;
  let engine: IncidentEngine | undefined;
  const evidence = new EvidenceForwarder(() => driverSet?.evidence, () => core.outbox, logger, () => clock.now());

  const publishHealth = async (): Promise<void> => {
    if (!core.health) throw new QinheError('QH_UPLINK_DOWN', 'health reporting is not running (no store)');
    await core.health.publishNow();
  };
  const target = new BoxCommandTarget({ incidents: () => engine, outputs, evidence, publishHealth });
  const handle: BoxHandle = { core, registry, supervisor, outputs, evidence, clock, loaded, engine: () => engine, rawEvidence: () => driverSet?.evidence, publishHealth };

  // R/health within 10 s of a device changing state (the reporter debounces), and at least every healthIntervalS.
  registry.onChange(() => core.health?.trigger());

  const storage: Service = {
    name: 'storage',
    start: async () => {
      const opened = openStore({ dataDir: config.storage.dataDir, storage: config.storage, logger, clock });
      core.store = opened.store;
      core.outbox = new Outbox(opened.store, { logger, clock });
      core.recoveredFromCorruption = opened.recoveredFromCorruption;
      core.walLost = opened.walLost;
    },
    stop: async () => {
      core.outbox?.close();
      core.store?.close();
      core.store = null;
      core.outbox = null;
    },
  };

  const uplink: Service = {
    name: 'uplink',
    start: async () => {
      const outbox = core.outbox;
      const store = core.store;
      if (!outbox || !store) throw new QinheError('QH_STORE_IO', 'no store: the uplink has nothing to send from');
      const keys = config.uplink.centerKeys.length > 0 ? loadCenterKeys(config.uplink.centerKeys) : [];
      if (keys.length === 0) logger.warn('no center public keys configured (uplink.centerKeys): every command will be rejected');
      const dispatcher = new CommandDispatcher({
        keys, outbox, store, logger, clock,
        target: {
          ack: (a) => requireLive(core).target.ack(a),
          onsite: (a) => requireLive(core).target.onsite(a),
          resolve: (a) => requireLive(core).target.resolve(a),
          siren: (a) => requireLive(core).target.siren(a),
          silence: (a) => requireLive(core).target.silence(a),
          snapshot: (a) => requireLive(core).target.snapshot(a),
          health: () => requireLive(core).target.health(),
        },
      });
      core.dispatcher = dispatcher;
      const tlsKey = tlsKeyPem(loaded.secrets);
      const mqttPassword = loaded.secrets.mqtt?.password;
      core.uplink = new Uplink({
        config: config.uplink, estate: config.estate.id, box: config.box.id, outbox, logger, clock, version: packageVersion(),
        secrets: { ...(mqttPassword !== undefined ? { mqttPassword } : {}), ...(tlsKey ? { tlsKeyPem: tlsKey } : {}) },
        stateDevices: () => {
          const c = core.live?.registry.counts();
          return { total: c?.total ?? 0, online: c?.online ?? 0 };
        },
        onCommand: (name, payload) => {
          void dispatcher.handle(name, payload).catch((err: unknown) => logger.error({ err, command: name }, 'command dispatch failed'));
        },
        onConnectionChange: (e) => {
          core.uplinkState = { connected: e.connected, since: clock.now(), lastError: e.connected ? null : e.reason ?? core.uplinkState.lastError };
          bus.emit('uplink', e);
        },
      });
      await core.uplink.start();
      core.health = new HealthReporter({
        outbox, logger, intervalS: config.uplink.healthIntervalS,
        provider: () => buildHealth({
          registry: core.live?.registry ?? registry, drivers: core.live?.drivers() ?? [], now: clock.now(), nowMono: clock.mono(),
          startedMono: core.startedMono, clockSynced: core.clockMonitor.synced(),
        }),
      });
      await core.health.start();
    },
    stop: async () => {
      await core.health?.stop();
      core.health = null;
      await core.uplink?.stop();
      core.uplink = null;
      core.dispatcher = null;
    },
  };

  const ctx: DriverContext = {
    logger,
    clock,
    devices,
    dataDir: config.storage.dataDir,
    credentials: (id) => cameraCredentials(loaded.secrets, id),
    facts: {
      reading: (f) => { registry.seen(f.device, f.at); core.points.reading(f); bus.emit('reading', core.testMode.has(f.device) ? { ...f, test: true } : f); },
      // Devices in commissioning test mode: their events raise test incidents the center does not dispatch.
      event: (f) => { registry.seen(f.device, f.at); bus.emit('event', core.testMode.has(f.device) ? { ...f, test: true } : f); },
      availability: (f) => { registry.availability(f); bus.emit('availability', f); },
    },
  };
  const driverService: Service = {
    name: 'drivers',
    start: async () => {
      core.live = { registry, target, drivers: () => supervisor.drivers(), engine: () => engine };
      driverSet = createDrivers(ctx, config, opts.drivers ?? {});
      await supervisor.startAll(driverSet.drivers);
    },
    stop: async () => {
      await supervisor.stopAll();
      driverSet = undefined;
    },
  };

  let sms: ReturnType<typeof smsFromConfig>;
  let unsubscribeDelivered: (() => void) | null = null;
  const rules: Service = {
    name: 'rules',
    start: async () => {
      // The SMS fallback of escalations: a serial 4G modem, when the config names one and duty numbers.
      sms = smsFromConfig(config, logger);
      engine = new IncidentEngine({
        ...(sms ? { sms } : {}),
        bus, outbox: outboxPort(core), outputs, evidence, config, devices, clock, logger, dataDir: config.storage.dataDir,
        clockMonitor: core.clockMonitor,
        ...(opts.incidents?.updateIntervalS !== undefined ? { updateIntervalS: opts.incidents.updateIntervalS } : {}),
      });
      engine.start();
      core.clockMonitor.start();
      const current = engine;
      unsubscribeDelivered = core.outbox?.onDelivered((events) => current.delivered(events)) ?? null;
      const recovered = core.recoveredFromCorruption;
      if (recovered) {
        core.recoveredFromCorruption = null;
        engine.raiseBoxFault(`store was corrupt (${recovered.reason}); set aside as ${recovered.movedTo} and replaced`);
      }
      if (core.walLost) {
        engine.raiseBoxFault(`store: ${core.walLost.reason}; seq continues above the high-water mark`);
        core.walLost = null;
      }
    },
    stop: async () => {
      core.clockMonitor.stop();
      unsubscribeDelivered?.();
      unsubscribeDelivered = null;
      await engine?.stop();
      engine = undefined;
      await sms?.close();
      sms = undefined;
    },
  };

  const api = createApiService({
    socketPath: apiSocketPath(config), logger,
    api: createBoxApi(handle, { points: core.points, testMode: core.testMode, uplinkState: () => core.uplinkState, startedAt: core.startedAt }),
  });

  return {
    core: [storage, uplink],
    coreKey: key,
    edge: [driverService, rules, api],
    handle,
    safeOutputs: async () => {
      try {
        await outputs.allSafe();
      } catch (err) {
        logger.error({ err: errorMessage(err) }, 'could not put every output in its safe state');
      }
    },
  };
}

function requireLive(core: CoreParts): LiveEdge {
  if (!core.live) throw new QinheError('QH_DRIVER_FAILED', 'the box is starting or reloading; try again');
  return core.live;
}
