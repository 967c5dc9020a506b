/**
 * Which drivers a configuration needs. A driver is created only when some device speaks its protocol.
 */
import type { Logger } from 'pino';
import type { BoxConfig } from '../../config/schema.js';
import type { Driver, DriverContext } from '../../drivers/types.js';

/** Options the demo, bench and tests pass through to the drivers (filled in as drivers land). */
export interface DriverOptions {
  /** GPIO backend override (the demo uses 'fake' with its own FakeGpio instance). */
  gpio?: { backend?: BoxConfig['gpio']['backend']; fake?: unknown };
  /** Modbus: how to open a serial port (the serialport mock binding where socat is missing). */
  modbus?: { openPort?: unknown };
}

export function createDrivers(ctx: DriverContext, config: BoxConfig, logger: Logger, _opts: DriverOptions = {}): Driver[] {
  const drivers: Driver[] = [];
  const byProtocol = (p: string) => ctx.devices.filter((d) => d.profile.protocol === p);
  for (const protocol of ['modbus-rtu', 'onvif', 'gpio']) {
    const devices = byProtocol(protocol);
    if (devices.length === 0) continue;
    logger.debug({ protocol, devices: devices.length, serial: config.serial.length }, 'driver wanted');
  }
  return drivers;
}
