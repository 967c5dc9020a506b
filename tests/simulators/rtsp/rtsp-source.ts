/**
 * Starts the GStreamer RTSP test source (rtsp-server.py) with Debian's python3 (a pyenv python3 may come
 * first on PATH and lack the GObject bindings). `rtspAvailable()` says why it cannot run, for a clear skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
// Compiled into dist/ for the demo; the script itself stays in the source tree.
const SCRIPT = fileURLToPath(new URL('./rtsp-server.py', import.meta.url)).replace(/\/dist\/tests\//, '/tests/');

/** undefined when usable, else the reason. */
export function rtspUnavailableReason(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import gi; gi.require_version("GstRtspServer", "1.0"); from gi.repository import GstRtspServer'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} not found`;
  if (r.status !== 0) return 'GStreamer RTSP server bindings missing (apt-get install gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-ugly)';
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export class RtspSource {
  private child: ChildProcess | undefined;
  port = 0;

  constructor(private readonly username: string, private readonly password: string) {}

  get url(): string {
    return `rtsp://127.0.0.1:${this.port}/stream`;
  }

  async start(port?: number): Promise<void> {
    this.port = port ?? await freePort();
    const child = spawn(PYTHON, [SCRIPT, String(this.port), this.username, this.password], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`RTSP source did not start: ${out}`)), 15_000);
      child.stdout?.on('data', (c: Buffer) => { out += c.toString(); if (out.includes('READY')) { clearTimeout(timer); resolve(); } });
      child.stderr?.on('data', (c: Buffer) => { out += c.toString(); });
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`RTSP source exited ${code}: ${out}`)); });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
