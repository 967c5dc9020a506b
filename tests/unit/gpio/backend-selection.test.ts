import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createGpioDriver, FakeGpio, selectBackend } from '../../../drivers/gpio/index.js';
import { isQinheError } from '../../../runtime/core/errors.js';
import { gpioDevice, recordingContext } from './helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/gpio/${name}`, import.meta.url));
const emptyDev = mkdtempSync(join(tmpdir(), 'qinhe-gpio-dev-'));
afterAll(() => rmSync(emptyDev, { recursive: true, force: true }));

const machineHasGpio = existsSync('/sys/class/gpio/export')
  || (existsSync('/dev') && readdirSync('/dev').some((e) => e.startsWith('gpiochip')));

const devices = () => [
  gpioDevice('panic-1', 'gpio://gpiochip0/17', { eventKind: 'panic' }),
  gpioDevice('siren-1', 'gpio://gpiochip0/18', { direction: 'out' }, 'siren'),
];

describe('GPIO backend selection', () => {
  it('on a machine without GPIO runs without it: one warning, every device offline with the reason', async () => {
    const { ctx, availability, logs } = recordingContext(devices());
    const driver = createGpioDriver(ctx, { backend: 'auto', sysfsRoot: fixture('does-not-exist'), devDir: emptyDev });
    await driver.start(new AbortController().signal);
    await driver.stop();
    await driver.start(new AbortController().signal); // a supervisor restart does not repeat the warning
    expect(driver.backendName()).toBe('none');
    const warnings = logs.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.msg)).toMatch(/running without GPIO: .*sysfs: .*cdev: no GPIO character devices/);
    expect(availability.slice(0, 2).map((a) => [a.device, a.state])).toEqual([['panic-1', 'offline'], ['siren-1', 'offline']]);
    expect(availability[0]?.error).toMatch(/^QH_GPIO_UNAVAILABLE: /);
    let caught: unknown;
    await driver.output?.({ deviceId: 'siren-1', pattern: 'fire', seconds: 5 }).catch((err: unknown) => (caught = err));
    expect(isQinheError(caught, 'QH_GPIO_UNAVAILABLE')).toBe(true);
    await driver.stop();
  });

  it.skipIf(machineHasGpio)('auto finds no backend on this machine with the real /sys and /dev', async () => {
    const selection = await selectBackend({ backend: 'auto' });
    expect(selection.backend).toBeNull();
    expect(selection.attempts.map((a) => [a.name, a.ok])).toEqual([['sysfs', false], ['cdev', false]]);
  });

  it('auto picks sysfs where a sysfs tree exists and opens the lines at their resolved global numbers', async () => {
    const fake = new FakeGpio();
    const opened: number[] = [];
    const { ctx, availability } = recordingContext(devices());
    const driver = createGpioDriver(ctx, {
      backend: 'auto', sysfsRoot: fixture('sysfs-pi4-6.6'), devDir: emptyDev, fake,
      sysfsOpenNumber: (n, spec) => {
        opened.push(n);
        return fake.backend().open(spec);
      },
    });
    await driver.start(new AbortController().signal);
    expect(driver.backendName()).toBe('sysfs');
    expect(opened.sort()).toEqual([529, 530]);
    expect(availability.map((a) => a.state)).toEqual(['online', 'online']);
    await driver.stop();
    const cdevOnly = await selectBackend({ backend: 'cdev', devDir: emptyDev });
    expect(cdevOnly.backend).toBeNull();
  });

  it("'none' switches GPIO off without probing anything", async () => {
    const selection = await selectBackend({ backend: 'none' });
    expect(selection).toMatchObject({ backend: null, attempts: [], reason: expect.stringContaining('gpio.backend: none') });
  });

  it('stays silent when there are no GPIO devices to run', async () => {
    const { ctx, logs } = recordingContext([]);
    const driver = createGpioDriver(ctx, { backend: 'auto', sysfsRoot: fixture('does-not-exist'), devDir: emptyDev });
    await driver.start(new AbortController().signal);
    expect(logs.filter((l) => l.level === 40)).toEqual([]);
    await driver.stop();
  });
});
