/**
 * Turns the daemon's pino JSON lines (raw, or wrapped in `journalctl -o json` records whose MESSAGE is the
 * pino line) into one readable line each: time, level, device/bus/incident, message, error. Lines that are
 * not JSON are shown as they are, never dropped: a crash trace from Node is plain text.
 */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** syslog priorities journald gives lines that were not pino JSON */
const PRIORITIES: Record<string, string> = { 0: 'FATAL', 1: 'FATAL', 2: 'FATAL', 3: 'ERROR', 4: 'WARN', 5: 'INFO', 6: 'INFO', 7: 'DEBUG' };
const CONTEXT_KEYS = ['device', 'bus', 'incident', 'service', 'component'];

export interface LogLine {
  time: string;
  level: string;
  context: string;
  message: string;
  error: string;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function timeOf(value: unknown): string {
  const d = typeof value === 'number' ? new Date(value) : typeof value === 'string' ? new Date(value) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString().replace('T', ' ').replace('Z', '') : '';
}

function errorOf(err: unknown, reason: unknown): string {
  if (typeof reason === 'string') return reason;
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    return [e.code, e.message].filter((x) => typeof x === 'string').join(' ');
  }
  return '';
}

function fromPino(o: Record<string, unknown>, fallbackTime = ''): LogLine {
  const level = typeof o.level === 'number' ? LEVELS[o.level] ?? String(o.level) : typeof o.level === 'string' ? o.level.toUpperCase() : 'INFO';
  const context = CONTEXT_KEYS.filter((k) => typeof o[k] === 'string' || typeof o[k] === 'number').map((k) => `${k}=${String(o[k])}`).join(' ');
  return { time: timeOf(o.time) || fallbackTime, level, context, message: typeof o.msg === 'string' ? o.msg : '', error: errorOf(o.err, o.reason) };
}

/** One input line (pino JSON, journald JSON record, or plain text) → a LogLine, or undefined for blank lines. */
export function parseLogLine(raw: string): LogLine | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  const o = parseObject(text);
  if (!o) return { time: '', level: '', context: '', message: text, error: '' };
  if (typeof o.MESSAGE === 'string' || Array.isArray(o.MESSAGE)) {
    // journald: __REALTIME_TIMESTAMP is µs since the epoch; MESSAGE may be a byte array when not UTF-8.
    const us = Number(o.__REALTIME_TIMESTAMP);
    const time = Number.isFinite(us) ? timeOf(Math.floor(us / 1000)) : '';
    const message = typeof o.MESSAGE === 'string' ? o.MESSAGE : Buffer.from(o.MESSAGE as number[]).toString('utf8');
    const inner = parseObject(message.trim());
    if (inner) return fromPino(inner, time);
    return { time, level: PRIORITIES[String(o.PRIORITY)] ?? 'INFO', context: '', message, error: '' };
  }
  return fromPino(o);
}

export function formatLogLine(l: LogLine, color: { red(s: string): string; yellow(s: string): string; dim(s: string): string; cyan(s: string): string }): string {
  const level = l.level.padEnd(5);
  const lvl = ['ERROR', 'FATAL'].includes(l.level) ? color.red(level) : l.level === 'WARN' ? color.yellow(level) : color.dim(level);
  const parts = [l.time ? color.dim(l.time) : '', l.level ? lvl : '', l.context ? color.cyan(`[${l.context}]`) : '', l.message, l.error ? `— ${l.error}` : ''];
  return parts.filter((p) => p !== '').join(' ');
}
