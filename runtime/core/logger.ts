/**
 * pino JSON logs on stdout. Secrets are redacted by path, and any string that looks like a URL with
 * credentials is masked (ffmpeg and RTSP URLs carry passwords).
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export const REDACT_PATHS = [
  'password', '*.password', '*.*.password', 'secrets', '*.secrets', 'key', '*.key', 'privateKey', '*.privateKey',
  'tlsKey', '*.tlsKey', 'credentials', '*.credentials', 'authorization', '*.authorization', 'headers.authorization',
  'pass', '*.pass',
];

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi;

/** Masks `scheme://user:pass@` in any string. */
export function maskUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1$2:***@');
}

/** Masks URL credentials in every string of a log object (errors included), to a bounded depth. */
function deepMask(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.includes('@') ? maskUrlCredentials(value) : value;
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) {
    const masked = new Error(maskUrlCredentials(value.message));
    masked.name = value.name;
    masked.stack = value.stack ? maskUrlCredentials(value.stack) : undefined;
    for (const [k, v] of Object.entries(value)) (masked as unknown as Record<string, unknown>)[k] = deepMask(v, depth + 1);
    return masked;
  }
  if (Array.isArray(value)) return value.map((v) => deepMask(v, depth + 1));
  if (Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = deepMask(v, depth + 1);
  return out;
}

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream; name?: string } = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? process.env.QINHE_LOG_LEVEL ?? 'info',
    base: { name: options.name ?? 'qinhe' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      log(object) {
        return deepMask(object, 0) as Record<string, unknown>;
      },
    },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' && a.includes('@') ? maskUrlCredentials(a) : a));
        method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
  return options.destination ? pino(opts, options.destination as pino.DestinationStream) : pino(opts);
}
