/**
 * `qinhe devices [--unhealthy] [--type T] [--zone Z]` and `qinhe device ID`: what each device is doing,
 * and for one device its latency, error counts, points and last 20 state changes.
 */
import type { Command } from 'commander';
import { ago, clockTime, printJson, table } from '../../api/text.js';
import type { DeviceDetail, DeviceView } from '../../api/types.js';
import { ApiClient, apiOptions, type SocketOptions } from '../client.js';
import { paint } from '../report.js';

type Opts = SocketOptions & { json?: boolean };

export function register(program: Command): void {
  apiOptions(program.command('devices').description('Devices and their state'))
    .option('--unhealthy', 'only devices that are not online')
    .option('--type <type>', 'only this device type (camera, smoke, charging-point, ...)')
    .option('--zone <zone>', 'only this zone')
    .action(async (opts: Opts & { unhealthy?: boolean; type?: string; zone?: string }) => {
      const list = await ApiClient.from(opts).get<DeviceView[]>('/v1/devices', { unhealthy: opts.unhealthy, type: opts.type, zone: opts.zone });
      if (opts.json) return printJson(list);
      process.stdout.write(formatDevices(list));
    });
  apiOptions(program.command('device').description('One device: state, last seen, latency, errors, last 20 state changes'))
    .argument('<id>', 'device id')
    .action(async (id: string, opts: Opts) => {
      const d = await ApiClient.from(opts).get<DeviceDetail>(`/v1/devices/${encodeURIComponent(id)}`);
      if (opts.json) return printJson(d);
      process.stdout.write(formatDevice(d));
    });
}

export function stateText(state: string): string {
  const c = paint();
  if (state === 'online') return c.green(state);
  if (state === 'offline') return c.red(state);
  if (state === 'degraded') return c.yellow(state);
  return c.dim(state);
}

export function formatDevices(list: DeviceView[], now = Date.now()): string {
  if (list.length === 0) return 'no devices match\n';
  const t = table(['id', 'type', 'zone', 'state', 'since', 'last seen', 'last error']);
  for (const d of list) t.push([d.id, d.type, d.zone, stateText(d.state), ago(d.since, now), ago(d.lastSeen, now), d.lastError ?? '']);
  const bad = list.filter((d) => d.state !== 'online').length;
  return `${t.toString()}\n${list.length} devices, ${bad} not online\n`;
}

export function formatDevice(d: DeviceDetail, now = Date.now()): string {
  const errs = Object.entries(d.errorCounts).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const lines = [
    `${d.id}  ${d.type} (${d.profile}, ${d.protocol})  zone ${d.zone}${d.location ? `  ${d.location}` : ''}`,
    `state      ${stateText(d.state)} since ${ago(d.since, now)}${d.testMode ? '  [test mode]' : ''}`,
    `last seen  ${ago(d.lastSeen, now)}`,
    `latency    ${d.latencyMs === null ? 'unknown' : `${d.latencyMs} ms`}`,
    `address    ${d.address}${d.bus ? `  (bus ${d.bus})` : ''}`,
    `errors     ${d.errors} availability errors; ${errs}`,
  ];
  if (d.lastError) lines.push(`last error ${d.lastError}`);
  let out = `${lines.join('\n')}\n`;
  const points = Object.entries(d.points);
  if (points.length > 0) {
    const t = table(['point', 'value', 'at']);
    for (const [name, p] of points) t.push([name, `${String(p.value)}${p.unit ? ` ${p.unit}` : ''}`, ago(p.at, now)]);
    out += `${t.toString()}\n`;
  }
  if (d.changes.length > 0) {
    const t = table(['at', 'state', 'error']);
    for (const ch of d.changes) t.push([clockTime(ch.at), stateText(ch.state), ch.error ?? '']);
    out += `last ${d.changes.length} state changes:\n${t.toString()}\n`;
  } else {
    out += 'no state changes since start\n';
  }
  return out;
}
