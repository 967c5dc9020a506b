/**
 * What drivers share with the runtime: facts they emit, commands they take, and the driver lifecycle.
 * Drivers import from here (and from drivers/), never from runtime internals. Drivers emit facts and never
 * decide alarms: rules do that.
 */
import type { Logger } from 'pino';
import type { DeviceConfig, ProfileConfig } from '../config/schema.js';

export type DeviceState = 'online' | 'offline' | 'degraded' | 'unknown';
export type PointValue = number | boolean | string;

/** A measured value of one point of one device. `at` is wall time (ms), `mono` monotonic time (ms). */
export interface ReadingFact {
  device: string;
  point: string;
  value: PointValue;
  unit?: string;
  at: number;
  mono: number;
  /** Set by the runtime for devices in commissioning test mode (their incidents are marked as tests). */
  test?: boolean;
}

/**
 * A discrete event a device reported (an ONVIF topic, a contact edge). `topic` is the device's own name for it
 * (normalised, e.g. `tns1:RuleEngine/CellMotionDetector/Motion`, or `input` for a contact); `kind` is the
 * parser's normalised kind (`motion`, `tamper`, `intrusion`, `falling-object`, ...), mapped to incidents by rules.
 */
export interface EventFact {
  device: string;
  topic: string;
  kind: string;
  active: boolean;
  data?: Record<string, unknown>;
  at: number;
  mono: number;
  /** Marked by the commissioning walk test and drills so the center does not dispatch. */
  test?: boolean;
}

export interface AvailabilityFact {
  device: string;
  state: DeviceState;
  /** Why (for offline/degraded): a short technician-readable reason. */
  error?: string;
  at: number;
  mono: number;
}

export interface BusHealth {
  id: string;
  txOk: number;
  timeouts: number;
  crcErrors: number;
  exceptions: number;
  cycleMs: number | null;
  [extra: string]: unknown;
}

/** The callbacks a driver uses to report facts. */
export interface FactSink {
  reading(fact: ReadingFact): void;
  event(fact: EventFact): void;
  availability(fact: AvailabilityFact): void;
}

export interface Clock {
  /** Wall clock, ms since epoch (may jump). */
  now(): number;
  /** Monotonic clock, ms (never jumps). */
  mono(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  mono: () => performance.now(),
};

export interface ResolvedDevice {
  config: DeviceConfig;
  profile: ProfileConfig;
}

export interface DriverContext {
  logger: Logger;
  facts: FactSink;
  clock: Clock;
  /** The devices this driver is responsible for. */
  devices: ResolvedDevice[];
  /** Secrets by device id (camera credentials), resolved from the secrets file; never logged. */
  credentials(deviceId: string): { username: string; password: string } | undefined;
  /** The box's data directory (evidence, caches). */
  dataDir: string;
}

/** A local alarm output (siren, strobe, relay): GPIO or a Modbus relay, rules don't care which. */
export type OutputPattern = 'continuous' | 'fire' | 'intrusion' | 'chirp' | 'escalated';

export interface OutputCommand {
  deviceId: string;
  /** `off` returns the output to its safe state. */
  pattern: OutputPattern | 'off';
  /** Hard maximum on-time for this command. */
  seconds: number;
  priority?: number;
}

export interface Driver {
  /** `onvif`, `modbus`, `gpio`, ... */
  readonly name: string;
  /** Constructor does no I/O; start may fail and the supervisor will retry with backoff. */
  start(signal: AbortSignal): Promise<void>;
  /** Idempotent, safe after a failed start; outputs go to their safe state first. */
  stop(): Promise<void>;
  /** Devices this driver can drive as outputs. */
  output?(cmd: OutputCommand): Promise<void>;
  /** Health of the buses this driver runs (Modbus lines). */
  buses?(): BusHealth[];
  /** Read every point of a device now (technician/commissioning). */
  readNow?(deviceId: string): Promise<Record<string, PointValue>>;
}
