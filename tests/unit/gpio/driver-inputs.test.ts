import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGpioDriver, FakeGpio } from '../../../drivers/gpio/index.js';
import { fakeExitHooks, gpioDevice, recordingContext } from './helpers.js';

async function startWith(fake: FakeGpio, devices: ReturnType<typeof gpioDevice>[]) {
  const rec = recordingContext(devices);
  const driver = createGpioDriver(rec.ctx, { backend: 'fake', fake, exitHooks: fakeExitHooks().hooks });
  await driver.start(new AbortController().signal);
  return { ...rec, driver };
}

const brief = (e: { device: string; topic: string; kind: string; active: boolean }) =>
  ({ device: e.device, topic: e.topic, kind: e.kind, active: e.active });

describe('GPIO inputs', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports one panic press through contact bounce, and its release', async () => {
    const fake = new FakeGpio();
    const { events, availability, driver } = await startWith(fake, [
      gpioDevice('panic-1', 'gpio://gpiochip0/17', { activeLow: true, eventKind: 'panic' }),
    ]);
    expect(availability.map((a) => [a.device, a.state])).toEqual([['panic-1', 'online']]);
    for (const level of [true, false, true, false, true]) {
      fake.setInput('gpiochip0/17', level);
      vi.advanceTimersByTime(5);
    }
    expect(events).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(events.map(brief)).toEqual([{ device: 'panic-1', topic: 'input', kind: 'panic', active: true }]);
    fake.setInput('gpiochip0/17', false);
    vi.advanceTimersByTime(50);
    expect(events.map((e) => e.active)).toEqual([true, false]);
    await driver.stop();
  });

  it('ignores a glitch shorter than the profile debounce', async () => {
    const fake = new FakeGpio();
    const { events, driver } = await startWith(fake, [
      gpioDevice('tamper-box', 'gpio://gpiochip0/4', { activeLow: true, debounceMs: 100, eventKind: 'tamper' }),
    ]);
    fake.setInput('gpiochip0/4', true);
    vi.advanceTimersByTime(80);
    fake.setInput('gpiochip0/4', false);
    vi.advanceTimersByTime(500);
    expect(events).toEqual([]);
    fake.setInput('gpiochip0/4', true);
    vi.advanceTimersByTime(99);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events.map(brief)).toEqual([{ device: 'tamper-box', topic: 'input', kind: 'tamper', active: true }]);
    await driver.stop();
  });

  it('honours the active level: an active-low contact is active when the line is low', async () => {
    const fake = new FakeGpio();
    const { events, driver } = await startWith(fake, [
      gpioDevice('door-1', 'gpio://gpiochip0/5', { activeLow: true, eventKind: 'door' }),
      gpioDevice('door-2', 'gpio://gpiochip0/6', { activeLow: false, eventKind: 'door' }),
    ]);
    fake.setPhysical('gpiochip0/5', false);
    fake.setPhysical('gpiochip0/6', true);
    vi.advanceTimersByTime(50);
    expect(events.map((e) => [e.device, e.active])).toEqual([['door-1', true], ['door-2', true]]);
    await driver.stop();
  });

  it('reports a contact already active at start, marked initial', async () => {
    const fake = new FakeGpio();
    fake.setPhysical('gpiochip0/9', false); // an active-low panic button held down while the box boots
    const { events, driver } = await startWith(fake, [
      gpioDevice('panic-2', 'gpio://gpiochip0/9', { activeLow: true, eventKind: 'panic' }),
      gpioDevice('panic-3', 'gpio://gpiochip0/10', { activeLow: true, eventKind: 'panic' }),
    ]);
    expect(events.map((e) => [e.device, e.active, e.data])).toEqual([['panic-2', true, { initial: true }]]);
    await driver.stop();
  });

  it('reports a cut and a bridged supervised loop as tamper, and its contact only while the loop is normal', async () => {
    const fake = new FakeGpio();
    const { events, driver } = await startWith(fake, [
      gpioDevice('door-eol', 'gpio://gpiochip0/20', { supervised: true, eventKind: 'door' }),
    ]);
    const loop = (contact: boolean, fault: boolean) => {
      fake.setInput('gpiochip0/20', contact);
      fake.setInput('gpiochip0/21', fault);
      vi.advanceTimersByTime(50);
    };
    loop(true, false); // door opens, loop normal
    loop(true, true); // wire cut: reads as open + out of window
    loop(false, true); // bridged
    loop(false, false); // repaired, door closed
    expect(events.map((e) => [e.topic, e.kind, e.active, e.data?.loop])).toEqual([
      ['input', 'door', true, undefined],
      ['supervision', 'tamper', true, 'open'],
      ['supervision', 'tamper', true, 'short'],
      ['supervision', 'tamper', false, 'normal'],
      ['input', 'door', false, undefined],
    ]);
    await driver.stop();
  });

  it('reports a device on a line that does not exist offline and keeps the others working', async () => {
    const fake = new FakeGpio({ chips: [{ name: 'gpiochip0', lines: 8 }] });
    const { events, availability, driver } = await startWith(fake, [
      gpioDevice('panic-far', 'gpio://gpiochip0/40', { eventKind: 'panic' }),
      gpioDevice('panic-near', 'gpio://gpiochip0/3', { eventKind: 'panic' }),
    ]);
    expect(availability.map((a) => [a.device, a.state])).toEqual([['panic-far', 'offline'], ['panic-near', 'online']]);
    expect(availability[0]?.error).toMatch(/no line gpiochip0\/40/);
    fake.setInput('gpiochip0/3', true);
    vi.advanceTimersByTime(50);
    expect(events.map((e) => e.device)).toEqual(['panic-near']);
    await driver.stop();
  });

  it('stops reporting after stop and releases its lines', async () => {
    const fake = new FakeGpio();
    const { events, driver } = await startWith(fake, [gpioDevice('panic-1', 'gpio://gpiochip0/17', { eventKind: 'panic' })]);
    fake.setInput('gpiochip0/17', true);
    await driver.stop();
    vi.advanceTimersByTime(1000);
    expect(events).toEqual([]);
    expect(fake.isOpen('gpiochip0/17')).toBe(false);
  });
});
