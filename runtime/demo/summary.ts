/**
 * The demo's live summary: `renderSummary` turns a snapshot into lines (pure, tested); `SummaryDisplay`
 * redraws them in place on a TTY once a second, or, on a pipe, prints a status line every 10 s and every
 * new event as its own line.
 */
import { KINDS } from '../../config/schema.js';

export interface SummarySnapshot {
  estate: string;
  box: string;
  uptimeS: number;
  broker: string;
  uplink: 'connected' | 'down' | 'unknown';
  devices: { total: number; online: number; offline: number; degraded: number; unknown: number };
  /** Incidents raised, by kind, as the box committed them (bus `incident`). */
  boxRaised: Record<string, number>;
  /** Incidents raised, by kind, as the center received them. */
  centerRaised: Record<string, number>;
  seq: { received: number; first?: number; last?: number; gaps: number; duplicates: number };
  outboxPending: number | null;
  events: string[];
  apiSocket: string;
  privateKeyFile?: string;
  configFile: string;
  logFile: string;
  transport: string;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export function renderSummary(s: SummarySnapshot, width = 100): string[] {
  const mm = Math.floor(s.uptimeS / 60);
  const ss = String(Math.floor(s.uptimeS % 60)).padStart(2, '0');
  const lines = [
    `Qinhe demo — estate ${s.estate}, box ${s.box} — up ${mm}:${ss}`,
    `uplink   ${s.uplink} (${s.broker})    outbox pending ${s.outboxPending ?? '?'}    serial ${s.transport}`,
    `devices  ${s.devices.online}/${s.devices.total} online, ${s.devices.offline} offline, ${s.devices.degraded} degraded, ${s.devices.unknown} not yet seen`,
    'incidents raised (box → center):',
  ];
  const kinds = KINDS.filter((k) => (s.boxRaised[k] ?? 0) > 0 || (s.centerRaised[k] ?? 0) > 0);
  for (let i = 0; i < kinds.length; i += 3) {
    lines.push('  ' + kinds.slice(i, i + 3).map((k) => pad(`${k} ${s.boxRaised[k] ?? 0} → ${s.centerRaised[k] ?? 0}`, 30)).join(''));
  }
  if (kinds.length === 0) lines.push('  (none yet)');
  const seqText = s.seq.received === 0 ? 'none yet'
    : `${s.seq.received} events, seq ${s.seq.first}…${s.seq.last}, ${s.seq.gaps} gaps, ${s.seq.duplicates} duplicates`;
  lines.push(`center   ${seqText}`);
  lines.push('last events:');
  for (const e of s.events.slice(-8)) lines.push(`  ${e.length > width - 2 ? `${e.slice(0, width - 3)}…` : e}`);
  lines.push(`API      ${s.apiSocket}`);
  lines.push(s.privateKeyFile ? `center private key ${s.privateKeyFile} (sign commands with runtime/commands/sign.ts signCommand)`
    : 'center key: the public key you passed (--center-key-file)');
  lines.push(`config   ${s.configFile}    log ${s.logFile}`);
  return lines;
}

export function statusLine(s: SummarySnapshot): string {
  const raised = Object.entries(s.boxRaised).map(([k, n]) => `${k}=${n}`).join(' ');
  return `[${Math.round(s.uptimeS)}s] uplink ${s.uplink}, devices ${s.devices.online}/${s.devices.total} online, ` +
    `outbox ${s.outboxPending ?? '?'}, raised: ${raised || 'none'}, center seq ${s.seq.received} (${s.seq.gaps} gaps)`;
}

export class SummaryDisplay {
  private timer: NodeJS.Timeout | undefined;
  private printed = 0;
  private ticks = 0;

  constructor(
    private readonly mode: 'tty' | 'plain' | 'none',
    private readonly snapshot: () => SummarySnapshot,
    private readonly out: NodeJS.WritableStream = process.stdout,
  ) {}

  start(): void {
    if (this.mode === 'none' || this.timer) return;
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref();
    this.draw();
  }

  /** On a pipe, events are printed as they come (the TTY view shows the last few). */
  event(text: string): void {
    if (this.mode === 'plain') this.out.write(`${new Date().toISOString()} ${text}\n`);
  }

  private draw(): void {
    const s = this.snapshot();
    if (this.mode === 'tty') {
      const width = (this.out as NodeJS.WriteStream).columns || 100;
      const lines = renderSummary(s, width);
      // Up to where the last frame began, then rewrite every line and clear what is left below.
      const up = this.printed > 0 ? `\x1b[${this.printed}A` : '';
      this.out.write(`${up}\r${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n\x1b[J`);
      this.printed = lines.length;
      return;
    }
    if (this.ticks++ % 10 === 0) this.out.write(`${statusLine(s)}\n`);
  }

  stop(final = true): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (final && this.mode !== 'none') {
      const s = this.snapshot();
      this.out.write(this.mode === 'tty' ? '' : `${renderSummary(s).join('\n')}\n`);
    }
  }
}
