/**
 * The box for the commands scenario: real store, real Uplink to BROKER_URL, real CommandDispatcher with the
 * center's public key (CENTER_KEY, PEM) and a target that only counts calls (the side effects).
 * stdout: ready | usage <json>        stdin: mark (start a CPU measurement) | usage | stop
 * usage: CPU time since mark (process.cpuUsage), wall time, target calls, payloads handled, and whether
 * Object.prototype still has exactly the properties it had at start.
 */
import { pino } from 'pino';
import { createInterface } from 'node:readline';
import { CommandDispatcher } from '../../runtime/commands/index.js';
import { openStore, Outbox } from '../../runtime/store/index.js';
import { Uplink } from '../../runtime/uplink/index.js';
import { RecordingTarget } from '../unit/commands/support.js';

const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
const logger = pino({ level: 'silent' });
const dataDir = process.env.DATA_DIR ?? '';
const { store } = openStore({ dataDir, storage: { dataDir, quotaMb: 512, incidentTtlDays: 30, evidenceTtlDays: 7, healthTtlHours: 24,
  telemetryTtlHours: 6, evidenceRetentionMb: 2048 }, logger });
const outbox = new Outbox(store);
const target = new RecordingTarget();
const dispatcher = new CommandDispatcher({ keys: [process.env.CENTER_KEY ?? ''], target, outbox, store, logger });
let handled = 0;
const uplink = new Uplink({
  config: { url: process.env.BROKER_URL ?? '', prefix: 'qinhe', insecure: false, keepaliveS: 30, drainPerS: 5000, backoffBaseMs: 100,
    backoffCapMs: 1000, firstRetryMaxMs: 50, retriesPerHour: 7200 /* 120/h at a 60 s cap, scaled to 1 s */, centerKeys: [], healthIntervalS: 300 },
  estate: 'caima', box: 'caima-01', secrets: {}, outbox, logger, version: '0.1.0', stateDevices: () => ({ total: 0, online: 0 }),
  onCommand: (name, payload) => { handled += 1; void dispatcher.handle(name, payload); },
  onConnectionChange: (e) => { if (e.connected) setTimeout(() => process.stdout.write('ready\n'), 300); },
});
await uplink.start();

let cpu = process.cpuUsage();
let wall = Date.now();
createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = line.trim();
  if (cmd === 'mark') {
    cpu = process.cpuUsage();
    wall = Date.now();
  } else if (cmd === 'usage') {
    const used = process.cpuUsage(cpu);
    const protoNow = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
    const polluted = ({} as Record<string, unknown>).polluted !== undefined || ({} as Record<string, unknown>).isAdmin !== undefined;
    process.stdout.write(`usage ${JSON.stringify({ userUs: used.user, systemUs: used.system, wallMs: Date.now() - wall, calls: target.calls.length,
      callNames: target.calls.map((c) => c.name), handled, protoSame: protoNow === protoBefore && !polluted, rssMb: process.memoryUsage().rss / 1e6,
      pendingReplies: outbox.stats().byLane.reply.pending })}\n`);
  } else if (cmd === 'stop') {
    void uplink.stop().then(() => { outbox.close(); store.close(); process.exit(0); });
  }
});
