/**
 * The one small seam every GPIO backend implements. Levels are logical: `true` = active, after the backend has
 * applied the line's active-low inversion (sysfs `active_low`, libgpiod `--active-low`, or the fake's own).
 */
export interface GpioLineSpec {
  /** Chip name as `gpioinfo` shows it (`gpiochip0`), from the device address. */
  chip: string;
  /** Line offset within the chip. */
  line: number;
  direction: 'in' | 'out';
  activeLow: boolean;
  /** Outputs: the logical level driven from the moment the line is requested (no glitch through the other level). */
  initial?: boolean;
  /** Who holds the line, for `gpioinfo` and logs (the device id). */
  consumer: string;
}

export interface GpioLine {
  readonly spec: GpioLineSpec;
  /** The current logical level. */
  read(): Promise<boolean>;
  write(level: boolean): Promise<void>;
  /** Synchronous write for process exit handlers (only synchronous work runs there). Best effort, never throws. */
  writeSync(level: boolean): boolean;
  /** Inputs: called on every edge the kernel reports, with the level read after it (not debounced). */
  watch(onEdge: (level: boolean) => void): void;
  /** Called when the line fails outside a call (a monitor process died); the driver reports the device offline. */
  onError(handler: (err: Error) => void): void;
  /** Release the line. Idempotent. */
  close(): Promise<void>;
}

export interface GpioLineInfo {
  offset: number;
  /** Board name of the line (`GPIO17`), when the chip names its lines. */
  name?: string;
  /** Who holds it (`qinhe:siren-1`, `sysfs`, `kernel`); absent when unused. */
  consumer?: string;
  direction: 'input' | 'output';
  activeLow: boolean;
}

export interface GpioChipInfo {
  /** Character-device name (`gpiochip0`) when known. */
  name: string;
  label: string;
  lines: number;
  /** sysfs: the global number of line 0 (0 on old kernels, 512+ on Raspberry Pi OS kernels ≥ 6.6). */
  sysfsBase?: number;
  /** Per-line detail, where the backend can see it (cdev: gpioinfo). */
  lineInfo?: GpioLineInfo[];
}

export type ProbeResult = { ok: true } | { ok: false; reason: string };

export interface GpioBackend {
  /** `sysfs`, `cdev`, `fake`. */
  readonly name: string;
  /** Whether this backend can work on this machine; no side effects. */
  probe(): Promise<ProbeResult>;
  chips(): Promise<GpioChipInfo[]>;
  /** Request a line; throws QH_GPIO_NO_LINE (bad chip/offset) or QH_GPIO_IO. */
  open(spec: GpioLineSpec): Promise<GpioLine>;
}

export function lineId(spec: { chip: string; line: number }): string {
  return `${spec.chip}/${spec.line}`;
}
