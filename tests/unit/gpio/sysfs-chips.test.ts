import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { createSysfsBackend } from '../../../drivers/gpio/sysfs-backend.js';
import { readSysfsChips, resolveSysfsNumber } from '../../../drivers/gpio/sysfs-chips.js';
import type { GpioLine } from '../../../drivers/gpio/line.js';
import { isQinheError } from '../../../runtime/core/errors.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/gpio/${name}`, import.meta.url));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isQinheError(err) ? err.code : 'not-coded';
  }
  return undefined;
}

describe('sysfs chip base resolution', () => {
  it('reads base, label, line count and character-device name of every chip', async () => {
    const chips = await readSysfsChips(fixture('sysfs-pi4-6.6'));
    expect(chips).toEqual([
      { dir: 'gpiochip512', base: 512, label: 'pinctrl-bcm2711', ngpio: 58, cdevName: 'gpiochip0' },
      { dir: 'gpiochip570', base: 570, label: 'raspberrypi-exp-gpio', ngpio: 8, cdevName: 'gpiochip1' },
    ]);
  });

  it('maps gpiochip0/17 to the same physical line on a 5.15 and a 6.6 kernel', async () => {
    expect(resolveSysfsNumber(await readSysfsChips(fixture('sysfs-pi4-5.15')), 'gpiochip0', 17)).toBe(17);
    expect(resolveSysfsNumber(await readSysfsChips(fixture('sysfs-pi4-6.6')), 'gpiochip0', 17)).toBe(529);
    expect(resolveSysfsNumber(await readSysfsChips(fixture('sysfs-pi4-5.15')), 'gpiochip1', 2)).toBe(506);
    expect(resolveSysfsNumber(await readSysfsChips(fixture('sysfs-pi4-6.6')), 'gpiochip1', 2)).toBe(572);
  });

  it('accepts the chip label in place of its name', async () => {
    expect(resolveSysfsNumber(await readSysfsChips(fixture('sysfs-pi4-6.6')), 'pinctrl-bcm2711', 4)).toBe(516);
  });

  it('finds the character-device name through a device link when the chip has no parent', async () => {
    const chips = await readSysfsChips(fixture('sysfs-noparent/class-gpio'));
    expect(chips.map((c) => c.cdevName)).toEqual(['gpiochip3']);
    expect(resolveSysfsNumber(chips, 'gpiochip3', 15)).toBe(463);
  });

  it('refuses an unknown chip or an offset beyond the chip instead of guessing', async () => {
    const chips = await readSysfsChips(fixture('sysfs-pi4-6.6'));
    expect(codeOf(() => resolveSysfsNumber(chips, 'gpiochip4', 0))).toBe('QH_GPIO_NO_LINE');
    expect(codeOf(() => resolveSysfsNumber(chips, 'gpiochip0', 58))).toBe('QH_GPIO_NO_LINE');
    expect(codeOf(() => resolveSysfsNumber(chips, 'gpiochip1', 8))).toBe('QH_GPIO_NO_LINE');
    expect(() => resolveSysfsNumber(chips, 'gpiochip4', 0)).toThrow(/gpiochip0=gpiochip512 "pinctrl-bcm2711"/);
  });

  it('sees no chips where there is no sysfs GPIO', async () => {
    expect(await readSysfsChips(fixture('does-not-exist'))).toEqual([]);
  });

  it('opens the resolved global number through the backend', async () => {
    const opened: number[] = [];
    const backend = createSysfsBackend({
      root: fixture('sysfs-pi4-6.6'),
      openNumber: (gpio, spec) => {
        opened.push(gpio);
        return Promise.resolve({ spec } as unknown as GpioLine);
      },
    });
    expect(await backend.probe()).toEqual({ ok: true });
    await backend.open({ chip: 'gpiochip0', line: 17, direction: 'out', activeLow: false, consumer: 'test' });
    expect(opened).toEqual([529]);
    expect(await backend.chips()).toEqual([
      { name: 'gpiochip0', label: 'pinctrl-bcm2711', lines: 58, sysfsBase: 512 },
      { name: 'gpiochip1', label: 'raspberrypi-exp-gpio', lines: 8, sysfsBase: 570 },
    ]);
    const missing = createSysfsBackend({ root: fixture('does-not-exist'), openNumber: vi.fn() });
    expect(await missing.probe()).toMatchObject({ ok: false, reason: expect.stringContaining('no sysfs GPIO') });
  });
});
