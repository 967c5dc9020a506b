/**
 * A counting TCP gate in its own process (so the fleet's event loop cannot skew the timestamps): forwards
 * 127.0.0.1:PORT to 127.0.0.1:UPSTREAM and records the time of every accepted connection.
 * stdin: open | close (stop listening, cut every connection: the broker is "down") | dump
 * stdout: opened | closed | accepts <json array of ms timestamps>
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

const port = Number(process.env.PORT);
const upstream = Number(process.env.UPSTREAM);
const accepts: number[] = [];
const sockets = new Set<Socket>();
let server: Server | null = null;

function open(): void {
  const s = createServer((c) => {
    accepts.push(Date.now());
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
    const s = server;
    server = null;
    for (const c of sockets) c.destroy();
    sockets.clear();
    if (s) s.close(() => process.stdout.write('closed\n'));
    else process.stdout.write('closed\n');
  } else if (cmd === 'dump') process.stdout.write(`accepts ${JSON.stringify(accepts)}\n`);
});
process.stdin.on('end', () => process.exit(0));
