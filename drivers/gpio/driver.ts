/**
 * The GPIO driver: opens the lines of ctx.devices with protocol gpio on the chosen backend; inputs report
 * events, outputs take commands. Fail-safe outputs: the safe level is applied when a line is requested (start),
 * at stop, from a process 'exit' handler (synchronous writes) and by `applySafeStateSync()`, which the
 * supervisor calls on its crash/restart path before stop(). When no backend works, one warn line says why and
 * every GPIO device is reported offline with that reason; the box runs on without GPIO.
 */
import { QinheError, errorMessage } from '../../runtime/core/errors.js';
import { parseAddress } from '../../config/address.js';
import { systemTimers, type Timers } from '../outputs/timers.js';
import type { Driver, DriverContext, OutputCommand, ResolvedDevice } from '../types.js';
import type { FakeGpio } from './fake.js';
import { GpioInput } from './input.js';
import type { GpioBackend, GpioLine } from './line.js';
import { GpioOutput } from './output.js';
import { selectBackend, type BackendChoice } from './select.js';
import type { OpenNumber } from './sysfs-backend.js';
import { faultLineOf } from './supervision.js';

export interface ExitHooks {
  on(event: 'exit', listener: () => void): unknown;
  off(event: 'exit', listener: () => void): unknown;
}

export interface GpioDriverOptions {
  backend: BackendChoice;
  sysfsRoot?: string;
  fake?: FakeGpio;
  /** Where character devices are (`/dev`). */
  devDir?: string;
  timers?: Timers;
  /** Where the 'exit' handler goes (default: process). */
  exitHooks?: ExitHooks;
  /** Tests: how the sysfs backend opens a global number. */
  sysfsOpenNumber?: OpenNumber;
}

export type GpioDriver = Driver & {
  /** `sysfs`, `cdev`, `fake`, `none`, or `` before start. */
  backendName(): string;
  /** Write every output's safe level now, synchronously (exit handlers, supervisor crash path). */
  applySafeStateSync(): void;
};

