import { pino, type Logger } from 'pino';

/** A pino logger whose JSON lines are kept, synchronously, for assertions. */
export function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
  return { logger: pino({ level: 'debug' }, destination), lines };
}

/** A monotonic clock driven by the (fake) Date. */
export const dateClock = { now: () => Date.now(), mono: () => Date.now() };
