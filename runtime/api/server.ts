/**
 * The local API server: HTTP/1.1 with JSON bodies over a Unix socket, for the `qinhe` CLI on the box.
 * Access is by file permissions, not passwords: the socket is 0660 and lives in a directory of mode 0750,
 * both of group `qinhe` when that group exists (systemd's RuntimeDirectory=qinhe does the same for /run/qinhe),
 * so a technician in group `qinhe` (or root) can use it and nobody else can even see it.
 */
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { createConnection, type Server } from 'node:net';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { Service } from '../app/box.js';
import { errorMessage, isQinheError, QinheError } from '../core/errors.js';
import { dispatch, statusFor } from './routes.js';
import type { BoxApi } from './types.js';

export const API_GROUP = 'qinhe';
const MAX_BODY = 64 * 1024;

export interface ApiServiceOptions {
  socketPath: string;
  api: BoxApi;
  logger: Logger;
  /** gid of a group name, undefined when it does not exist (default: reads /etc/group). */
  lookupGroup?: (name: string) => number | undefined;
}

/** The gid of `name` from /etc/group, or undefined. */
export function groupIdFromEtc(name: string, file = '/etc/group'): number | undefined {
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [n, , gid] = line.split(':');
      if (n === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
    }
  } catch {
    // no /etc/group: no group
  }
  return undefined;
}

export function createApiService(opts: ApiServiceOptions): Service {
  const log = opts.logger.child({ component: 'api' });
  let server: Server | undefined;
  return {
    name: 'api',
    start: async () => {
      if (server) return;
      const gid = (opts.lookupGroup ?? groupIdFromEtc)(API_GROUP);
      prepareDirectory(dirname(opts.socketPath), gid, log);
      await removeStaleSocket(opts.socketPath);
      const s = createServer((req, res) => void handle(opts.api, req, res, log));
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(opts.socketPath, () => {
          s.off('error', reject);
          resolve();
        });
      });
      s.on('error', (err) => log.error({ err }, 'api server error'));
      chmodSync(opts.socketPath, 0o660);
      if (gid !== undefined) tryChown(opts.socketPath, gid, log);
      server = s;
      log.info({ socket: opts.socketPath, group: gid === undefined ? null : API_GROUP }, 'local API listening');
    },
    stop: async () => {
      const s = server;
      server = undefined;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      try {
        unlinkSync(opts.socketPath);
      } catch {
        // already gone
      }
    },
  };
}

/**
 * A directory we create gets 0750 (and group qinhe). One that already exists is left alone: it may be
 * systemd's RuntimeDirectory (already 0750) or a shared one like /tmp that must never be changed.
 */
function prepareDirectory(dir: string, gid: number | undefined, log: Logger): void {
  const created = mkdirSync(dir, { recursive: true, mode: 0o750 });
  if (created === undefined) {
    const mode = statSync(dir).mode & 0o777;
    if ((mode & 0o007) !== 0) log.warn({ dir, mode: `0${mode.toString(8)}` }, 'the API socket directory is open to everyone; the socket itself is 0660');
    return;
  }
  try {
    chmodSync(dir, 0o750); // the umask may have taken bits off
  } catch (err) {
    log.warn({ dir, err: errorMessage(err) }, 'cannot set the API directory mode');
  }
  if (gid !== undefined) tryChown(dir, gid, log);
}

/** chown is only attempted when needed: under systemd the group is already right, and @chown is filtered. */
function tryChown(path: string, gid: number, log: Logger): void {
  try {
    if (statSync(path).gid === gid) return;
    chownSync(path, -1, gid);
  } catch (err) {
    log.warn({ path, gid, err: errorMessage(err) }, `cannot give ${path} to group ${API_GROUP}`);
  }
}

/** A socket file left by a crash is removed; one that still answers means another daemon runs. */
async function removeStaleSocket(path: string): Promise<void> {
  let isSocket = false;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw new QinheError('QH_CONFIG_IO', `${path} exists and is not a socket; refusing to replace it`);
  const alive = await new Promise<boolean>((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
  if (alive) throw new QinheError('QH_CONFIG_IO', `another qinhe daemon already answers on ${path}`);
  unlinkSync(path);
}

async function handle(api: BoxApi, req: IncomingMessage, res: ServerResponse, log: Logger): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://qinhe');
  try {
    const body = req.method === 'POST' ? await readJson(req) : {};
    const out = await dispatch(api, { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body });
    if (out.kind === 'no-route') return send(res, 404, { error: { code: 'QH_USAGE', message: `no such API path ${url.pathname}` } });
    if (out.kind === 'bad-method') return send(res, 405, { error: { code: 'QH_USAGE', message: `${req.method} not allowed on ${url.pathname}` } });
    send(res, 200, out.value ?? null);
  } catch (err) {
    const code = isQinheError(err) ? err.code : undefined;
    const status = statusFor(code);
    if (status >= 500) log.error({ err, path: url.pathname }, 'api request failed');
    send(res, status, { error: { code: code ?? 'QH_INTERNAL', message: errorMessage(err) } });
  }
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new QinheError('QH_USAGE', `request body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new QinheError('QH_USAGE', 'request body is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new QinheError('QH_USAGE', 'request body must be a JSON object');
  return parsed as Record<string, unknown>;
}
