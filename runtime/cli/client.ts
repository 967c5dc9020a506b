/**
 * The CLI side of the local API: finds the daemon's socket (--socket, $QINHE_SOCKET, the config's
 * api.socket, else /run/qinhe/api.sock) and calls it. When the daemon cannot be reached it says why and what
 * to do, with code QH_API_UNREACHABLE (exit 1).
 */
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ERROR_CATALOGUE, QinheError, type ErrorCode } from '../core/errors.js';
import { DEFAULT_CONFIG, DEFAULT_SOCKET } from '../api/socket-path.js';

export interface SocketOptions {
  socket?: string;
  config?: string;
}

export interface ResolvedSocket {
  path: string;
  /** Where the path came from, for the unreachable message. */
  from: '--socket' | 'QINHE_SOCKET' | 'config' | 'default';
}

/** Adds --socket, --config and --json to a command that talks to the daemon. */
export function apiOptions(cmd: Command): Command {
  return cmd
    .option('--socket <path>', `daemon API socket (default: $QINHE_SOCKET, the config's api.socket, ${DEFAULT_SOCKET})`)
    .option('-c, --config <file>', `box configuration, to find api.socket (default: ${DEFAULT_CONFIG} when present)`)
    .option('--json', 'machine-readable output');
}

export function resolveSocket(opts: SocketOptions, env: NodeJS.ProcessEnv = process.env): ResolvedSocket {
  if (opts.socket) return { path: opts.socket, from: '--socket' };
  if (env.QINHE_SOCKET) return { path: env.QINHE_SOCKET, from: 'QINHE_SOCKET' };
  const file = opts.config ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  if (file) {
    const socket = socketFromConfig(file);
    if (socket) return { path: socket, from: 'config' };
  }
  return { path: DEFAULT_SOCKET, from: 'default' };
}

/** Reads only api.socket: the CLI must work for a technician who cannot read the secrets. */
function socketFromConfig(file: string): string | undefined {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new QinheError('QH_CONFIG_IO', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const socket = (doc as { api?: { socket?: unknown } } | null)?.api?.socket;
  return typeof socket === 'string' && socket.length > 0 ? socket : undefined;
}

export class ApiClient {
  constructor(readonly socket: ResolvedSocket, private readonly timeoutMs = 150_000) {}

  static from(opts: SocketOptions): ApiClient {
    return new ApiClient(resolveSocket(opts));
  }

  get<T>(path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== false) qs.set(k, String(v));
    const s = qs.toString();
    return this.call<T>('GET', s ? `${path}?${s}` : path);
  }

  post<T>(path: string, body: Record<string, unknown>): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  private call<T>(method: string, path: string, body?: Record<string, unknown>): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request({
        socketPath: this.socket.path, method, path, timeout: this.timeoutMs,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch {
            return reject(new QinheError('QH_API_UNREACHABLE', `the daemon answered ${res.statusCode} with something that is not JSON on ${this.socket.path}`));
          }
          if ((res.statusCode ?? 500) >= 400) return reject(apiError(value, res.statusCode ?? 500));
          resolve(value as T);
        });
      });
      req.on('timeout', () => req.destroy(new QinheError('QH_TIMEOUT', `the daemon did not answer ${method} ${path} within ${this.timeoutMs / 1000} s`)));
      req.on('error', (err) => reject(err instanceof QinheError ? err : unreachable(this.socket, err as NodeJS.ErrnoException)));
      req.end(payload);
    });
  }
}

function apiError(value: unknown, status: number): QinheError {
  const e = (value as { error?: { code?: string; message?: string } } | null)?.error;
  const code = (e?.code && e.code in ERROR_CATALOGUE ? e.code : 'QH_CMD_REJECTED') as ErrorCode;
  return new QinheError(code, e?.message ?? `the daemon answered HTTP ${status}`, { details: { status } });
}

/** The message a technician sees when the daemon is not there: what, where, and how to fix it. */
export function unreachable(socket: ResolvedSocket, err: NodeJS.ErrnoException): QinheError {
  const where = `${socket.path} (from ${socket.from})`;
  const hint = (() => {
    switch (err.code) {
      case 'ENOENT':
      case 'ECONNREFUSED':
        return 'the qinhe daemon is not running. Start it with: sudo systemctl start qinhe ' +
          '(see why it stopped: sudo journalctl -u qinhe -n 50, or qinhe logs -n 50); ' +
          'for a daemon started by hand, pass --socket PATH or set QINHE_SOCKET';
      case 'EACCES':
      case 'EPERM':
        return 'permission denied: the socket is for group qinhe. Run with sudo, or: sudo usermod -aG qinhe $USER (then log in again)';
      case 'ENOTSOCK':
        return 'that path is not a socket; check --socket / QINHE_SOCKET / api.socket';
      default:
        return `connection failed (${err.code ?? err.message})`;
    }
  })();
  return new QinheError('QH_API_UNREACHABLE', `cannot reach the qinhe daemon at ${where}: ${hint}`, { cause: err });
}
