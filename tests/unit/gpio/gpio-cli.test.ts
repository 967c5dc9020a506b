import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../../../runtime/cli/commands/gpio.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/gpio/${name}`, import.meta.url));
const emptyDev = mkdtempSync(join(tmpdir(), 'qinhe-gpio-cli-'));
afterAll(() => rmSync(emptyDev, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

async function run(args: string[]): Promise<string> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const program = new Command('qinhe').exitOverride();
  register(program);
  await program.parseAsync(args, { from: 'user' });
  vi.restoreAllMocks();
  return out;
}

describe('qinhe gpio list', () => {
  it('explains that there is no GPIO and succeeds', async () => {
    const out = await run(['gpio', 'list', '--sysfs-root', fixture('does-not-exist'), '--dev-dir', emptyDev]);
    expect(out).toMatch(/This machine has no GPIO/);
    expect(out).toMatch(/sysfs: no sysfs GPIO/);
  });

  it('lists chips with their sysfs base as JSON', async () => {
    const out = await run(['gpio', 'list', '--json', '--sysfs-root', fixture('sysfs-pi4-6.6'), '--dev-dir', emptyDev]);
    const inventory = JSON.parse(out) as { available: boolean; chips: unknown[]; explanation?: string };
    expect(inventory.available).toBe(true);
    expect(inventory.explanation).toBeUndefined();
    expect(inventory.chips).toEqual([
      { name: 'gpiochip0', label: 'pinctrl-bcm2711', lines: 58, sysfsBase: 512, seenBy: ['sysfs'] },
      { name: 'gpiochip1', label: 'raspberrypi-exp-gpio', lines: 8, sysfsBase: 570, seenBy: ['sysfs'] },
    ]);
  });

  it('shows character-device chips and the lines in use, with the gpiod tools on PATH', async () => {
    const devDir = join(emptyDev, 'with-chip');
    mkdirSync(devDir, { recursive: true });
    writeFileSync(join(devDir, 'gpiochip0'), '');
    vi.stubEnv('PATH', `${fixture('gpiod-1.6')}:${process.env.PATH ?? ''}`);
    const out = await run(['gpio', 'list', '--sysfs-root', fixture('does-not-exist'), '--dev-dir', devDir]);
    expect(out).toMatch(/✔ cdev: usable/);
    expect(out).toMatch(/pinctrl-bcm2711/);
    expect(out).toMatch(/in use: gpiochip0\/17 \(GPIO17\) by qinhe:siren-1, output/);
    expect(out).not.toMatch(/This machine has no GPIO/);
  });
});
