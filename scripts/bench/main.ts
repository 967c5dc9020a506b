/**
 * `npm run bench` (add `-- --json` for one JSON object on stdout; `-- --only NAME,...` for some groups).
 * Every figure is measured in this run beside its baseline and judged against its target; a group that
 * cannot run here prints its figures as missing with the reason. Progress goes to stderr.
 *
 *   groups: throughput (durable), drain, modbus, latency, footprint
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../runtime/core/logger.js';
import { findMosquitto } from '../../runtime/demo/broker.js';
import { alarmLatency, LATENCY_FIGURES } from './latency.js';
import { footprint, FOOTPRINT_FIGURES } from './footprint.js';
import { modbusFigures, MODBUS_FIGURES } from './modbus.js';
import { missing, toJson, toTable, type Figure, type Target } from './stats.js';
import { drain, durableThroughput } from './throughput.js';

interface Group {
  name: string;
  needsBroker: boolean;
  /** Names, units and targets of the figures, for reporting them missing. */
  figures: Array<[string, string, Target | undefined]>;
  run: (dir: string) => Promise<Figure[]>;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice(7) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const only = onlyArg ? new Set(onlyArg.split(',')) : undefined;
const quick = args.includes('--quick');
const logger = createLogger({ level: process.env.QINHE_LOG_LEVEL ?? 'error', destination: process.stderr, name: 'qinhe-bench' });
const progress = (s: string) => process.stderr.write(`bench: ${s}\n`);

const groups: Group[] = [
  { name: 'throughput', needsBroker: true, figures: [['durable throughput (persisted + PUBACK)', 'events/s', { of: 'ratio', op: '>=', limit: 0.7 }]],
    run: (dir) => durableThroughput({ dir, logger, durableN: quick ? 2000 : 10_000, drainN: 0 }) },
  { name: 'drain', needsBroker: true, figures: [['drain after an outage', 'msgs/s', { of: 'ratio', op: '>=', limit: 0.8 }],
    ['critical incident wait during drain', 'ms', { of: 'value', op: '<=', limit: 1000 }]],
    run: (dir) => drain({ dir, logger, durableN: 0, drainN: quick ? 10_000 : 100_000 }) },
  { name: 'modbus', needsBroker: false, figures: MODBUS_FIGURES, run: () => modbusFigures({ logger, quick }) },
  { name: 'latency', needsBroker: true, figures: LATENCY_FIGURES, run: (dir) => alarmLatency({ dir, logger, quick }) },
  { name: 'footprint', needsBroker: true, figures: FOOTPRINT_FIGURES, run: (dir) => footprint({ dir, logger, quick }) },
];

const figures: Figure[] = [];
const hasBroker = findMosquitto() !== undefined;
for (const g of groups) {
  if (only && !only.has(g.name)) continue;
  const dir = mkdtempSync(join(tmpdir(), `qinhe-bench-${g.name}-`));
  const asMissing = (reason: string) => g.figures.map(([n, u, t]) => missing(n, u, reason, t));
  try {
    if (g.needsBroker && !hasBroker) {
      figures.push(...asMissing('mosquitto is not installed (the local MQTT 5 broker)'));
      continue;
    }
    progress(`${g.name}…`);
    const t0 = performance.now();
    figures.push(...await g.run(dir));
    progress(`${g.name} done in ${Math.round((performance.now() - t0) / 1000)} s`);
  } catch (err) {
    progress(`${g.name} failed: ${(err as Error).stack ?? String(err)}`);
    figures.push(...asMissing(`${g.name} failed: ${(err as Error).message}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.stdout.write(json ? `${toJson(figures)}\n` : `${toTable(figures)}\n`);
// Child processes and sockets are closed by each group; nothing should hold the loop, but do not hang CI.
setTimeout(() => process.exit(0), 2000).unref();
