import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGpioDriver, FakeGpio } from '../../../drivers/gpio/index.js';
import { isQinheError } from '../../../runtime/core/errors.js';
import { fakeExitHooks, gpioDevice, recordingContext } from './helpers.js';

const SIREN = 'gpiochip0/18';

function setup(fake: FakeGpio, gpio: Parameters<typeof gpioDevice>[2] = {}) {
  const rec = recordingContext([gpioDevice('siren-1', `gpio://${SIREN}`, { direction: 'out', ...gpio }, 'siren')]);
  const exit = fakeExitHooks();
  const driver = createGpioDriver(rec.ctx, { backend: 'fake', fake, exitHooks: exit.hooks });
  return { ...rec, exit, driver, start: () => driver.start(new AbortController().signal) };
}

describe('GPIO outputs', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('applies the safe state at start, even when a previous run left the siren sounding', async () => {
    const fake = new FakeGpio();
    fake.setPhysical(SIREN, true);
    const { driver, start } = setup(fake);
    await start();
    expect(fake.output(SIREN)).toBe(false);
    expect(fake.writes(SIREN).map((w) => w.level)).toEqual([false]);
    await driver.stop();
  });

  it('drives an active-low siren to the right electrical level', async () => {
    const fake = new FakeGpio();
    const { driver, start } = setup(fake, { activeLow: true });
    await start();
    expect(fake.physical(SIREN)).toBe(true); // idle = inactive = high on an active-low line
    await driver.output?.({ deviceId: 'siren-1', pattern: 'continuous', seconds: 10 });
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.physical(SIREN)).toBe(false);
    await driver.stop();
    expect(fake.physical(SIREN)).toBe(true);
  });

  it('plays a pattern for no longer than the profile maxOnS and then returns to safe', async () => {
    const fake = new FakeGpio();
    const { driver, start } = setup(fake, { maxOnS: 5 });
    await start();
    await driver.output?.({ deviceId: 'siren-1', pattern: 'continuous', seconds: 60 });
    await vi.advanceTimersByTimeAsync(4_000);
    expect(fake.output(SIREN)).toBe(true);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(fake.output(SIREN)).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.writes(SIREN).map((w) => w.level)).toEqual([false, true, false]);
    await driver.stop();
  });

  it('lets a higher-priority alarm override a lower one, then resumes the lower one', async () => {
    const fake = new FakeGpio();
    const { driver, start } = setup(fake);
    await start();
    await driver.output?.({ deviceId: 'siren-1', pattern: 'continuous', seconds: 30, priority: 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    await driver.output?.({ deviceId: 'siren-1', pattern: 'fire', seconds: 8, priority: 3 });
    await vi.advanceTimersByTimeAsync(700); // fire: first gap
    expect(fake.output(SIREN)).toBe(false);
    await vi.advanceTimersByTimeAsync(7_400); // fire ended at 9 s; continuous still has until 30 s
    expect(fake.output(SIREN)).toBe(true);
    await vi.advanceTimersByTimeAsync(21_000);
    expect(fake.output(SIREN)).toBe(false);
    await driver.stop();
  });

  it("'off' silences the siren at once", async () => {
    const fake = new FakeGpio();
    const { driver, start } = setup(fake);
    await start();
    await driver.output?.({ deviceId: 'siren-1', pattern: 'continuous', seconds: 60 });
    await vi.advanceTimersByTimeAsync(1);
    await driver.output?.({ deviceId: 'siren-1', pattern: 'off', seconds: 0 });
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.output(SIREN)).toBe(false);
    await driver.stop();
  });

  it('returns to the safe state at stop; stop is idempotent and the exit handler is removed', async () => {
    const fake = new FakeGpio();
    const { driver, start, exit } = setup(fake);
    await start();
    expect(exit.listeners()).toBe(1);
    await driver.output?.({ deviceId: 'siren-1', pattern: 'continuous', seconds: 60 });
    await vi.advanceTimersByTimeAsync(1);
    await driver.stop();
    await driver.stop();
    expect(fake.output(SIREN)).toBe(false);
    expect(fake.isOpen(SIREN)).toBe(false);
    expect(exit.listeners()).toBe(0);
    let caught: unknown;
    await driver.output?.({ deviceId: 'siren-1', pattern: 'fire', seconds: 5 }).catch((err: unknown) => (caught = err));
    expect(isQinheError(caught, 'QH_GPIO_NOT_OUTPUT')).toBe(true);
  });

  it('writes the safe state synchronously when the process exits while the siren sounds', async () => {
    const fake = new FakeGpio();
    const { driver, start, exit } = setup(fake);
    await start();
    await driver.output?.({ deviceId: 'siren-1', pattern: 'continuous', seconds: 60 });
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.output(SIREN)).toBe(true);
    exit.exit(); // no awaiting: only synchronous work runs in an 'exit' handler
    expect(fake.output(SIREN)).toBe(false);
    await driver.stop();
  });

  it('survives a driver crash: the supervisor path makes it safe and a restarted driver starts safe', async () => {
    const fake = new FakeGpio();
    const first = setup(fake);
    await first.start();
    await first.driver.output?.({ deviceId: 'siren-1', pattern: 'continuous', seconds: 60 });
    await vi.advanceTimersByTimeAsync(1);
    first.driver.applySafeStateSync(); // supervisor, on catching the crash
    expect(fake.output(SIREN)).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fake.output(SIREN)).toBe(false); // the crashed instance's pattern does not come back
    await first.driver.stop();
    await first.driver.start(new AbortController().signal); // the supervisor's restart
    await first.driver.output?.({ deviceId: 'siren-1', pattern: 'continuous', seconds: 2 });
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.output(SIREN)).toBe(true);
    await first.driver.stop();
    expect(fake.output(SIREN)).toBe(false);
  });

  it('a new driver instance after a hard crash (lines released, level left on) starts in the safe state', async () => {
    const fake = new FakeGpio();
    const crashed = setup(fake);
    await crashed.start();
    await crashed.driver.output?.({ deviceId: 'siren-1', pattern: 'continuous', seconds: 60 });
    await vi.advanceTimersByTimeAsync(1);
    fake.releaseAll(); // the process died; the kernel released its lines, the siren level stayed on
    expect(fake.output(SIREN)).toBe(true);
    const restarted = setup(fake);
    await restarted.start();
    expect(fake.output(SIREN)).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.output(SIREN)).toBe(false);
    await restarted.driver.stop();
    await crashed.driver.stop();
  });

  it('rejects a command for a device that is not one of its outputs', async () => {
    const fake = new FakeGpio();
    const { driver, start } = setup(fake);
    await start();
    let caught: unknown;
    await driver.output?.({ deviceId: 'cam-1', pattern: 'fire', seconds: 5 }).catch((err: unknown) => (caught = err));
    expect(isQinheError(caught, 'QH_GPIO_NOT_OUTPUT')).toBe(true);
    await driver.output?.({ deviceId: 'siren-1', pattern: 'fire', seconds: -1 }).catch((err: unknown) => (caught = err));
    expect(isQinheError(caught, 'QH_OUTPUT_INVALID')).toBe(true);
    await driver.stop();
  });
});

describe('GPIO output availability', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports a siren whose writes fail offline once, and online when they work again', async () => {
    const fake = new FakeGpio();
    const { driver, start, availability } = setup(fake);
    await start();
    fake.failWrites(SIREN);
    await driver.output?.({ deviceId: 'siren-1', pattern: 'intrusion', seconds: 30 });
    await vi.advanceTimersByTimeAsync(5_000);
    fake.failWrites(SIREN, false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(availability.map((a) => a.state)).toEqual(['online', 'offline', 'online']);
    expect(availability[1]?.error).toMatch(/gpiochip0\/18: write to gpiochip0\/18 failed/);
    expect(fake.writes(SIREN).length).toBeGreaterThan(1);
    await driver.stop();
  });
});
