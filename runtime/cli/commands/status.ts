/**
 * `qinhe status` (the box at a glance: uplink, store, devices by state, open incidents, clock) and
 * `qinhe store` (outbox per lane). Both read the running daemon through the local API.
 */
import type { Command } from 'commander';
import { ago, bytes, duration, printJson, table } from '../../api/text.js';
import type { StatusView, StoreView } from '../../api/types.js';
import { LANES } from '../../core/ports.js';
import { ApiClient, apiOptions, type SocketOptions } from '../client.js';
import { paint } from '../report.js';

type Opts = SocketOptions & { json?: boolean };

export function register(program: Command): void {
  apiOptions(program.command('status').description('The box at a glance: uplink, store, devices, incidents, clock'))
    .action(async (opts: Opts) => {
      const s = await ApiClient.from(opts).get<StatusView>('/v1/status');
      if (opts.json) return printJson(s);
      process.stdout.write(formatStatus(s));
    });
  apiOptions(program.command('store').description('The outbox: pending messages per lane, oldest, bytes, evictions'))
    .action(async (opts: Opts) => {
      const s = await ApiClient.from(opts).get<StoreView>('/v1/store');
      if (opts.json) return printJson(s);
      process.stdout.write(formatStore(s));
    });
}

export function formatStatus(s: StatusView, now = Date.now()): string {
  const c = paint();
  const ok = (good: boolean) => (good ? c.green('✔') : c.red('✖'));
  const d = s.devices;
  const lines = [
    `qinhe ${s.version}  estate ${s.estate}  box ${s.box}  up ${duration(s.uptimeS * 1000)}`,
    `${ok(s.uplink.connected)} uplink   ${s.uplink.connected ? 'connected' : 'DISCONNECTED'} to ${s.uplink.broker}` +
      `${s.uplink.since ? ` since ${ago(s.uplink.since, now)}` : ''}${s.uplink.lastError ? ` — ${s.uplink.lastError}` : ''}`,
    `${ok(s.store.pending === 0 || s.uplink.connected)} store    ${s.store.pending} pending (${bytes(s.store.bytes)})` +
      `${s.store.oldestPendingAt ? `, oldest ${ago(s.store.oldestPendingAt, now)}` : ''}`,
    `${ok(d.offline === 0 && d.degraded === 0)} devices  ${d.total} total: ${d.online} online, ` +
      `${d.offline > 0 ? c.red(`${d.offline} offline`) : '0 offline'}, ${d.degraded > 0 ? c.yellow(`${d.degraded} degraded`) : '0 degraded'}, ${d.unknown} unknown`,
    `${ok(s.incidents.open === 0)} incidents ${s.incidents.open} open${s.incidents.openTest ? ` (${s.incidents.openTest} tests)` : ''}`,
    `${s.clock.synced ? c.green('✔') : c.yellow('⚠')} clock    ${s.clock.synced ? 'synced' : 'NOT synced (times are marked clockSynced=false)'}, now ${s.clock.now}`,
  ];
  if (s.testMode.length > 0) lines.push(`${c.yellow('⚠')} test mode on for ${s.testMode.length} devices: ${s.testMode.slice(0, 8).join(', ')}${s.testMode.length > 8 ? ', …' : ''}`);
  if (d.offline + d.degraded > 0) lines.push('  → qinhe devices --unhealthy');
  if (s.incidents.open > 0) lines.push('  → qinhe incidents --open');
  return `${lines.join('\n')}\n`;
}

export function formatStore(s: StoreView, now = Date.now()): string {
  const t = table(['lane', 'pending', 'bytes', 'oldest', 'evicted']);
  for (const lane of LANES) {
    const l = s.byLane[lane];
    t.push([lane, l?.pending ?? 0, bytes(l?.bytes ?? 0), l?.oldestAt ? ago(l.oldestAt, now) : '—', s.evictions[lane] ?? 0]);
  }
  const used = s.quotaBytes > 0 ? ` of ${bytes(s.quotaBytes)} (${((100 * s.bytes) / s.quotaBytes).toFixed(1)}%)` : '';
  return `${t.toString()}\n${s.pending} pending, ${bytes(s.bytes)}${used}${s.oldestPendingAt ? `, oldest ${ago(s.oldestPendingAt, now)}` : ''}\n`;
}
