/**
 * HTTP routes of the local API → BoxApi calls. Versioned under /v1 so a newer CLI can tell an older daemon.
 *
 *   GET  /v1/status                       GET  /v1/store
 *   GET  /v1/devices?unhealthy&type&zone  GET  /v1/devices/:id
 *   POST /v1/devices/:id/read             GET  /v1/devices/:id/next-event?timeoutMs=N
 *   GET  /v1/incidents?open&limit         GET  /v1/incidents/:id
 *   POST /v1/test/siren {target,seconds,pattern?}    POST /v1/test/snapshot {deviceId,inline?}
 *   POST /v1/test/drill {deviceId?}                  POST /v1/test-mode {deviceIds,on,ttlS?}
 */
import { QinheError } from '../core/errors.js';
import type { BoxApi } from './types.js';

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

type Handler = (api: BoxApi, req: ApiRequest, params: string[]) => Promise<unknown>;

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: Handler;
}

const SEG = '([^/]+)';
const route = (method: Route['method'], path: string, handler: Handler): Route =>
  ({ method, pattern: new RegExp(`^${path.replaceAll(':id', SEG)}$`), handler });

const flag = (q: URLSearchParams, name: string): boolean | undefined => {
  const v = q.get(name);
  if (v === null) return undefined;
  return v === '' || v === '1' || v === 'true';
};

function str(body: Record<string, unknown>, key: string, required: true): string;
function str(body: Record<string, unknown>, key: string, required: false): string | undefined;
function str(body: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = body[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw new QinheError('QH_USAGE', `${key} must be a non-empty string`);
  return v;
}

function int(value: unknown, key: string, min: number, max: number): number {
  const n = typeof value === 'string' && value !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new QinheError('QH_USAGE', `${key} must be an integer from ${min} to ${max}`);
  }
  return n;
}

function found<T>(value: T | undefined, code: 'QH_INCIDENT_DEVICE' | 'QH_INCIDENT_UNKNOWN', id: string): T {
  if (value === undefined) throw new QinheError(code, code === 'QH_INCIDENT_DEVICE' ? `no device ${id}` : `no incident ${id}`);
  return value;
}

const p = (params: string[], i: number): string => decodeURIComponent(params[i] ?? '');

export const ROUTES: Route[] = [
  route('GET', '/v1/status', async (api) => api.status()),
  route('GET', '/v1/store', async (api) => api.store()),
  route('GET', '/v1/devices', async (api, { query }) => {
    const unhealthy = flag(query, 'unhealthy');
    const type = query.get('type') ?? undefined;
    const zone = query.get('zone') ?? undefined;
    return api.devices({ ...(unhealthy !== undefined ? { unhealthy } : {}), ...(type ? { type } : {}), ...(zone ? { zone } : {}) });
  }),
  route('GET', '/v1/devices/:id', async (api, _r, ps) => found(await api.device(p(ps, 0)), 'QH_INCIDENT_DEVICE', p(ps, 0))),
  route('POST', '/v1/devices/:id/read', async (api, _r, ps) => api.readNow(p(ps, 0))),
  route('GET', '/v1/devices/:id/next-event', async (api, { query }, ps) =>
    api.waitForEvent(p(ps, 0), int(query.get('timeoutMs') ?? '30000', 'timeoutMs', 1, 120_000))),
  route('GET', '/v1/incidents', async (api, { query }) => {
    const open = flag(query, 'open');
    const limit = query.get('limit');
    return api.incidents({ ...(open !== undefined ? { open } : {}), ...(limit !== null ? { limit: int(limit, 'limit', 1, 10_000) } : {}) });
  }),
  route('GET', '/v1/incidents/:id', async (api, _r, ps) => found(await api.incident(p(ps, 0)), 'QH_INCIDENT_UNKNOWN', p(ps, 0))),
  route('POST', '/v1/test/siren', async (api, { body }) =>
    api.testSiren(str(body, 'target', true), int(body.seconds, 'seconds', 1, 300), str(body, 'pattern', false))),
  route('POST', '/v1/test/snapshot', async (api, { body }) =>
    api.testSnapshot(str(body, 'deviceId', true), { inline: body.inline === true })),
  route('POST', '/v1/test/drill', async (api, { body }) => api.drill(str(body, 'deviceId', false))),
  route('POST', '/v1/test-mode', async (api, { body }) => {
    const ids = body.deviceIds;
    if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) throw new QinheError('QH_USAGE', 'deviceIds must be an array of strings');
    if (typeof body.on !== 'boolean') throw new QinheError('QH_USAGE', 'on must be true or false');
    const ttl = body.ttlS === undefined ? undefined : int(body.ttlS, 'ttlS', 1, 86_400);
    return api.setTestMode(ids as string[], body.on, ttl);
  }),
];

export type Dispatch = { kind: 'ok'; value: unknown } | { kind: 'no-route' } | { kind: 'bad-method' };

/** Finds the route and runs it; throws what the BoxApi method throws. */
export async function dispatch(api: BoxApi, req: ApiRequest): Promise<Dispatch> {
  let pathMatched = false;
  for (const r of ROUTES) {
    const m = r.pattern.exec(req.path);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== req.method) continue;
    return { kind: 'ok', value: await r.handler(api, req, m.slice(1)) };
  }
  return pathMatched ? { kind: 'bad-method' } : { kind: 'no-route' };
}

/** HTTP status for an error code (see types.ts). */
export function statusFor(code: string | undefined): number {
  switch (code) {
    case 'QH_INCIDENT_UNKNOWN':
    case 'QH_INCIDENT_DEVICE':
    case 'QH_MODBUS_UNKNOWN_DEVICE':
      return 404;
    case 'QH_USAGE':
    case 'QH_OUTPUT_INVALID':
      return 400;
    case 'QH_TIMEOUT':
      return 504;
    default:
      return 500;
  }
}
