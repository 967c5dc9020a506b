import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PatternPlayer } from '../../../drivers/outputs/pattern-player.js';
import { isQinheError } from '../../../runtime/core/errors.js';
import { captureLogger, dateClock } from './helpers.js';

/** A recording output: its current level and the time of every write (ms since the test began). */
function recorder() {
  const t0 = Date.now();
  const writes: Array<{ at: number; on: boolean }> = [];
  return {
    writes,
    level: () => writes.at(-1)?.on ?? false,
    setLevel: (on: boolean) => {
      writes.push({ at: Date.now() - t0, on });
    },
  };
}

function makePlayer(out: { setLevel(on: boolean): void | Promise<void> }, maxOnS = 300) {
  const { logger, lines } = captureLogger();
  const player = new PatternPlayer({ setLevel: (on) => out.setLevel(on), maxOnS, logger, clock: dateClock });
  return { player, lines };
}

describe('PatternPlayer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('plays fire as three pulses per cycle and goes silent when its seconds run out', () => {
    const out = recorder();
    const { player } = makePlayer(out);
    player.play('fire', 8);
    vi.advanceTimersByTime(10_000);
    const rises = out.writes.filter((w) => w.on).map((w) => w.at);
    expect(rises).toEqual([0, 1000, 2000, 4000, 5000, 6000]);
    expect(out.level()).toBe(false);
    expect(player.playing()).toBeNull();
  });

  it('never sounds longer than the profile maxOnS even when the command asks for more', () => {
    const out = recorder();
    const { player } = makePlayer(out, 5);
    player.play('continuous', 120);
    vi.advanceTimersByTime(4_999);
    expect(out.level()).toBe(true);
    vi.advanceTimersByTime(1);
    expect(out.level()).toBe(false);
    expect(out.writes.at(-1)?.at).toBe(5000);
  });

  it('uses the command seconds when they are shorter than maxOnS', () => {
    const out = recorder();
    const { player } = makePlayer(out, 300);
    player.play('continuous', 3);
    vi.advanceTimersByTime(3_000);
    expect(out.writes).toEqual([{ at: 0, on: true }, { at: 3000, on: false }]);
  });

  it('does not let re-triggers extend a pattern past maxOnS from its first start', () => {
    const out = recorder();
    const { player } = makePlayer(out, 10);
    player.play('continuous', 6);
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(4_000);
      if (out.level()) player.play('continuous', 6);
    }
    expect(out.writes).toEqual([{ at: 0, on: true }, { at: 10_000, on: false }]);
  });

  it('lets a higher priority pattern win and resumes the lower one while it is still within its time', () => {
    const out = recorder();
    const { player } = makePlayer(out);
    player.play('continuous', 60, 1);
    vi.advanceTimersByTime(1_000);
    player.play('chirp', 4, 5);
    expect(player.playing()?.pattern).toBe('chirp');
    expect(out.level()).toBe(true); // chirp starts on
    vi.advanceTimersByTime(100);
    expect(out.level()).toBe(false); // chirp gap: the continuous one is silenced beneath it
    vi.advanceTimersByTime(3_900);
    expect(player.playing()?.pattern).toBe('continuous');
    expect(out.level()).toBe(true);
    vi.advanceTimersByTime(55_000);
    expect(out.level()).toBe(false);
    expect(out.writes.at(-1)?.at).toBe(60_000);
  });

  it('ignores a lower priority pattern while a higher one plays, and does not resume it after it expired', () => {
    const out = recorder();
    const { player } = makePlayer(out);
    player.play('continuous', 10, 9);
    player.play('intrusion', 5, 1);
    vi.advanceTimersByTime(4_000);
    expect(out.writes).toEqual([{ at: 0, on: true }]);
    vi.advanceTimersByTime(6_000);
    expect(player.playing()).toBeNull();
    expect(out.writes).toEqual([{ at: 0, on: true }, { at: 10_000, on: false }]);
  });

  it('stop(pattern) ends only that pattern; off() silences everything', () => {
    const out = recorder();
    const { player } = makePlayer(out);
    player.play('continuous', 60, 1);
    player.play('fire', 60, 2);
    vi.advanceTimersByTime(600); // fire in its first gap
    expect(out.level()).toBe(false);
    player.stop('fire');
    expect(out.level()).toBe(true);
    player.off();
    expect(out.level()).toBe(false);
    vi.advanceTimersByTime(120_000);
    expect(out.writes.at(-1)).toEqual({ at: 600, on: false });
  });

  it('rejects seconds that are not positive and plays after dispose', () => {
    const out = recorder();
    const { player } = makePlayer(out);
    expect(() => player.play('fire', 0)).toThrow(expect.objectContaining({ code: 'QH_OUTPUT_INVALID' }));
    player.dispose();
    let caught: unknown;
    try {
      player.play('fire', 5);
    } catch (err) {
      caught = err;
    }
    expect(isQinheError(caught, 'QH_OUTPUT_CLOSED')).toBe(true);
    expect(out.writes).toEqual([]);
  });

  it('serialises slow asynchronous writes so the last level wins', async () => {
    const levels: boolean[] = [];
    const out = {
      setLevel: (on: boolean) => new Promise<void>((resolve) => setTimeout(() => {
        levels.push(on);
        resolve();
      }, 300)),
    };
    const { player } = makePlayer(out);
    player.play('intrusion', 1); // toggles every 250 ms, slower writes
    await vi.advanceTimersByTimeAsync(3_000);
    expect(levels.at(-1)).toBe(false);
    for (let i = 1; i < levels.length; i++) expect(levels[i]).not.toBe(levels[i - 1]);
  });

  it('logs a failing write once and retries until it succeeds', () => {
    let fail = true;
    const levels: boolean[] = [];
    const out = {
      setLevel: (on: boolean) => {
        if (fail) throw new Error('EIO');
        levels.push(on);
      },
    };
    const { player, lines } = makePlayer(out);
    player.play('continuous', 60);
    vi.advanceTimersByTime(5_000);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
    fail = false;
    vi.advanceTimersByTime(1_000);
    expect(levels).toEqual([true]);
  });
});

describe('PatternPlayer re-triggers', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('never demotes a running pattern when it is re-triggered at a lower priority', () => {
    const out = recorder();
    const { player } = makePlayer(out);
    player.play('fire', 60, 5);
    player.play('continuous', 60, 3);
    player.play('fire', 60, 1);
    expect(player.playing()).toMatchObject({ pattern: 'fire', priority: 5 });
    player.off();
  });
});
