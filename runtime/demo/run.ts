/**
 * `qinhe demo`: the real box (Box + createComposer, the code path of `qinhe run`) driving a simulated Caima
 * estate, with a local MQTT 5 broker and a stand-in center.
 *
 *   inventory CSV ─► selectRows ─► SimulatedEstate.start (cameras, PTY lines, fake GPIO)
 *        └─► inventory.csv with real addresses ─► provisionDemo (buildFromInventory) ─► qinhe.yaml
 *   broker (mosquitto or --broker) ◄── Box ──► drivers ──► simulated devices ◄── Scenario
 *        └──► CenterView (seq check, by-kind counts, optional signed acks) ──► SummaryDisplay
 */
import { acquireInstanceLock } from '../system/instance-lock.js';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { loadProfiles } from '../../config/profiles.js';
import { Scenario, offlineTarget } from '../../tests/simulators/estate/scenario.js';
import { SimulatedEstate } from '../../tests/simulators/estate/estate.js';
import { Box } from '../app/box.js';
import { createComposer, type BoxHandle } from '../app/compose.js';
import { installSignalHandlers } from '../app/signals.js';
import type { IncidentEventV1 } from '../core/contract.js';
import { createLogger } from '../core/logger.js';
import { topicRoot } from '../uplink/options.js';
import { LocalBroker } from './broker.js';
import { CenterView } from './center.js';
import { readInventory, selectRows, writeInventory } from './inventory.js';
import type { DemoOptions } from './options.js';
import { demoCameraCredentials, demoCenterKey, demoPaths, makeDirs, provisionDemo, readPrivateKey } from './provision.js';
import { SummaryDisplay, type SummarySnapshot } from './summary.js';

export interface DemoResult {
  exitCode: number;
  raisedByKind: Record<string, number>;
  startMs: number;
}

