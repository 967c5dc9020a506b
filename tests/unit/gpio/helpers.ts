import { EventEmitter } from 'node:events';
import type { DeviceConfig, ProfileConfig } from '../../../config/schema.js';
import type { AvailabilityFact, DriverContext, EventFact, ReadingFact, ResolvedDevice } from '../../../drivers/types.js';
import { captureLogger, dateClock } from '../outputs/helpers.js';

type GpioProfile = NonNullable<ProfileConfig['gpio']>;

const GPIO_DEFAULTS: GpioProfile = {
  direction: 'in', activeLow: false, debounceMs: 50, safeState: false, maxOnS: 300, supervised: false, eventKind: 'input',
};

/** A gpio device with a profile whose gpio section is the schema defaults plus `gpio`. */
export function gpioDevice(id: string, address: string, gpio: Partial<GpioProfile>, type = 'panic'): ResolvedDevice {
  const config: DeviceConfig = { id, type, profile: `test-${id}`, zone: 'B3', address };
  const profile: ProfileConfig = {
    model: `test-${id}`, description: 'test', type, protocol: 'gpio', needsCredentials: false, offlineAfterS: 60,
    points: [], events: [], rules: [], gpio: { ...GPIO_DEFAULTS, ...gpio },
  };
  return { config, profile };
}

/** A driver context that records every fact and log line. */
export function recordingContext(devices: ResolvedDevice[]) {
  const { logger, lines } = captureLogger();
  const events: EventFact[] = [];
  const availability: AvailabilityFact[] = [];
  const readings: ReadingFact[] = [];
  const ctx: DriverContext = {
    logger,
    facts: { event: (f) => events.push(f), availability: (f) => availability.push(f), reading: (f) => readings.push(f) },
    clock: dateClock,
    devices,
    credentials: () => undefined,
    dataDir: '/nonexistent',
  };
  return { ctx, events, availability, logs: lines };
}

/** Stands in for `process` so tests can fire 'exit' without exiting. */
export function fakeExitHooks() {
  const emitter = new EventEmitter();
  return {
    hooks: { on: (e: 'exit', fn: () => void) => emitter.on(e, fn), off: (e: 'exit', fn: () => void) => emitter.off(e, fn) },
    exit: () => emitter.emit('exit'),
    listeners: () => emitter.listenerCount('exit'),
  };
}
