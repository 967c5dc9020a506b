/**
 * What GPIO this machine has, for `qinhe gpio list`: every backend's verdict and the chips seen, or one
 * sentence saying why there is none (a box without GPIO is a normal, supported state).
 */
import { readdir } from 'node:fs/promises';
import { createCdevBackend } from './cdev-backend.js';
import type { GpioChipInfo } from './line.js';
import type { BackendAttempt } from './select.js';
import { createSysfsBackend } from './sysfs-backend.js';

export interface GpioInventory {
  available: boolean;
  backends: BackendAttempt[];
  chips: Array<GpioChipInfo & { seenBy: string[] }>;
  /** Set when no backend works: why, for people. */
  explanation?: string;
}

export async function listGpio(opts: { sysfsRoot?: string; devDir?: string } = {}): Promise<GpioInventory> {
  const devDir = opts.devDir ?? '/dev';
  const backends = [
    createSysfsBackend(opts.sysfsRoot ? { root: opts.sysfsRoot } : {}),
    createCdevBackend({ devDir }),
  ];
  const attempts: BackendAttempt[] = [];
  const chips = new Map<string, GpioChipInfo & { seenBy: string[] }>();
  for (const backend of backends) {
    const probe = await backend.probe();
    attempts.push(probe.ok ? { name: backend.name, ok: true } : { name: backend.name, ok: false, reason: probe.reason });
    if (!probe.ok) continue;
    for (const chip of await backend.chips().catch(() => [])) {
      const seen = chips.get(chip.name);
      if (seen) {
        seen.seenBy.push(backend.name);
        if (seen.sysfsBase === undefined && chip.sysfsBase !== undefined) seen.sysfsBase = chip.sysfsBase;
        if (seen.lineInfo === undefined && chip.lineInfo !== undefined) seen.lineInfo = chip.lineInfo;
      } else {
        chips.set(chip.name, { ...chip, seenBy: [backend.name] });
      }
    }
  }
  // Character devices without the tools: still worth showing, so the fix (apt install gpiod) is obvious.
  const devices = await readdir(devDir).catch(() => [] as string[]);
  for (const name of devices.filter((e) => /^gpiochip\d+$/.test(e))) {
    if (!chips.has(name)) chips.set(name, { name, label: '?', lines: 0, seenBy: ['dev'] });
  }
  const available = attempts.some((a) => a.ok);
  const inventory: GpioInventory = { available, backends: attempts, chips: [...chips.values()] };
  if (!available) {
    inventory.explanation = chips.size === 0
      ? 'This machine has no GPIO: no sysfs GPIO chips and no /dev/gpiochip* character devices. The box runs without GPIO; GPIO devices are reported offline.'
      : 'GPIO chips exist but no backend can use them (see the reasons above). The box runs without GPIO until one works.';
  }
  return inventory;
}
