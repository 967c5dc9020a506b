/**
 * `qinhe incidents [--open] [-n N]` and `qinhe incident ID` (timeline, actions, evidence files).
 */
import type { Command } from 'commander';
import { ago, bytes, clockTime, printJson, table } from '../../api/text.js';
import type { IncidentDetail, IncidentView } from '../../api/types.js';
import { ApiClient, apiOptions, type SocketOptions } from '../client.js';
import { paint } from '../report.js';

type Opts = SocketOptions & { json?: boolean };

export function register(program: Command): void {
  apiOptions(program.command('incidents').description('Incidents, newest first'))
    .option('--open', 'only open incidents')
    .option('-n, --limit <n>', 'at most this many', (v) => Number.parseInt(v, 10))
    .action(async (opts: Opts & { open?: boolean; limit?: number }) => {
      const list = await ApiClient.from(opts).get<IncidentView[]>('/v1/incidents', { open: opts.open, limit: opts.limit });
      if (opts.json) return printJson(list);
      process.stdout.write(formatIncidents(list));
    });
  apiOptions(program.command('incident').description('One incident: timeline, actions, evidence files'))
    .argument('<id>', 'incident id')
    .action(async (id: string, opts: Opts) => {
      const inc = await ApiClient.from(opts).get<IncidentDetail>(`/v1/incidents/${encodeURIComponent(id)}`);
      if (opts.json) return printJson(inc);
      process.stdout.write(formatIncident(inc));
    });
}

function severityText(s: string): string {
  const c = paint();
  return s === 'critical' ? c.red(s) : s === 'major' ? c.yellow(s) : s;
}

export function formatIncidents(list: IncidentView[], now = Date.now()): string {
  if (list.length === 0) return 'no incidents\n';
  const t = table(['id', 'detected', 'severity', 'kind', 'device', 'zone', 'status', 'summary']);
  for (const i of list) {
    t.push([i.id, ago(i.detectedAt, now), severityText(i.severity), i.kind, i.device.id, i.device.zone,
      `${i.status}${i.test ? ' (test)' : ''}`, i.count > 1 ? `${i.summary} (×${i.count})` : i.summary]);
  }
  return `${t.toString()}\n`;
}

export function formatIncident(i: IncidentDetail): string {
  const lines = [
    `${i.id}  ${severityText(i.severity)} ${i.kind}  ${i.status}${i.test ? '  [TEST: not dispatched]' : ''}`,
    `device  ${i.device.id} (${i.device.type}) zone ${i.device.zone}${i.device.location ? `, ${i.device.location}` : ''}`,
    `summary ${i.summary}${i.count > 1 ? ` (×${i.count})` : ''}`,
    'timeline:',
  ];
  const tl: Array<[string, string | null | undefined]> = [
    ['detected', i.timeline.detectedAt], ['alarmed', i.timeline.alarmedAt], ['forwarded', i.timeline.forwardedAt],
    ['acknowledged', i.timeline.ackedAt], ['on site', i.timeline.onsiteAt], ['resolved', i.timeline.resolvedAt],
  ];
  const detected = i.timeline.detectedAt ? Date.parse(i.timeline.detectedAt) : NaN;
  for (const [name, at] of tl) {
    const rel = at && !Number.isNaN(detected) ? `  (+${((Date.parse(at) - detected) / 1000).toFixed(1)} s)` : '';
    lines.push(`  ${name.padEnd(13)}${at ? `${clockTime(at)}${rel}` : '—'}`);
  }
  let out = `${lines.join('\n')}\n`;
  if (i.actions.length > 0) {
    const t = table(['at', 'action', 'device', 'pattern']);
    for (const a of i.actions) t.push([clockTime(a.at), a.type, a.deviceId, a.pattern ?? '']);
    out += `actions:\n${t.toString()}\n`;
  } else out += 'actions: none\n';
  if (i.evidence.length > 0) {
    const t = table(['evidence', 'type', 'camera', 'size', 'file']);
    for (const e of i.evidence) t.push([e.id, e.type, e.deviceId, bytes(e.bytes), e.file ?? '(pruned)']);
    out += `evidence:\n${t.toString()}\n`;
  } else out += 'evidence: none\n';
  return out;
}
