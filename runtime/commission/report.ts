/**
 * The commissioning report the installer hands over: one self-contained HTML file (snapshots embedded as
 * data: URIs, no external resources) listing every device, what was done and what came back.
 */
import type { StatusView } from '../api/types.js';
import { summary } from './checklist.js';
import type { StepResult } from './walk.js';

export interface ReportMeta {
  status: StatusView;
  installer: string;
  startedAt: string;
  finishedAt: string;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

const MIME_OK = /^image\/(jpeg|png)$/;

function row(r: StepResult): string {
  const d = r.step.device;
  const parts: string[] = [esc(r.detail)];
  if (r.values) {
    const items = Object.entries(r.values).map(([k, v]) => `<li>${esc(k)}: ${esc(String(v))}${r.units?.[k] ? ` ${esc(r.units[k] ?? '')}` : ''}</li>`);
    if (items.length) parts.push(`<ul>${items.join('')}</ul>`);
  }
  if (r.snapshot && MIME_OK.test(r.snapshot.mime) && /^[A-Za-z0-9+/=]+$/.test(r.snapshot.dataBase64)) {
    parts.push(`<img alt="snapshot ${esc(d.id)}" src="data:${r.snapshot.mime};base64,${r.snapshot.dataBase64}"><div class="sha">sha256 ${esc(r.snapshot.sha256)}</div>`);
  }
  return `<tr class="${r.status}"><td>${esc(d.zone)}</td><td>${esc(d.id)}</td><td>${esc(d.type)}</td><td>${esc(d.location ?? '')}</td>` +
    `<td>${esc(r.step.kind)}</td><td class="st">${esc(r.status)}</td><td>${parts.join('')}</td><td>${esc(r.at ?? '')}</td></tr>`;
}

export function renderReport(results: StepResult[], meta: ReportMeta): string {
  const s = meta.status;
  const failed = results.filter((r) => r.status === 'fail').length;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>Qinhe commissioning report: ${esc(s.estate)} / ${esc(s.box)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}th{background:#eee}
tr.pass .st{color:#060}tr.fail .st{color:#b00;font-weight:bold}tr.skipped .st,tr.unconfirmed .st{color:#a60}
img{max-width:320px;display:block}.sha{font-size:75%;color:#666}.verdict{font-size:120%;font-weight:bold}
</style></head><body>
<h1>Commissioning report</h1>
<table>
<tr><th>estate</th><td>${esc(s.estate)}</td><th>box</th><td>${esc(s.box)}</td></tr>
<tr><th>software</th><td>qinhe ${esc(s.version)}</td><th>installer</th><td>${esc(meta.installer)}</td></tr>
<tr><th>started</th><td>${esc(meta.startedAt)}</td><th>finished</th><td>${esc(meta.finishedAt)}</td></tr>
<tr><th>uplink</th><td>${s.uplink.connected ? 'connected' : 'NOT connected'} (${esc(s.uplink.broker)})</td><th>clock</th><td>${s.clock.synced ? 'synchronized' : 'NOT synchronized'}</td></tr>
<tr><th>devices</th><td colspan="3">${s.devices.total} total, ${s.devices.online} online, ${s.devices.offline} offline, ${s.devices.degraded} degraded</td></tr>
</table>
<p class="verdict">${failed === 0 ? 'All devices tested' : `${failed} device${failed === 1 ? '' : 's'} FAILED`}: ${esc(summary(results))}.</p>
<p>Events during this walk test were sent to the command center marked <code>test: true</code>; they were not dispatched.</p>
<table><tr><th>zone</th><th>device</th><th>type</th><th>location</th><th>test</th><th>result</th><th>details</th><th>at</th></tr>
${results.map(row).join('\n')}
</table>
</body></html>
`;
}
