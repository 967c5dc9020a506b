/**
 * A box child process for the crash test: opens the store in DATA_DIR, runs the uplink to BROKER_URL and
 * appends incidents in small bursts until killed. It prints `committed <seq>` once an append has resolved
 * (so the parent knows which seqs are durable). With DRAIN_ONLY=1 it appends nothing, waits until the outbox
 * is empty and exits 0 after a clean stop.
 * Run: node --import tsx tests/integration/uplink/producer.ts
 */
import { pino } from 'pino';
import { openStore, Outbox } from '../../../runtime/store/index.js';
import { Uplink } from '../../../runtime/uplink/index.js';
import { draft, storageConfig } from '../../unit/store/fixtures.js';

const dataDir = process.env.DATA_DIR ?? '';
const url = process.env.BROKER_URL ?? '';
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const { store } = openStore({ dataDir, storage: storageConfig({ dataDir }), logger });
const outbox = new Outbox(store);
const uplink = new Uplink({
  config: { url, prefix: 'qinhe', insecure: false, keepaliveS: 30, drainPerS: 5000, backoffBaseMs: 50, backoffCapMs: 200,
    firstRetryMaxMs: 50, retriesPerHour: 36_000 /* 120/h at a 60 s cap, scaled to 200 ms */, centerKeys: [], healthIntervalS: 300 },
  estate: 'caima', box: 'caima-01', secrets: {}, outbox, logger, version: '0.1.0', stateDevices: () => ({ total: 1, online: 1 }),
});
await uplink.start();
process.stdout.write('ready\n');

if (process.env.DRAIN_ONLY === '1') {
  while (outbox.stats().pending > 0) await new Promise((r) => setTimeout(r, 20));
  await uplink.stop();
  outbox.close();
  store.close();
  process.stdout.write('drained\n');
  process.exit(0);
}

let incident = `crash-${process.pid}`;
for (let i = 0; ; i++) {
  if (i % 5 === 0) incident = `crash-${process.pid}-${i}`;
  const burst = await Promise.all(Array.from({ length: 1 + (i % 7) }, (_, k) =>
    outbox.appendIncident(draft({ incidentId: incident, severity: k % 2 === 0 ? 'critical' : 'major' }))));
  process.stdout.write(`committed ${Math.max(...burst.map((e) => e.seq))}\n`);
  await new Promise((r) => setTimeout(r, 1 + (i % 4)));
}
