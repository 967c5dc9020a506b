/** A fake NOTIFY_SOCKET: python3 binds a Unix datagram socket (Node cannot) and prints each datagram. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const RECEIVER = [
  'import json, socket, sys, time',
  's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
  'p = sys.argv[1]',
  "s.bind('\\0' + p[1:] if p.startswith('@') else p)",
  "print('ready', flush=True)",
  'while True:',
  '    d = s.recv(4096)',
  "    print(json.dumps({'t': time.monotonic(), 'm': d.decode()}), flush=True)",
].join('\n');

export interface Datagram { t: number; m: string }

export class NotifyReceiver {
  readonly received: Datagram[] = [];
  private readonly waiters: Array<() => void> = [];

  private constructor(private readonly child: ChildProcess) {}

  static async start(path: string): Promise<NotifyReceiver> {
    const child = spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const r = new NotifyReceiver(child);
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      lines.on('line', (line) => {
        if (line === 'ready') return resolve();
        r.received.push(JSON.parse(line) as Datagram);
        for (const w of r.waiters.splice(0)) w();
      });
    });
    return r;
  }

  /** Resolves once a datagram satisfying `pred` has arrived (the test's own timeout bounds it). */
  async waitFor(pred: (d: Datagram) => boolean): Promise<Datagram> {
    for (;;) {
      const hit = this.received.find(pred);
      if (hit) return hit;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  stop(): void {
    this.child.kill();
  }
}
