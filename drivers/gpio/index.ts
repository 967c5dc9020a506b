/**
 * GPIO: contacts, panic buttons, tamper switches (inputs) and sirens (outputs) that fail safe.
 *
 * How the real backends were checked: the build machine has no GPIO (no /sys/class/gpio, no /dev/gpiochip*), so
 * sysfs numbering runs against fake sysfs trees of a Raspberry Pi 4 on kernels 5.15 and 6.6
 * (tests/fixtures/gpio/), the gpiod backend against stand-in scripts that print what libgpiod 1.6 tools print,
 * and onoff's own calls only type-check. Before the first installation run `qinhe gpio list` and a walk test on a
 * real box (see sysfs-backend.ts and cdev-backend.ts).
 */
export { createGpioDriver, type GpioDriver, type GpioDriverOptions, type ExitHooks } from './driver.js';
export { FakeGpio, type FakeChip, type LineRef } from './fake.js';
export type { GpioBackend, GpioLine, GpioLineSpec, GpioChipInfo, ProbeResult } from './line.js';
export { selectBackend, type BackendChoice, type BackendAttempt, type Selection } from './select.js';
export { readSysfsChips, resolveSysfsNumber, DEFAULT_SYSFS_ROOT, type SysfsChip } from './sysfs-chips.js';
export { classifyLoop, type LoopState } from './supervision.js';
export { listGpio, type GpioInventory } from './inventory.js';
