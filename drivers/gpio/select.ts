/**
 * Backend choice. `auto` tries sysfs first (in-process, edge interrupts, synchronous writes for exit handlers),
 * then the character device through the gpiod tools; it never picks the fake. When nothing works the caller
 * gets one reason to log once and report on every GPIO device.
 */
import { createCdevBackend } from './cdev-backend.js';
import { FakeGpio } from './fake.js';
import type { GpioBackend } from './line.js';
import { createSysfsBackend, type OpenNumber } from './sysfs-backend.js';

export type BackendChoice = 'auto' | 'sysfs' | 'cdev' | 'fake' | 'none';

export interface SelectOptions {
  backend: BackendChoice;
  sysfsRoot?: string;
  devDir?: string;
  fake?: FakeGpio;
  /** Tests: how the sysfs backend opens a global number. */
  sysfsOpenNumber?: OpenNumber;
}

export interface BackendAttempt {
  name: string;
  ok: boolean;
  reason?: string;
}

export type Selection =
  | { backend: GpioBackend; attempts: BackendAttempt[] }
  | { backend: null; reason: string; attempts: BackendAttempt[] };

export async function selectBackend(opts: SelectOptions): Promise<Selection> {
  if (opts.backend === 'none') {
    return { backend: null, reason: 'GPIO is switched off in the box config (gpio.backend: none)', attempts: [] };
  }
  if (opts.backend === 'fake') {
    return { backend: (opts.fake ?? new FakeGpio()).backend(), attempts: [{ name: 'fake', ok: true }] };
  }
  const candidates: GpioBackend[] = [];
  if (opts.backend === 'auto' || opts.backend === 'sysfs') {
    candidates.push(createSysfsBackend({
      ...(opts.sysfsRoot ? { root: opts.sysfsRoot } : {}),
      ...(opts.sysfsOpenNumber ? { openNumber: opts.sysfsOpenNumber } : {}),
    }));
  }
  if (opts.backend === 'auto' || opts.backend === 'cdev') {
    candidates.push(createCdevBackend(opts.devDir ? { devDir: opts.devDir } : {}));
  }
  const attempts: BackendAttempt[] = [];
  for (const backend of candidates) {
    const probe = await backend.probe();
    if (probe.ok) {
      attempts.push({ name: backend.name, ok: true });
      return { backend, attempts };
    }
    attempts.push({ name: backend.name, ok: false, reason: probe.reason });
  }
  const reason = `no GPIO backend works here: ${attempts.map((a) => `${a.name}: ${a.reason}`).join('; ')}`;
  return { backend: null, reason, attempts };
}