export function createGpioDriver(ctx: DriverContext, opts: GpioDriverOptions): GpioDriver {
  const timers = opts.timers ?? systemTimers;
  const exitHooks: ExitHooks = opts.exitHooks ?? process;
  const devices = ctx.devices.filter((d) => d.profile.protocol === 'gpio');
  const inputs = new Map<string, GpioInput>();
  const outputs = new Map<string, GpioOutput>();
  const lines: GpioLine[] = [];
  let backendName = '';
  let unavailable: string | undefined;
  let warnedUnavailable = false;
  let running = false;
  let abortSignal: AbortSignal | undefined;

  const applySafeStateSync = (): void => {
    for (const [id, out] of outputs) {
      if (!out.applySafeStateSync()) ctx.logger.error({ device: id }, 'could not write the safe state on exit');
    }
  };
  const onExit = (): void => applySafeStateSync();

  const offline = (id: string, error: string): void => {
    ctx.facts.availability({ device: id, state: 'offline', error, at: ctx.clock.now(), mono: ctx.clock.mono() });
  };
  const online = (id: string): void => {
    ctx.facts.availability({ device: id, state: 'online', at: ctx.clock.now(), mono: ctx.clock.mono() });
  };

  async function openDevice(backend: GpioBackend, device: ResolvedDevice): Promise<void> {
    const id = device.config.id;
    const gpio = device.profile.gpio;
    const address = parseAddress(device.config.address);
    if (!gpio) throw new QinheError('QH_CONFIG_INVALID', `profile ${device.profile.model} has no gpio section`);
    if (!address.ok || address.address.protocol !== 'gpio') {
      throw new QinheError('QH_CONFIG_INVALID', `not a gpio address: ${device.config.address}`);
    }
    const { chip, line } = address.address;
    const logger = ctx.logger.child({ device: id });
    const open = async (offset: number, direction: 'in' | 'out') => {
      const l = await backend.open({ chip, line: offset, direction, activeLow: gpio.activeLow, consumer: `qinhe:${id}`,
        ...(direction === 'out' ? { initial: gpio.safeState } : {}) });
      lines.push(l);
      l.onError((err) => {
        logger.warn({ err }, 'GPIO line failed');
        offline(id, `${chip}/${offset}: ${errorMessage(err)}`);
      });
      return l;
    };
    if (gpio.direction === 'out') {
      let writable = true;
      const onWriteHealth = (ok: boolean, err?: unknown): void => {
        if (ok === writable) return;
        writable = ok;
        if (ok) online(id);
        else offline(id, `${chip}/${line}: ${errorMessage(err)}`);
      };
      outputs.set(id, new GpioOutput({ deviceId: id, line: await open(line, 'out'), safeState: gpio.safeState,
        maxOnS: gpio.maxOnS, clock: ctx.clock, timers, logger, onWriteHealth }));
    } else {
      const contact = await open(line, 'in');
      const fault = gpio.supervised ? await open(faultLineOf(line), 'in') : undefined;
      const input = new GpioInput({ deviceId: id, eventKind: gpio.eventKind, debounceMs: gpio.debounceMs, contact,
        ...(fault ? { fault } : {}), facts: ctx.facts, clock: ctx.clock, timers, logger });
      inputs.set(id, input);
      await input.start();
    }
    online(id);
  }

  const onAbort = (): void => void stop();

  async function stop(): Promise<void> {
    running = false;
    exitHooks.off('exit', onExit);
    abortSignal?.removeEventListener('abort', onAbort);
    abortSignal = undefined;
    for (const input of inputs.values()) input.stop();
    for (const [id, out] of outputs) {
      try {
        await out.stop();
      } catch (err) {
        ctx.logger.error({ err, device: id }, 'output stop failed');
      }
    }
    for (const l of lines) await l.close().catch(() => undefined);
    inputs.clear();
    outputs.clear();
    lines.length = 0;
  }

  return {
    name: 'gpio',
    backendName: () => backendName,
    applySafeStateSync,

    async start(signal: AbortSignal): Promise<void> {
      if (running || signal.aborted) return;
      const selection = await selectBackend({
        backend: opts.backend,
        ...(opts.sysfsRoot ? { sysfsRoot: opts.sysfsRoot } : {}),
        ...(opts.devDir ? { devDir: opts.devDir } : {}),
        ...(opts.fake ? { fake: opts.fake } : {}),
        ...(opts.sysfsOpenNumber ? { sysfsOpenNumber: opts.sysfsOpenNumber } : {}),
      });
      if (!selection.backend) {
        backendName = 'none';
        unavailable = selection.reason;
        if (!warnedUnavailable && devices.length > 0) {
          ctx.logger.warn({ attempts: selection.attempts, devices: devices.length }, `running without GPIO: ${selection.reason}`);
          warnedUnavailable = true;
        }
        for (const d of devices) offline(d.config.id, `QH_GPIO_UNAVAILABLE: ${selection.reason}`);
        return;
      }
      backendName = selection.backend.name;
      unavailable = undefined;
      running = true;
      exitHooks.on('exit', onExit);
      abortSignal = signal;
      signal.addEventListener('abort', onAbort, { once: true });
      ctx.logger.info({ backend: backendName, devices: devices.length }, 'GPIO backend selected');
      // Outputs first: sirens reach their safe level before anything else happens.
      const ordered = [...devices].sort((a, b) => Number(b.profile.gpio?.direction === 'out') - Number(a.profile.gpio?.direction === 'out'));
      for (const device of ordered) {
        try {
          await openDevice(selection.backend, device);
        } catch (err) {
          ctx.logger.warn({ err, device: device.config.id }, 'GPIO device unavailable');
          offline(device.config.id, errorMessage(err));
        }
      }
    },

    stop,

    output(cmd: OutputCommand): Promise<void> {
      const out = outputs.get(cmd.deviceId);
      if (!out) {
        const known = devices.some((d) => d.config.id === cmd.deviceId);
        const err = known && unavailable
          ? new QinheError('QH_GPIO_UNAVAILABLE', `${cmd.deviceId}: ${unavailable}`)
          : new QinheError('QH_GPIO_NOT_OUTPUT', `${cmd.deviceId} is not a working GPIO output`);
        return Promise.reject(err);
      }
      try {
        out.command(cmd);
        return Promise.resolve();
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
  };
}
