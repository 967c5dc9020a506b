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

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream; name?: string } = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? process.env.QINHE_LOG_LEVEL ?? 'info',
    base: { name: options.name ?? 'qinhe' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      log(object) {
        for (const [k, v] of Object.entries(object)) {
          if (typeof v === 'string' && v.includes('@')) (object as Record<string, unknown>)[k] = maskUrlCredentials(v);
        }
        return object;
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
