/**
 * Child process of serial-link.test.ts (run with --expose-gc): opens a SerialLink on a socat PTY pair, moves
 * bytes both ways, ends the link, and does that `cycles` times; then collects garbage and prints one JSON line
 * saying how many of the ended links are still alive. A crash (the process dying on a signal) is the test's
 * finding too, which is why this runs in its own process.
 *
 *   node --expose-gc --import tsx link-lifecycle-child.ts <dir> <unplug|close-in-data> <cycles>
 * unplug         socat is killed (the adapter unplugged); the link reports `lost`
 * close-in-data  the link is closed from inside its own `data` listener, then socat is stopped
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SerialLink } from '../../../drivers/transport/serial.js';
import { PtyPair } from '../../simulators/modbus/pty-pair.js';

const [dir = '', mode = 'unplug', cyclesArg = '10'] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pair = new PtyPair(join(dir, 'a'), join(dir, 'b'));
const ended: WeakRef<SerialLink>[] = [];
let received = 0;
let lost = 0;
try {
  for (let i = 0; i < Number(cyclesArg); i++) {
    await pair.start();
    const link = new SerialLink({ path: pair.a, baud: 9600, parity: 'none', stopBits: 1, dataBits: 8 });
    let gotData!: () => void;
    const seen = new Promise<void>((r) => { gotData = r; });
    link.on('data', (chunk) => {
      received += chunk.length;
      if (mode === 'close-in-data') void link.close();
      gotData();
    });
    const gone = new Promise<void>((r) => link.on('lost', () => { lost += 1; r(); }));
    await link.open();
    const peer = openSync(pair.b, 'r+');
    writeSync(peer, Buffer.from('reply'));
    await seen;
    if (mode !== 'close-in-data') await link.write(Buffer.from([1, 3, 0, 0, 0, 1]));
    closeSync(peer);
    if (mode === 'unplug') {
      await pair.stop();
      await gone;
    } else {
      await sleep(20);
      await pair.stop();
    }
    ended.push(new WeakRef(link));
  }
} finally {
  await pair.stop();
}
await sleep(100);
for (let i = 0; i < 4; i++) { gc(); await sleep(20); }
console.log(JSON.stringify({ cycles: ended.length, alive: ended.filter((r) => r.deref() !== undefined).length, received, lost }));
