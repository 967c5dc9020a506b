/**
 * Which drivers a configuration needs. A driver is created only when some device speaks its protocol.
 */
import type { Logger } from 'pino';
import type { BoxConfig } from '../../config/schema.js';
import type { Driver, DriverContext } from '../../drivers/types.js';

export function createDrivers(ctx: DriverContext, config: BoxConfig, logger: Logger): Driver[] {
  const drivers: Driver[] = [];
  const byProtocol = (p: string) => ctx.devices.filter((d) => d.profile.protocol === p);
  for (const protocol of ['modbus-rtu', 'onvif', 'gpio']) {
    const devices = byProtocol(protocol);
    if (devices.length === 0) continue;
    logger.debug({ protocol, devices: devices.length, serial: config.serial.length }, 'driver wanted');
  }
  return drivers;
}
