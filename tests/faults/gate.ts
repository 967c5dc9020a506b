/**
 * A counting TCP gate in its own process (so the fleet's event loop cannot skew the timestamps): forwards
 * 127.0.0.1:PORT to 127.0.0.1:UPSTREAM and records the time of every accepted connection.
 * stdin: open | close (cut every connection and reset new ones: the broker is "down") | dump
 * The port stays bound while "down" (connections are accepted and reset at once), so no other process of the
 * suite can be handed the same port by freePort() meanwhile and receive this box's reconnections.
 * stdout: opened | closed | accepts <json array of ms timestamps>
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

const port = Number(process.env.PORT);
const upstream = Number(process.env.UPSTREAM);
const accepts: number[] = [];
const sockets = new Set<Socket>();
let server: Server | null = null;
let down = false;

function open(): void {
  down = false;
  if (server) { process.stdout.write('opened\n'); return; }
  const s = createServer((c) => {
    accepts.push(Date.now());
    if (down) { c.on('error', () => undefined); c.resetAndDestroy(); return; }
    const up = connect(upstream, '127.0.0.1');
    sockets.add(c);
    sockets.add(up);
    c.pipe(up).pipe(c);
    const end = () => { c.destroy(); up.destroy(); sockets.delete(c); sockets.delete(up); };
    c.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  s.listen(port, '127.0.0.1', () => process.stdout.write('opened\n'));
  server = s;
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = line.trim();
  if (cmd === 'open') open();
  else if (cmd === 'close') {
    down = true;
    for (const c of sockets) c.resetAndDestroy();
    sockets.clear();
    process.stdout.write('closed\n');
  } else if (cmd === 'dump') process.stdout.write(`accepts ${JSON.stringify(accepts)}\n`);
});
process.stdin.on('end', () => process.exit(0));
