/**
 * The character-device backend against stand-ins for the libgpiod 1.6 tools (tests/fixtures/gpio/gpiod-1.6):
 * checks the command lines it runs and how it reads their output. Real processes, so waits use vi.waitFor.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCdevBackend, parseGpiodetect } from '../../../drivers/gpio/cdev-backend.js';

const toolsDir = fileURLToPath(new URL('../../fixtures/gpio/gpiod-1.6', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'qinhe-cdev-'));
const devDir = join(work, 'dev');
const log = join(work, 'gpiod.log');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const calls = (): string[] => {
  try {
    return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

describe('cdev backend (gpiod 1.6 tools)', () => {
  beforeEach(() => {
    rmSync(devDir, { recursive: true, force: true });
    writeFileSync(log, '');
    vi.stubEnv('QINHE_FAKE_GPIOD_LOG', log);
  });
  afterEach(() => vi.unstubAllEnvs());

  it('is unusable without /dev/gpiochip*, usable with them and the tools', async () => {
    expect(await createCdevBackend({ devDir, toolsDir }).probe()).toMatchObject({ ok: false });
    mkdirSync(devDir, { recursive: true });
    writeFileSync(join(devDir, 'gpiochip0'), '');
    expect(await createCdevBackend({ devDir, toolsDir }).probe()).toEqual({ ok: true });
    const noTools = await createCdevBackend({ devDir, toolsDir: join(work, 'no-tools') }).probe();
    expect(noTools).toMatchObject({ ok: false, reason: expect.stringContaining('apt install gpiod') });
  });

  it('lists chips with their lines from gpiodetect and gpioinfo', async () => {
    const chips = await createCdevBackend({ devDir, toolsDir }).chips();
    expect(chips.map((c) => [c.name, c.label, c.lines])).toEqual([['gpiochip0', 'pinctrl-bcm2711', 58], ['gpiochip1', 'raspberrypi-exp-gpio', 8]]);
    expect(chips[0]?.lineInfo).toEqual([
      { offset: 0, name: 'ID_SDA', direction: 'input', activeLow: false },
      { offset: 17, name: 'GPIO17', consumer: 'qinhe:siren-1', direction: 'output', activeLow: false },
      { offset: 42, name: 'STATUS_LED_G_CLK', consumer: 'led0', direction: 'output', activeLow: false },
    ]);
    expect(chips[1]?.lineInfo).toEqual([{ offset: 0, consumer: 'kernel', direction: 'input', activeLow: true }]);
  });

  it('parses gpiodetect', () => {
    expect(parseGpiodetect('gpiochip0 [pinctrl-bcm2711] (58 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)\n')).toEqual([
      { name: 'gpiochip0', label: 'pinctrl-bcm2711', lines: 58 },
      { name: 'gpiochip1', label: 'raspberrypi-exp-gpio', lines: 8 },
    ]);
  });

  it('reads an input with gpioget, then follows gpiomon edges, with the active-low flag', async () => {
    vi.stubEnv('QINHE_FAKE_GPIOD_LEVEL', '0');
    const backend = createCdevBackend({ devDir, toolsDir });
    const line = await backend.open({ chip: 'gpiochip0', line: 17, direction: 'in', activeLow: true, consumer: 't' });
    const edges: boolean[] = [];
    line.watch((level) => edges.push(level));
    expect(calls()[0]).toBe('gpioget --active-low gpiochip0 17');
    await vi.waitFor(() => expect(edges).toEqual([true, false]));
    expect(calls()[1]).toBe('gpiomon --active-low --line-buffered --format=%e gpiochip0 17');
    expect(await line.read()).toBe(false);
    await line.close();
  });

  it('holds an output with gpioset --mode=signal, re-holds on a change and sets it synchronously on exit', async () => {
    const backend = createCdevBackend({ devDir, toolsDir });
    const line = await backend.open({ chip: 'gpiochip0', line: 18, direction: 'out', activeLow: false, initial: false, consumer: 't' });
    const errors: Error[] = [];
    line.onError((e) => errors.push(e));
    await vi.waitFor(() => expect(calls()).toEqual(['gpioset --mode=signal gpiochip0 18=0']));
    await line.write(true);
    await vi.waitFor(() => expect(calls()).toEqual(['gpioset --mode=signal gpiochip0 18=0', 'gpioset --mode=signal gpiochip0 18=1']));
    expect(line.writeSync(false)).toBe(true);
    expect(calls().at(-1)).toBe('gpioset --mode=exit gpiochip0 18=0');
    await line.close();
    expect(errors).toEqual([]);
  });
});
