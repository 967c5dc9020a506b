/**
 * The character-device backend against Debian's real libgpiod 1.6 tools (package gpiod). This machine has no
 * /dev/gpiochip*, so the tools cannot drive a line here; what they can check is everything before the chip: every
 * command line the backend runs is accepted by the real tool's option parser (a wrong option or mode fails there,
 * before any chip is opened), and a tool's own reason for failing reaches the technician in our error.
 *
 * The chip is a name no system has, so on a developer's Raspberry Pi these commands still touch no pin.
 * Skips, saying why, only when the gpiod tools are not installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createCdevBackend } from '../../../drivers/gpio/cdev-backend.js';
import type { GpioLineSpec } from '../../../drivers/gpio/line.js';

const REAL = '/usr/bin';
const TOOLS = ['gpiodetect', 'gpioinfo', 'gpioget', 'gpiomon', 'gpioset'];
const missing = TOOLS.filter((t) => !existsSync(join(REAL, t)));
if (missing.length) console.warn(`[gpiod tools] skipped: ${missing.join(', ')} not installed (apt-get install gpiod)`);
const STAND_INS = fileURLToPath(new URL('../../fixtures/gpio/gpiod-1.6', import.meta.url));
const CHIP = 'qinhe-absent-chip';

const work = mkdtempSync(join(tmpdir(), 'qinhe-gpiod-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

const spec = (over: Partial<GpioLineSpec>): GpioLineSpec => ({ chip: CHIP, line: 17, direction: 'in', activeLow: false, consumer: 'qinhe-test', ...over });

describe.skipIf(missing.length > 0)('cdev backend and the real libgpiod 1.6 tools', () => {
  it('every command line the backend runs is accepted by the real tool, which fails only at the absent chip', async () => {
    // Record the command lines through the stand-ins (they log their arguments), driving every path the backend has.
    const log = join(work, 'calls.log');
    writeFileSync(log, '');
    vi.stubEnv('QINHE_FAKE_GPIOD_LOG', log);
    const devDir = join(work, 'dev');
    mkdirSync(devDir, { recursive: true });
    writeFileSync(join(devDir, 'gpiochip0'), '');
    const backend = createCdevBackend({ devDir, toolsDir: STAND_INS });
    expect(await backend.probe()).toEqual({ ok: true });
    await backend.chips();
    // Each step waits for its stand-in to have logged: a tool killed before its shell ran would log nothing.
    const logged = (line: string) => vi.waitFor(() => expect(readFileSync(log, 'utf8').split('\n').map((c) => c.trim())).toContain(line));
    for (const activeLow of [false, true]) {
      const low = activeLow ? '--active-low ' : '';
      const input = await backend.open(spec({ line: 17, direction: 'in', activeLow }));
      await logged(`gpiomon ${low}--line-buffered --format=%e ${CHIP} 17`);
      await input.close();
      const output = await backend.open(spec({ line: 18, direction: 'out', activeLow, initial: false }));
      await logged(`gpioset --mode=signal ${low}${CHIP} 18=0`);
      await output.write(true);
      await logged(`gpioset --mode=signal ${low}${CHIP} 18=1`);
      expect(output.writeSync(false)).toBe(true);
      await output.close();
    }
    const calls = [...new Set(readFileSync(log, 'utf8').trim().split('\n').map((c) => c.trim()))];
    // Every tool and mode the backend uses was exercised.
    for (const re of [/^gpiodetect$/, /^gpioinfo$/, /^gpioget /, /^gpiomon /, /^gpioset --mode=signal /, /^gpioset --mode=exit /, /--active-low/]) {
      expect(calls.some((c) => re.test(c)), `${re} among ${calls.join(' | ')}`).toBe(true);
    }
    for (const call of calls) {
      const [tool = '', ...args] = call.split(' ');
      const r = spawnSync(join(REAL, tool), args, { encoding: 'utf8', timeout: 5_000 });
      const said = `${call} → status ${r.status}: ${r.stderr.trim()}`;
      expect(r.stderr, said).not.toMatch(/unrecognized option|invalid|unknown|usage|--help/i);
      if (args.includes(CHIP)) expect({ status: r.status, stderr: r.stderr }, said).toMatchObject({ status: 1, stderr: expect.stringMatching(/No such file or directory/) });
      else expect(r.status, said).toBe(0); // gpiodetect and gpioinfo with no chips: nothing to list
    }
  }, 30_000);

  it("a real tool's reason for failing is in the error the technician sees", async () => {
    const backend = createCdevBackend({ devDir: join(work, 'dev'), toolsDir: REAL });
    // An input reads its first level with gpioget: the open itself fails, naming the chip and the tool's reason.
    const err = await backend.open(spec({ direction: 'in' })).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'QH_GPIO_IO', message: expect.stringMatching(new RegExp(`gpioget ${CHIP} 17: \\S*gpioget: error reading GPIO values: No such file or directory$`)) });
    // An output is held by gpioset --mode=signal: its exit is reported with what it said.
    const output = await backend.open(spec({ line: 18, direction: 'out', initial: false }));
    const errors: Error[] = [];
    output.onError((e) => errors.push(e));
    await vi.waitFor(() => expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(new RegExp(`^gpioset for ${CHIP}/18 exited \\(1\\): \\S*gpioset: error setting the GPIO line values: No such file or directory$`)),
    ]), { timeout: 5_000 });
    await output.close();
  }, 30_000);
});
