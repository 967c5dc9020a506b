/** GPIO: contacts, panic buttons, tamper switches (inputs) and sirens (outputs) that fail safe. */
export { createGpioDriver, type GpioDriver, type GpioDriverOptions, type ExitHooks } from './driver.js';
export { FakeGpio, type FakeChip, type LineRef } from './fake.js';
export type { GpioBackend, GpioLine, GpioLineSpec, GpioChipInfo, ProbeResult } from './line.js';
export { selectBackend, type BackendChoice, type BackendAttempt, type Selection } from './select.js';
export { readSysfsChips, resolveSysfsNumber, DEFAULT_SYSFS_ROOT, type SysfsChip } from './sysfs-chips.js';
export { classifyLoop, type LoopState } from './supervision.js';
export { listGpio, type GpioInventory } from './inventory.js';
