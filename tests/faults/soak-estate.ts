/**
 * The simulated Caima estate for the soak (scenarios/soak.ts), in a process of its own so that the box's RSS,
 * file descriptors and event loop are the box's alone: every device of INVENTORY brought up by SimulatedEstate
 * (ONVIF cameras on loopback, RS-485 lines over socat PTYs under DEV_DIR), the demo's Caima scenario on
 * command, and the soak's faults (camera reboots, serial unplugs) on command.
 *
 * stdout (one line each):  ready <json {addresses: {id: address}, lines: [index]}>   event <scenario text>
 *                          rebooted <id> <down ms>   replugged <index> <down ms>   failed <what> <message>
 *                          refused <what> still down (a fault asked for a target still down from the last one)
 *                          stats <json>   socat <pid> (every socat started: the first of each line, every replug's)
 * socat processes do not die with this process: stop, stdin's end, SIGTERM, SIGINT and SIGHUP stop them, and
 * the `exit` handler SIGKILLs any left. A SIGKILL of this process runs none of that, so the pids are reported
 * and the harness kills what is left of them (scenarios/soak.ts).
 * stdin commands:          scenario (start the Caima scenario) | reboot <camera id> <down ms> |
 *                          unplug <line index> <down ms> | stats | stop
 * env: INVENTORY, DEV_DIR, CAM_USER, CAM_PASS, SEED
 * GPIO devices are simulated here too, but the box has its own fake GPIO (another process): the scenario's
 * two GPIO pulses (panic, enclosure) reach no one.
 */
import { createInterface } from 'node:readline';
import { loadProfiles } from '../../config/profiles.js';
import { readInventory } from '../../runtime/demo/inventory.js';
import { SimulatedEstate } from '../simulators/estate/estate.js';
import { Scenario } from '../simulators/estate/scenario.js';

const env = process.env;
const out = (s: string) => process.stdout.write(`${s}\n`);
const devices = readInventory(env.INVENTORY ?? '').map((r) => r.device);
const estate = new SimulatedEstate({ devices, profiles: loadProfiles().profiles, dir: env.DEV_DIR ?? '',
  credentials: { username: env.CAM_USER ?? 'admin', password: env.CAM_PASS ?? '' }, transport: 'pty', onSocat: (pid) => out(`socat ${pid}`) });
process.on('exit', () => estate.killLinksNow());
await estate.start();
const cameraIds = estate.deviceIds().filter((id) => estate.device(id).config.type === 'camera');
const scenario = new Scenario(estate, 'caima', { seed: Number(env.SEED ?? 20261126) });
let scenarioEvents = 0;
scenario.onEvent((e) => { scenarioEvents += 1; out(`event ${e.text}`); });
const counts = { reboots: 0, unplugs: 0, failed: 0, refused: 0 };
/** Why faults failed (the last 10), for the harness's check line. */
const failures: string[] = [];
/** Line index → requests served when it was last replugged (so stats can tell whether the box came back). */
const requestsAtReplug = new Map<number, number>();
const busy = new Set<string>();

out(`ready ${JSON.stringify({ addresses: Object.fromEntries(devices.map((d) => [d.id, estate.addressOf(d.id)])), lines: estate.lineIndexes() })}`);

function requestsOf(index: number): number {
  return estate.lineStats()[estate.lineIndexes().indexOf(index)]?.requests ?? 0;
}

/** One fault at a time per device or line; a second command for the same target while it is down is refused. */
function fault(key: string, run: () => Promise<string>): void {
  // A target still down from the last fault is not faulted again: refused (the harness's pick, not the box's doing).
  if (busy.has(key)) { counts.refused += 1; out(`refused ${key} still down`); return; }
  busy.add(key);
  void run().then(out, (err: unknown) => {
    counts.failed += 1;
    failures.push(`${key}: ${(err as Error).message}`.slice(0, 200));
    if (failures.length > 10) failures.shift();
    out(`failed ${key} ${(err as Error).message}`);
  })
    .finally(() => busy.delete(key));
}

function stats(): Record<string, unknown> {
  const subscribed = cameraIds.filter((id) => estate.camera(id).liveSubscriptions() >= 1);
  const lines = estate.lineIndexes().map((index) => ({ index, requests: requestsOf(index), sinceReplug: requestsOf(index) - (requestsAtReplug.get(index) ?? 0) }));
  return { ...counts, failures, scenarioEvents, cameras: cameraIds.length, subscribed: subscribed.length,
    unsubscribed: cameraIds.filter((id) => !subscribed.includes(id)), lines };
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Whatever hangs in the orderly stop, the exit handler still kills the socats.
  setTimeout(() => process.exit(1), 5000).unref();
  scenario.stop();
  await estate.stop().catch(() => undefined);
  process.exit(0);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg, msText] = line.trim().split(/\s+/);
  const ms = Number(msText ?? 0);
  if (cmd === 'scenario') scenario.start();
  else if (cmd === 'reboot' && arg) {
    fault(`camera ${arg}`, async () => { await estate.rebootCamera(arg, ms); counts.reboots += 1; return `rebooted ${arg} ${ms}`; });
  } else if (cmd === 'unplug' && arg) {
    const index = Number(arg);
    fault(`line ${index}`, async () => {
      await estate.unplugLine(index);
      await new Promise((r) => setTimeout(r, ms));
      await estate.replugLine(index);
      requestsAtReplug.set(index, requestsOf(index));
      counts.unplugs += 1;
      return `replugged ${index} ${ms}`;
    });
  } else if (cmd === 'stats') out(`stats ${JSON.stringify(stats())}`);
  else if (cmd === 'stop') void stop();
});
process.stdin.on('end', () => void stop());
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void stop());
