import { afterEach, describe, expect, it } from 'vitest';
import { ClockMonitor } from '../../../runtime/clock/clock-monitor.js';
import { ManualClock } from '../../../runtime/clock/manual-clock.js';
import { logger, makeHarness, read, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => { await h.engine.stop(); });

describe('incidents raised before the clock is synced', () => {
  it('are marked clockSynced: false, then corrected from monotonic time in an updated event', async () => {
    // The box booted believing it is 1970-01-02; the true time is 2026-11-26T03:00:00Z.
    const clock = new ManualClock({ wall: 86_400_000, mono: 10_000 });
    const monitor = new ClockMonitor({ clock, timers: clock, logger, probe: async () => false });
    h = makeHarness({ clock, clockMonitor: monitor, evidence: false });
    h.engine.start();
    read(h, 'cp-b3-08', 'temperature', 72);
    const detectedMono = clock.mono();
    clock.advance(45_000);
    const trueNow = Date.UTC(2026, 10, 26, 3, 0, 0);
    clock.jumpWall(trueNow - clock.now()); // NTP steps the clock
    monitor.markSynced();
    await h.flush();
    const [raised, updated] = h.appended();
    expect(raised).toMatchObject({ event: 'raised', clockSynced: false, detectedAt: '1970-01-02T00:00:00.000Z' });
    expect(updated).toMatchObject({ event: 'updated', clockSynced: true, data: { clockCorrected: true, previousDetectedAt: '1970-01-02T00:00:00.000Z' } });
    const trueDetected = new Date(trueNow - (clock.mono() - detectedMono)).toISOString();
    expect(updated?.detectedAt).toBe(trueDetected);
    expect(updated?.timeline.detectedAt).toBe(trueDetected);
    expect(updated?.timeline.alarmedAt).toBe(trueDetected);
    // incidents after the sync are synced from the start
    read(h, 'cp-b3-07', 'temperature', 72);
    await h.flush();
    expect(h.appended().at(-1)).toMatchObject({ event: 'raised', clockSynced: true });
  });
});
