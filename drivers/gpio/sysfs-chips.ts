/**
 * sysfs GPIO numbering. Addresses name a line the way `gpioinfo` does (`gpiochip0/17`: character-device chip
 * name and offset), but sysfs wants a global number = the chip's `base` + offset, and the base moves: 0 on older
 * Raspberry Pi OS kernels, 512 (and up) since 6.6, dynamic on other boards. So we read every
 * <root>/gpiochipB/{base,label,ngpio} and find which one is the character device `gpiochipN`:
 *
 *   1. <root>/gpiochipB/device is the chip's parent device; the character device is a child `gpiochipN` of it
 *      (drivers/gpio/gpiolib-sysfs.c registers the class device under the gpio_chip's parent, and
 *      drivers/gpio/gpiolib.c names the gpio_device `gpiochip%d`);
 *   2. where the chip has no parent, `device` is the gpio_device itself (its real path ends in gpiochipN);
 *   3. an address may name the chip by its label instead (`gpio://pinctrl-bcm2711/17`);
 *   4. kernels older than 4.8 have no character devices: there the sysfs directory name is the only name.
 * Never guessed: an ambiguous or unknown chip is an error naming what exists, because the wrong line could be
 * a siren.
 */
import { readFile, readdir, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { QinheError } from '../../runtime/core/errors.js';

export const DEFAULT_SYSFS_ROOT = '/sys/class/gpio';

export interface SysfsChip {
  /** Directory under the root (`gpiochip512`). */
  dir: string;
  base: number;
  label: string;
  ngpio: number;
  /** Character-device name (`gpiochip0`) when it could be found. */
  cdevName?: string;
}

const CDEV_NAME = /^gpiochip\d+$/;

/** Every chip of a sysfs GPIO tree, in base order; [] when the tree has none. */
export async function readSysfsChips(root: string): Promise<SysfsChip[]> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return [];
  }
  const chips: SysfsChip[] = [];
  for (const dir of entries.filter((e) => CDEV_NAME.test(e))) {
    const base = await readInt(join(root, dir, 'base'));
    const ngpio = await readInt(join(root, dir, 'ngpio'));
    if (base === undefined || ngpio === undefined) continue;
    const label = (await readText(join(root, dir, 'label'))) ?? '';
    const cdevName = await findCdevName(join(root, dir, 'device'));
    chips.push({ dir, base, label, ngpio, ...(cdevName ? { cdevName } : {}) });
  }
  return chips.sort((a, b) => a.base - b.base);
}

/** The global sysfs number of `chip`/`line`; throws QH_GPIO_NO_LINE naming the chips that exist. */
export function resolveSysfsNumber(chips: readonly SysfsChip[], chip: string, line: number): number {
  const known = chips.some((c) => c.cdevName !== undefined);
  let matches = chips.filter((c) => c.cdevName === chip);
  if (matches.length === 0) matches = chips.filter((c) => c.label === chip);
  if (matches.length === 0 && !known) matches = chips.filter((c) => c.dir === chip);
  const found = matches[0];
  if (!found || matches.length > 1) {
    const seen = chips.map((c) => `${c.cdevName ?? '?'}=${c.dir} "${c.label}" (${c.ngpio} lines)`).join(', ') || 'none';
    throw new QinheError('QH_GPIO_NO_LINE', `${matches.length > 1 ? 'ambiguous' : 'no'} GPIO chip "${chip}" in sysfs (chips: ${seen})`,
      { details: { chip } });
  }
  if (!Number.isInteger(line) || line < 0 || line >= found.ngpio) {
    throw new QinheError('QH_GPIO_NO_LINE', `line ${line} is out of range for ${chip} (${found.ngpio} lines)`, { details: { chip, line } });
  }
  return found.base + line;
}

async function findCdevName(deviceDir: string): Promise<string | undefined> {
  try {
    const children = (await readdir(deviceDir)).filter((e) => CDEV_NAME.test(e));
    if (children.length === 1) return children[0];
    if (children.length > 1) return undefined; // several chips under one parent: only a label can tell them apart
  } catch {
    return undefined;
  }
  try {
    const own = basename(await realpath(deviceDir));
    return CDEV_NAME.test(own) ? own : undefined;
  } catch {
    return undefined;
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function readInt(path: string): Promise<number | undefined> {
  const text = await readText(path);
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}
