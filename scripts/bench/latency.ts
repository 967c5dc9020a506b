/**
 * Alarm latency at the 477-device steady load: the whole box (Box + createComposer, as `qinhe run`) in this
 * process, the Caima estate simulated in another (estate-host), mosquitto local. A panic button (fake GPIO)
 * is pressed again and again; each press is timed
 *   input → local siren command: the panic fact on the bus → the first write to a zone siren's line;
 *   input → PUBACK: the same fact → the broker's PUBACK of the `raised` event (seen where the uplink deletes
 *   the outbox row, puback-watch.ts); and, for reference, → the event's receipt by a subscriber (the center).
 * "Input" is the fact the GPIO driver emits after its debounce (gpio-panic: 50 ms, a fixed filter that is
 * not the box's processing time). Between presses the incident is resolved so the next press raises anew.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import mqtt from 'mqtt';
import type { Logger } from 'pino';
import { parseAddress } from '../../config/address.js';
import { FakeGpio } from '../../drivers/gpio/fake.js';
import { lineId } from '../../drivers/gpio/line.js';
import { Box, type Composer } from '../../runtime/app/box.js';
import { createComposer, type BoxHandle } from '../../runtime/app/compose.js';
import type { IncidentEventV1 } from '../../runtime/core/contract.js';
import { LocalBroker } from '../../runtime/demo/broker.js';
import { startBenchEstate } from './estate-proc.js';
import { isRaisedOf, watchPubacks } from './puback-watch.js';
import { figure, missing, percentile, type Figure, type Target } from './stats.js';

const T_SIREN: Target = { of: 'value', op: '<=', limit: 10 };
const T_UP: Target = { of: 'value', op: '<=', limit: 50 };

export const LATENCY_FIGURES: Array<[string, string, Target | undefined]> = [
  ['alarm latency input → siren p50', 'ms', undefined], ['alarm latency input → siren p99', 'ms', T_SIREN],
  ['alarm latency input → PUBACK p50', 'ms', undefined], ['alarm latency input → PUBACK p99', 'ms', T_UP],
  ['input → center receipt p99', 'ms', undefined], ['panic press → siren p99 (incl. debounce)', 'ms', undefined],
  ['event-loop delay max during the presses', 'ms', undefined],
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function alarmLatency(o: { dir: string; logger: Logger; quick: boolean }): Promise<Figure[]> {
  const broker = new LocalBroker({ dir: o.dir, port: 0 });
  await broker.start();
  const estate = await startBenchEstate(o.dir, broker.url).catch(async (err: unknown) => { await broker.stop(); throw err; });
  const fake = new FakeGpio();
  const { config } = estate.loaded;
  const gpioOf = (type: string) => config.devices.filter((d) => d.type === type && d.address.startsWith('gpio://'));
  const panics = gpioOf('panic').map((d) => d.id);
  const sirenLines = new Set(config.devices.filter((d) => d.zone === 'BOX' && (d.type === 'siren' || d.type === 'strobe')).flatMap((d) => {
    const a = parseAddress(d.address);
    return a.ok && a.address.protocol === 'gpio' ? [lineId(a.address)] : [];
  }));
  let factAt: number | undefined;
  let sirenAt: number | undefined;
  let upAt: number | undefined;
  let pubackAt: number | undefined;
  let current = '';
  const inner = createComposer({ drivers: { gpio: { backend: 'fake', fake } } });
  // Our listener goes on the bus before the engine's, so the fact is timed before the engine handles it.
  const composer: Composer = (loaded, logger, prev) => {
    const comp = inner(loaded, logger, prev);
    (comp.handle as BoxHandle).core.bus.on('event', composer, (f) => { if (f.device === current && f.active && factAt === undefined) factAt = performance.now(); });
    return comp;
  };
  fake.onOutput((line, level) => { if (level && sirenLines.has(line) && factAt !== undefined && sirenAt === undefined) sirenAt = performance.now(); });
  const box = new Box(composer, o.logger, { requireSecrets: true });
  const center = mqtt.connect(broker.url, { protocolVersion: 5, clientId: `bench-latency-${process.pid}`, clean: true });
  let raisedId = '';
  center.on('message', (_t, p) => {
    const ev = JSON.parse(p.toString()) as IncidentEventV1;
    if (ev.event === 'raised' && ev.device.id === current && upAt === undefined) { upAt = performance.now(); raisedId = ev.incidentId; }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      center.once('connect', () => center.subscribe('qinhe/bench/bench-01/incident', { qos: 1 }, (e) => (e ? reject(e) : resolve())));
      center.once('error', reject);
    });
    await box.start(estate.loaded);
    const handle = box.composition?.handle as BoxHandle;
    await settle(handle, o.quick ? 15_000 : 40_000);
    if (!handle.core.outbox) throw new Error('the box has no outbox (store failed to open)');
    const unwatch = watchPubacks(handle.core.outbox, (row) => isRaisedOf(row, current), (at) => { pubackAt ??= at; });
    if (panics.length === 0) return LATENCY_FIGURES.map(([n, u, t]) => missing(n, u, 'the inventory has no GPIO panic button', t));
    const siren: number[] = [];
    const up: number[] = [];
    const puback: number[] = [];
    const press: number[] = [];
    const trials = o.quick ? 12 : 60;
    // Where tail latency comes from: the box's event loop blocked (synchronous SQLite commits, GC, JSON).
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    for (let i = 0; i < trials; i++) {
      current = panics[i % panics.length] ?? '';
      factAt = sirenAt = upAt = pubackAt = undefined;
      const pressedAt = performance.now();
      fake.setInput(estate.loaded.config.devices.find((d) => d.id === current)?.address ?? '', true);
      const until = performance.now() + 5000;
      while ((sirenAt === undefined || upAt === undefined || pubackAt === undefined) && performance.now() < until) await sleep(1);
      if (factAt !== undefined && sirenAt !== undefined) siren.push(sirenAt - factAt);
      if (sirenAt !== undefined) press.push(sirenAt - pressedAt);
      if (factAt !== undefined && upAt !== undefined) up.push(upAt - factAt);
      if (factAt !== undefined && pubackAt !== undefined) puback.push(pubackAt - factAt);
      fake.setInput(estate.loaded.config.devices.find((d) => d.id === current)?.address ?? '', false);
      if (raisedId) await handle.engine()?.resolve({ incidentId: raisedId, by: 'bench', outcome: 'false-alarm' }).catch(() => undefined);
      raisedId = '';
      await sleep(400 + Math.random() * 200);
    }
    unwatch();
    loop.disable();
    const counts = handle.registry.counts();
    const note = `${trials} panic presses at steady load (${counts.online}/${counts.total} devices online); input = the panic fact after the 50 ms GPIO debounce`;
    const pair = (label: string, samples: number[], target: Target): Figure[] => {
      if (samples.length === 0) return [missing(`${label} p50`, 'ms', 'no sample completed'), missing(`${label} p99`, 'ms', 'no sample completed', target)];
      return [
        figure(`${label} p50`, percentile(samples, 50) ?? NaN, 'ms', { note: `${samples.length} samples` }),
        figure(`${label} p99`, percentile(samples, 99) ?? NaN, 'ms', { target, note }),
      ];
    };
    const pressP99 = percentile(press, 99);
    const upP99 = percentile(up, 99);
    return [
      ...pair('alarm latency input → siren', siren, T_SIREN), ...pair('alarm latency input → PUBACK', puback, T_UP),
      upP99 === undefined ? missing('input → center receipt p99', 'ms', 'no sample completed')
        : figure('input → center receipt p99', upP99, 'ms', { note: 'for reference: a subscriber on the same broker' }),
      pressP99 === undefined ? missing('panic press → siren p99 (incl. debounce)', 'ms', 'no sample completed')
        : figure('panic press → siren p99 (incl. debounce)', pressP99, 'ms', { note: 'for reference: the line level change → siren, including the 50 ms debounce of gpio-panic' }),
      figure('event-loop delay max during the presses', loop.max / 1e6, 'ms', { note: `for reference (p99 ${Math.round(loop.percentile(99) / 1e4) / 100} ms): a siren or PUBACK tail beyond this loop stall is not explained by blocking` }),
    ];
  } finally {
    await box.stop();
    await new Promise<void>((resolve) => center.end(true, {}, () => resolve()));
    await estate.stop();
    await broker.stop();
  }
}

/** Waits until nearly every device has been seen (the steady state), at most `maxMs`. */
async function settle(handle: BoxHandle, maxMs: number): Promise<void> {
  const until = performance.now() + maxMs;
  while (performance.now() < until) {
    const c = handle.registry.counts();
    if (c.online >= c.total - 22) break; // the GPIO lines of other kinds and a few slow units may lag
    await sleep(500);
  }
  await sleep(3000);
}
