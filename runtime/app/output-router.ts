/**
 * Routes alarm output commands to the driver that owns the device, so rules and commands don't care where a
 * siren hangs (GPIO, or a relay on an RS-485 module). A target may be a device id or a zone (every siren and
 * strobe in it).
 */
import type { Driver, OutputCommand, ResolvedDevice } from '../../drivers/types.js';
import type { OutputPort } from '../core/ports.js';
import { QinheError } from '../core/errors.js';

const PROTOCOL_DRIVER: Record<string, string> = { 'modbus-rtu': 'modbus', gpio: 'gpio', onvif: 'onvif' };
export const ALARM_TYPES = new Set(['siren', 'strobe']);

export class OutputRouter implements OutputPort {
  private readonly byId = new Map<string, ResolvedDevice>();

  constructor(devices: ResolvedDevice[], private readonly drivers: () => Driver[]) {
    for (const d of devices) this.byId.set(d.config.id, d);
  }

  /** Device ids a target names: the device itself, or the sirens and strobes of a zone. */
  resolveTarget(target: string): string[] {
    if (this.byId.has(target)) return [target];
    return [...this.byId.values()].filter((d) => d.config.zone === target && ALARM_TYPES.has(d.config.type)).map((d) => d.config.id);
  }

  /** Every output the box has (for putting them all in their safe state). */
  outputs(): string[] {
    return [...this.byId.values()].filter((d) => d.profile.output !== undefined || d.profile.gpio?.direction === 'out').map((d) => d.config.id);
  }

  async output(cmd: OutputCommand): Promise<void> {
    const device = this.byId.get(cmd.deviceId);
    if (!device) throw new QinheError('QH_DRIVER_FAILED', `no device ${cmd.deviceId}`);
    const name = PROTOCOL_DRIVER[device.profile.protocol];
    const driver = this.drivers().find((d) => d.name === name);
    if (!driver?.output) throw new QinheError('QH_DRIVER_FAILED', `the ${name ?? device.profile.protocol} driver is not running; ${cmd.deviceId} cannot be driven`);
    await driver.output(cmd);
  }

  async allSafe(): Promise<void> {
    await Promise.all(this.outputs().map((id) => this.output({ deviceId: id, pattern: 'off', seconds: 1 }).catch(() => undefined)));
  }
}
