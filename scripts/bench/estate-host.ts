/**
 * The simulated estate in its own process, so the box's footprint and latency are measured without the
 * simulators on its event loop. Started by the bench with: estate-host.(ts|js) INVENTORY DIR USER PASS
 * It prints one line `READY {"addresses":{id: address}}` once every camera and line is up, then serves until
 * SIGTERM/SIGINT (or until its parent goes away).
 */
import { loadProfiles } from '../../config/profiles.js';
import { readInventory } from '../../runtime/demo/inventory.js';
import { SimulatedEstate } from '../../tests/simulators/estate/estate.js';

const [inventory, dir, username, password] = process.argv.slice(2);
if (!inventory || !dir || !username || !password) {
  process.stderr.write('usage: estate-host INVENTORY DIR USER PASS\n');
  process.exit(2);
}
const devices = readInventory(inventory).map((r) => r.device);
const estate = new SimulatedEstate({ devices, profiles: loadProfiles().profiles, dir, credentials: { username, password }, transport: 'pty' });
await estate.start();
const addresses = Object.fromEntries(devices.map((d) => [d.id, estate.addressOf(d.id)]));
process.stdout.write(`READY ${JSON.stringify({ addresses })}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void estate.stop().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
setInterval(() => { if (process.ppid === 1) stop(); }, 1000);