/** Runs the demo until --duration passes or a signal stops it. */
export async function runDemo(opts: DemoOptions, out: NodeJS.WritableStream = process.stdout): Promise<DemoResult> {
  const paths = demoPaths(opts.dataDir);
  const lock = acquireInstanceLock(paths.dataDir); // a second demo on the same --data-dir stops here
  makeDirs(paths);
  const logger = createLogger({ level: opts.logLevel, destination: createWriteStream(paths.logFile, { flags: 'a' }), name: 'qinhe-demo' });
  const say = (s: string) => out.write(`${s}\n`);

  const rows = selectRows(readInventory(opts.inventory), opts.devices);
  const devices = rows.map((r) => r.device);
  const profiles = loadProfiles().profiles;
  const credentials = demoCameraCredentials(paths);
  const estate = new SimulatedEstate({ devices, profiles, dir: paths.dev, credentials, transport: opts.transport });
  const cleanups: Array<() => Promise<void> | void> = [() => lock.release(), () => estate.stop()];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch((err: unknown) => logger.warn({ err }, 'demo cleanup step failed'));
    cleanups.length = 0;
  };
  try {
    await estate.start();
    writeInventory(paths.inventoryFile, devices, (id) => estate.addressOf(id));
    let brokerUrl = opts.broker;
    if (!brokerUrl) {
      const broker = new LocalBroker({ dir: join(paths.dataDir, 'broker') });
      await broker.start();
      cleanups.push(() => broker.stop());
      brokerUrl = broker.url;
    }
    const centerKey = demoCenterKey(paths, opts.centerKeyFile);
    const offline = opts.scenario === 'caima' ? offlineTarget(devices, profiles) : undefined;
    const loaded = provisionDemo({ paths, estate: opts.estate, box: opts.box, broker: brokerUrl, centerKey,
      ...(opts.ackTimeoutS ? { ackTimeoutS: opts.ackTimeoutS } : {}), ...(offline ? { offline } : {}) });
    say(`qinhe demo: ${devices.length} devices (${estate.transportUsed === 'pty' ? 'RS-485 over socat PTYs' : 'RS-485 over in-memory links'}), broker ${brokerUrl}, data ${paths.dataDir}`);

    const events: string[] = [];
    const display = new SummaryDisplay(opts.display === 'auto' ? ((out as NodeJS.WriteStream).isTTY ? 'tty' : 'plain') : opts.display, () => snapshot(), out);
    const note = (text: string) => {
      events.push(`${new Date().toISOString().slice(11, 19)} ${text}`);
      if (events.length > 100) events.shift();
      display.event(text);
    };
    const root = topicRoot(loaded.config.uplink.prefix, opts.estate, opts.box);
    const privateKeyPem = readPrivateKey(centerKey);
    const center = new CenterView({ url: brokerUrl, root, ...(privateKeyPem ? { privateKeyPem } : {}),
      ...(opts.centerAckS !== undefined ? { ackAfterS: opts.centerAckS } : {}),
      onLine: (l) => { if (opts.center || l.topic === 'incident' || l.topic === 'reply') note(`center ← ${l.topic}: ${l.text}`); } });
    await center.start();
    cleanups.push(() => center.stop());

    // The simulated cameras serve snapshots but no RTSP stream: no clip rings in the demo.
    const composer = createComposer({ drivers: { gpio: { backend: 'fake', fake: estate.gpio }, modbus: estate.openPort ? { openPort: estate.openPort } : {}, onvif: { clips: false } } });
    const box = new Box(composer, logger, { requireSecrets: true });
    const t0 = performance.now();
    await box.start(loaded);
    const startMs = performance.now() - t0;
    say(`box ready in ${Math.round(startMs)} ms (log: ${paths.logFile})`);
    const view = watchBox(box, logger, note);

    const scenario = new Scenario(estate, opts.scenario);
    scenario.onEvent((e) => note(`scenario: ${e.text}`));
    scenario.start();
    cleanups.push(() => scenario.stop());
    const started = Date.now();

    function snapshot(): SummarySnapshot {
      const handle = box.composition?.handle as BoxHandle | undefined;
      const range = center.seq.range;
      const state = center.state;
      return {
        estate: opts.estate, box: opts.box, uptimeS: (Date.now() - started) / 1000, broker: brokerUrl ?? '',
        uplink: view.uplink ?? (state ? (state.online ? 'connected' : 'down') : 'unknown'),
        devices: handle?.registry.counts() ?? { total: devices.length, online: 0, offline: 0, degraded: 0, unknown: devices.length },
        boxRaised: boxRaised(view, handle), centerRaised: Object.fromEntries(center.raisedByKind),
        seq: { received: center.seq.count, ...(range ? { first: range.first, last: range.last } : {}), gaps: center.seq.gaps, duplicates: center.seq.duplicates },
        outboxPending: handle?.core.outbox?.stats().pending ?? null,
        events, apiSocket: loaded.config.api.socket ?? '(none)', ...(centerKey.privateKeyFile ? { privateKeyFile: centerKey.privateKeyFile } : {}),
        configFile: paths.configFile, logFile: paths.logFile, transport: estate.transportUsed,
      };
    }
    display.start();

    const exitCode = await new Promise<number>((resolve) => {
      const removeSignals = installSignalHandlers(box, paths.configFile, logger, (code) => resolve(code));
      cleanups.push(removeSignals);
      if (opts.durationS !== undefined) {
        const t = setTimeout(() => { void box.stop().then(() => resolve(0)); }, opts.durationS * 1000);
        cleanups.push(() => clearTimeout(t));
      }
    });
    display.stop();
    await cleanup();
    return { exitCode, raisedByKind: Object.fromEntries(center.raisedByKind), startMs };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * Incidents by kind on the box side: from the bus `incident` events when the composition emits them, else
 * from the incident engine's own list (its current kind, after any correlation).
 */
function boxRaised(view: BoxView, handle: BoxHandle | undefined): Record<string, number> {
  if (view.raised.size > 0) return Object.fromEntries(view.raised);
  const engine = handle?.engine();
  if (!engine) return view.lastListed; // stopping: keep the last numbers on screen
  const out: Record<string, number> = {};
  for (const inc of engine.list(1000)) if (!inc.test) out[inc.kind] = (out[inc.kind] ?? 0) + 1;
  view.lastListed = out;
  return out;
}

interface BoxView { raised: Map<string, number>; uplink?: 'connected' | 'down'; lastListed: Record<string, number> }

/** Listens on the box's bus for committed incidents and uplink changes (owner: the returned object). */
function watchBox(box: Box, logger: Logger, note: (text: string) => void): BoxView {
  const view: BoxView = { raised: new Map(), lastListed: {} };
  const handle = box.composition?.handle as BoxHandle | undefined;
  if (!handle) {
    logger.warn('the composition exposes no handle; the summary shows only what the center receives');
    return view;
  }
  handle.core.bus.on('incident', view, (ev: IncidentEventV1) => {
    if (ev.event === 'raised') view.raised.set(ev.kind, (view.raised.get(ev.kind) ?? 0) + 1);
    note(`box: ${ev.event} ${ev.kind}/${ev.severity} ${ev.device.id} (seq ${ev.seq})`);
  });
  handle.core.bus.on('uplink', view, (u) => {
    view.uplink = u.connected ? 'connected' : 'down';
    note(`uplink ${u.connected ? 'connected' : `down (${u.reason ?? '?'})`}`);
  });
  return view;
}
