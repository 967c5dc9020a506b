import { describe, expect, it } from 'vitest';
import { PATTERN_SPECS, levelAt } from '../../../drivers/outputs/patterns.js';

/** Samples a spec every 50 ms and returns the total on-time and the number of rising edges. */
function sample(spec: Parameters<typeof levelAt>[0], untilMs: number): { onMs: number; rises: number } {
  let onMs = 0;
  let rises = 0;
  let prev = false;
  for (let t = 0; t < untilMs; t += 50) {
    const { on } = levelAt(spec, t);
    if (on) onMs += 50;
    if (on && !prev) rises++;
    prev = on;
  }
  return { onMs, rises };
}

describe('alarm patterns', () => {
  it('fire is temporal-three: three 0.5 s pulses in every 4 s cycle', () => {
    expect(sample(PATTERN_SPECS.fire, 8000)).toEqual({ onMs: 3000, rises: 6 });
    expect(levelAt(PATTERN_SPECS.fire, 2600)).toEqual({ on: false, changeInMs: 1400 });
  });

  it('continuous stays on with no further change', () => {
    expect(levelAt(PATTERN_SPECS.continuous, 123_456)).toEqual({ on: true, changeInMs: Number.POSITIVE_INFINITY });
  });

  it('intrusion pulses four times a second', () => {
    expect(sample(PATTERN_SPECS.intrusion, 2000).rises).toBe(4);
  });

  it('chirp is a short pulse every two seconds', () => {
    expect(levelAt(PATTERN_SPECS.chirp, 50)).toEqual({ on: true, changeInMs: 50 });
    expect(levelAt(PATTERN_SPECS.chirp, 2050).on).toBe(true);
    expect(levelAt(PATTERN_SPECS.chirp, 1000).on).toBe(false);
  });

  it('escalated grows from slow chirps to pulses to continuous', () => {
    const slow = sample(PATTERN_SPECS.escalated, 10_000);
    expect(slow.rises).toBe(5);
    expect(levelAt(PATTERN_SPECS.escalated, 10_600)).toEqual({ on: false, changeInMs: 400 });
    expect(levelAt(PATTERN_SPECS.escalated, 9_900).changeInMs).toBe(100);
    expect(levelAt(PATTERN_SPECS.escalated, 20_000)).toEqual({ on: true, changeInMs: Number.POSITIVE_INFINITY });
  });
});
