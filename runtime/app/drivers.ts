/**
 * Which drivers a configuration needs: one per protocol that some device speaks. Each driver gets only its
 * own devices. The ONVIF driver is also the box's evidence source.
 */
import { join } from 'node:path';
import type { BoxConfig } from '../../config/schema.js';
import type { Driver, DriverContext } from '../../drivers/types.js';
import type { EvidencePort } from '../core/ports.js';
import { createModbusDriver, type ModbusDriverOptions } from '../../drivers/modbus/index.js';
import { createGpioDriver, type GpioDriverOptions } from '../../drivers/gpio/index.js';
import { createOnvifDriver, type OnvifDriverOptions } from '../../drivers/onvif/index.js';

/** Options the demo, bench and tests pass through to the drivers. */
export interface DriverOptions {
  /** GPIO backend override (the demo uses 'fake' with its own FakeGpio instance). */
  gpio?: Partial<GpioDriverOptions>;
  /** Modbus: how to open a serial port (the serialport mock binding where socat is missing), quarantine... */
  modbus?: ModbusDriverOptions;
  /** ONVIF timings (the demo and tests shorten them). */
  onvif?: Pick<OnvifDriverOptions, 'tuning' | 'clips'>;
}

export interface DriverSet {
  drivers: Driver[];
  evidence: EvidencePort | undefined;
}

export function createDrivers(ctx: DriverContext, config: BoxConfig, opts: DriverOptions = {}): DriverSet {
  const own = (protocol: string): DriverContext => ({ ...ctx, devices: ctx.devices.filter((d) => d.profile.protocol === protocol) });
  const drivers: Driver[] = [];
  let evidence: EvidencePort | undefined;

  const modbusCtx = own('modbus-rtu');
  if (modbusCtx.devices.length > 0) drivers.push(createModbusDriver(modbusCtx, config.serial, opts.modbus ?? {}));

  const gpioCtx = own('gpio');
  if (gpioCtx.devices.length > 0) drivers.push(createGpioDriver(gpioCtx, { backend: config.gpio.backend, ...opts.gpio }));

  const onvifCtx = own('onvif');
  if (onvifCtx.devices.length > 0) {
    const onvif = createOnvifDriver(onvifCtx, {
      evidenceDir: join(config.storage.dataDir, 'evidence'),
      retentionBytes: config.storage.evidenceRetentionMb * 1024 * 1024,
      ...(config.ffmpeg.path ? { ffmpegPath: config.ffmpeg.path } : {}),
      ...opts.onvif,
    });
    drivers.push(onvif);
    evidence = onvif;
  }
  return { drivers, evidence };
}
