/** Shared pieces of the ONVIF integration tests: devices from the real schema, a fact recorder, a log sink. */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { deviceSchema, profileSchema, type ProfileConfig } from '../../../config/schema.js';
import type { AvailabilityFact, DriverContext, EventFact, ReadingFact, ResolvedDevice } from '../../../drivers/types.js';
import { systemClock } from '../../../drivers/types.js';

export const USER = 'admin';
export const PASSWORD = 'Pa55-w0rd!';

export function cameraDevice(id: string, port: number, profile: Partial<ProfileConfig> = {}): ResolvedDevice {
  return {
    config: deviceSchema.parse({ id, type: 'camera', profile: 'sim-camera', zone: 'b3', address: `onvif://127.0.0.1:${port}` }),
    profile: profileSchema.parse({
      model: 'sim-camera', description: 'simulated camera', type: 'camera', protocol: 'onvif', needsCredentials: true,
      offlineAfterS: 2, ...profile,
    }),
  };
}

export class Recorder {
  readonly events: EventFact[] = [];
  readonly availability: AvailabilityFact[] = [];
  readonly sink = {
    reading: (_f: ReadingFact) => undefined,
    event: (f: EventFact) => { this.events.push(f); },
    availability: (f: AvailabilityFact) => { this.availability.push(f); },
  };
}

export class LogSink {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly text: string[] = [];
  readonly logger: Logger = pino({ level: 'debug' }, new Writable({
    write: (chunk: Buffer, _enc, cb) => {
      const s = chunk.toString('utf8');
      this.text.push(s);
      this.lines.push(JSON.parse(s) as Record<string, unknown>);
      cb();
    },
  }));
}

export function context(devices: ResolvedDevice[], rec: Recorder, log: LogSink, dataDir: string): DriverContext {
  return {
    logger: log.logger, facts: rec.sink, clock: systemClock, devices, dataDir,
    credentials: () => ({ username: USER, password: PASSWORD }),
  };
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
