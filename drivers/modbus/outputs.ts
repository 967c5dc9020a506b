/**
 * Modbus alarm outputs (relay modules, sirens): the profile's `output.point` is written on for any pattern
 * and off for 'off', with a hard maximum on-time. Patterns (blinking) are not played here: the output is a
 * plain on/off; a pattern player may drive it later. Writes go ahead of polls (actuation priority).
 */
import type { Logger } from 'pino';
import type { ModbusPoint } from '../../config/schema.js';
import { QinheError, errorMessage } from '../../runtime/core/errors.js';
import type { OutputCommand } from '../types.js';
import { encodePoint } from './codec.js';
import type { LineScheduler } from './line-scheduler.js';
import type { ModbusRequest } from './pdu.js';

export interface OutputTarget {
  device: string;
  unit: number;
  point: ModbusPoint;
  line: LineScheduler;
}

const RETRY_OFF_MS = 2000;
const MAX_OFF_ATTEMPTS = 30;

export class ModbusOutputs {
  private readonly offTimers = new Map<string, NodeJS.Timeout>();
  private readonly on = new Set<string>();

  constructor(private readonly targets: Map<string, OutputTarget>, private readonly logger: Logger) {}

  has(device: string): boolean {
    return this.targets.has(device);
  }

  async output(cmd: OutputCommand): Promise<void> {
    const target = this.targets.get(cmd.deviceId);
    if (!target) throw new QinheError('QH_MODBUS_UNKNOWN_DEVICE', `no Modbus output device "${cmd.deviceId}"`);
    this.clearTimer(cmd.deviceId);
    if (cmd.pattern === 'off') {
      try {
        await this.write(target, false);
        this.on.delete(cmd.deviceId);
      } catch (err) {
        this.retryOff(cmd.deviceId, 1);
        throw err;
      }
      return;
    }
    // Armed before the write: if the "on" reply is lost but the relay did switch, the off still comes.
    this.on.add(cmd.deviceId);
    this.arm(cmd.deviceId, Math.max(0, cmd.seconds) * 1000, 0);
    await this.write(target, true);
  }

  /** Switches off after `ms`; a failed off is retried every RETRY_OFF_MS, up to MAX_OFF_ATTEMPTS. */
  private arm(device: string, ms: number, attempt: number): void {
    const timer = setTimeout(() => {
      this.offTimers.delete(device);
      const target = this.targets.get(device);
      if (!target) return;
      this.write(target, false).then(() => {
        this.on.delete(device);
        if (attempt > 0) this.logger.info({ device }, `output switched off after ${attempt + 1} attempts`);
      }, (err: unknown) => {
        if (attempt === 0) this.logger.error({ device, err: errorMessage(err) }, 'could not switch output off after its maximum on-time; retrying');
        this.retryOff(device, attempt + 1);
      });
    }, ms);
    timer.unref?.();
    this.offTimers.set(device, timer);
  }

  private retryOff(device: string, attempt: number): void {
    if (attempt >= MAX_OFF_ATTEMPTS) {
      this.logger.error({ device }, `output still not switched off after ${attempt} attempts; giving up`);
      return;
    }
    this.arm(device, RETRY_OFF_MS, attempt);
  }

  private clearTimer(device: string): void {
    clearTimeout(this.offTimers.get(device));
    this.offTimers.delete(device);
  }

  /** Safe state: every output that was switched on is switched off (best effort; used by stop()). */
  async allOff(): Promise<void> {
    for (const t of this.offTimers.values()) clearTimeout(t);
    this.offTimers.clear();
    const active = [...this.on];
    await Promise.allSettled(active.map(async (device) => {
      const target = this.targets.get(device);
      if (!target) return;
      try {
        await this.write(target, false);
        this.on.delete(device);
      } catch (err) {
        this.logger.error({ device, err: errorMessage(err) }, 'could not switch output off at stop');
      }
    }));
  }

  private async write(target: OutputTarget, on: boolean): Promise<void> {
    await target.line.request(writeRequest(target.unit, target.point, on), { priority: 'actuation' });
  }
}

/** FC5 for a coil; FC6 for a 16-bit register; FC16 for a 32-bit one. */
export function writeRequest(unit: number, point: ModbusPoint, value: boolean | number): ModbusRequest {
  if (point.table !== 'coil' && point.table !== 'holding') {
    throw new QinheError('QH_CONFIG_INVALID', `point ${point.name} is in the ${point.table} table, which cannot be written`);
  }
  const raw = encodePoint(point, value);
  if ('bits' in raw) return { unit, fc: 5, address: point.address, value: raw.bits[0] ?? false };
  if (raw.words.length === 1) return { unit, fc: 6, address: point.address, value: raw.words[0] ?? 0 };
  return { unit, fc: 16, address: point.address, values: raw.words };
}
