/**
 * The sysfs backend: `onoff` (in-process, edge interrupts through epoll, synchronous writes for exit
 * handlers) on global numbers resolved by sysfs-chips.ts. onoff itself always works under /sys/class/gpio; the
 * injectable root is for resolving numbers and listing chips (tests run against tests/fixtures/gpio/), and
 * `openNumber` lets a test see exactly which global number a device would get.
 *
 * How it was checked: this build machine has no GPIO, so only the fixture trees run here. The numbering follows
 * the kernel sources named in sysfs-chips.ts and the fixture trees mirror a Raspberry Pi 4 on 5.15 (bases 0 and
 * 504) and on 6.6 (bases 512 and 570). Not yet run on a Pi: verify with `qinhe gpio list` and a siren on
 * gpiochip0/17 before the first installation.
 */
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { QinheError, errorMessage } from '../../runtime/core/errors.js';
import type { GpioBackend, GpioLine, GpioLineSpec, ProbeResult } from './line.js';
import { DEFAULT_SYSFS_ROOT, readSysfsChips, resolveSysfsNumber } from './sysfs-chips.js';

export type OpenNumber = (gpio: number, spec: GpioLineSpec) => Promise<GpioLine>;

export interface SysfsBackendOptions {
  root?: string;
  openNumber?: OpenNumber;
}

export function createSysfsBackend(opts: SysfsBackendOptions = {}): GpioBackend {
  const root = opts.root ?? DEFAULT_SYSFS_ROOT;
  const openNumber = opts.openNumber ?? openWithOnoff;
  return {
    name: 'sysfs',
    async probe(): Promise<ProbeResult> {
      try {
        await access(join(root, 'export'), constants.F_OK);
      } catch {
        return { ok: false, reason: `no sysfs GPIO (${root}/export missing: kernel without CONFIG_GPIO_SYSFS, or no GPIO at all)` };
      }
      const chips = await readSysfsChips(root);
      if (chips.length === 0) return { ok: false, reason: `sysfs GPIO has no chips under ${root}` };
      if (!opts.openNumber) {
        try {
          await import('onoff');
        } catch (err) {
          return { ok: false, reason: `onoff cannot load (epoll native addon): ${errorMessage(err)}` };
        }
      }
      return { ok: true };
    },
    async chips() {
      return (await readSysfsChips(root)).map((c) => ({ name: c.cdevName ?? c.dir, label: c.label, lines: c.ngpio, sysfsBase: c.base }));
    },
    async open(spec) {
      const gpio = resolveSysfsNumber(await readSysfsChips(root), spec.chip, spec.line);
      return openNumber(gpio, spec);
    },
  };
}

async function openWithOnoff(gpio: number, spec: GpioLineSpec): Promise<GpioLine> {
  const { Gpio } = await import('onoff');
  const io = (what: string, err: unknown) =>
    new QinheError('QH_GPIO_IO', `sysfs gpio${gpio} (${spec.chip}/${spec.line}) ${what}: ${errorMessage(err)}`, { cause: err });
  // sysfs "high"/"low" set the raw level with the direction in one write (gpiolib-sysfs direction_store), so an
  // output never passes through the wrong level; onoff applies active_low first, hence the raw level here.
  const rawInitial = (spec.initial ?? false) !== spec.activeLow;
  let gpioLine: InstanceType<typeof Gpio>;
  try {
    gpioLine = spec.direction === 'in'
      ? new Gpio(gpio, 'in', 'both', { activeLow: spec.activeLow })
      : new Gpio(gpio, rawInitial ? 'high' : 'low', 'none', { activeLow: spec.activeLow });
  } catch (err) {
    throw io('open failed', err);
  }
  const errorHandlers: Array<(err: Error) => void> = [];
  let closed = false;
  return {
    spec,
    async read() {
      try {
        return (await gpioLine.read()) === 1;
      } catch (err) {
        throw io('read failed', err);
      }
    },
    async write(level) {
      try {
        await gpioLine.write(level ? 1 : 0);
      } catch (err) {
        throw io('write failed', err);
      }
    },
    writeSync(level) {
      try {
        gpioLine.writeSync(level ? 1 : 0);
        return true;
      } catch {
        return false;
      }
    },
    watch(onEdge) {
      gpioLine.watch((err, value) => {
        if (err) for (const h of errorHandlers) h(io('watch failed', err));
        else onEdge(value === 1);
      });
    },
    onError(handler) {
      errorHandlers.push(handler);
    },
    async close() {
      if (closed) return;
      closed = true;
      gpioLine.unwatchAll();
      // Inputs are released; outputs stay exported so the kernel keeps driving the safe level just written.
      if (spec.direction === 'in') {
        try {
          gpioLine.unexport();
        } catch {
          // already gone: nothing to release
        }
      }
    },
  };
}
