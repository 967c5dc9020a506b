import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ClockMonitor } from '../../../runtime/clock/clock-monitor.js';
import { ManualClock } from '../../../runtime/clock/manual-clock.js';
import { anyProbe, timedatectlProbe, timesyncFileProbe } from '../../../runtime/clock/probes.js';
import { EventBus } from '../../../runtime/core/bus.js';

const logger = pino({ level: 'silent' });

describe('ClockMonitor', () => {
  it('polls until the probe says synced, then reports the wall/mono offset once', async () => {
    const clock = new ManualClock({ wall: 1_000_000, mono: 500 });
    let synced = false;
    let probes = 0;
    const bus = new EventBus(logger);
    const seen: number[] = [];
    bus.on('clockSynced', {}, (p) => seen.push(p.offsetMs));
    const mon = new ClockMonitor({ clock, timers: clock, logger, bus, pollMs: 5000, probe: async () => { probes++; return synced; } });
    const offsets: number[] = [];
    mon.onSync((o) => offsets.push(o));
    mon.start();
    await Promise.resolve();
    expect(mon.synced()).toBe(false);
    expect(mon.trueWall(600)).toBeNull();
    clock.advance(5000);
    await Promise.resolve();
    expect(probes).toBe(2);
    clock.jumpWall(86_400_000); // NTP steps the clock forward a day
    synced = true;
    clock.advance(5000);
    await new Promise((r) => setImmediate(r));
    expect(mon.synced()).toBe(true);
    const expected = clock.now() - clock.mono();
    expect(offsets).toEqual([expected]);
    expect(seen).toEqual([expected]);
    expect(mon.trueWall(500)).toBe(500 + expected);
    clock.advance(60_000);
    expect(probes).toBe(3); // stops polling once synced
    expect(clock.pendingCount()).toBe(0);
  });

  it('keeps polling when the probe throws', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const mon = new ClockMonitor({ clock, timers: clock, logger, pollMs: 1000, probe: async () => { calls++; throw new Error('no dbus'); } });
    mon.start();
    await new Promise((r) => setImmediate(r));
    clock.advance(1000);
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(2);
    expect(mon.synced()).toBe(false);
    mon.stop();
    expect(clock.pendingCount()).toBe(0);
  });
});

describe('clock probes', () => {
  it('the timesyncd file probe follows the flag file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qinhe-clock-'));
    const flag = join(dir, 'synchronized');
    const probe = timesyncFileProbe(flag);
    expect(await probe()).toBe(false);
    writeFileSync(flag, '');
    expect(await probe()).toBe(true);
  });

  it('the timedatectl probe is false when the tool is missing, and anyProbe falls through', async () => {
    expect(await timedatectlProbe('/nonexistent/timedatectl')()).toBe(false);
    expect(await anyProbe(async () => false, async () => true)()).toBe(true);
    expect(await anyProbe(async () => false)()).toBe(false);
  });

  it('the timedatectl probe stops forking after 3 failures in a row, and keeps asking while the answer is "no"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qinhe-clock-'));
    const calls = join(dir, 'calls');
    const answer = join(dir, 'answer');
    const bin = join(dir, 'timedatectl');
    // Counts its runs; prints the answer file, or fails as timedatectl does without systemd.
    writeFileSync(bin, `#!/bin/sh\necho x >> ${calls}\nif [ -f ${answer} ]; then cat ${answer}; exit 0; fi\n`
      + 'echo "System has not been booted with systemd as init system (PID 1). Can\'t operate." >&2; exit 1\n', { mode: 0o755 });
    const runs = () => (existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter(Boolean).length : 0);

    writeFileSync(answer, 'no\n');
    const asking = timedatectlProbe(bin);
    for (let i = 0; i < 5; i++) expect(await asking()).toBe(false);
    expect(runs()).toBe(5);
    writeFileSync(answer, 'yes\n');
    expect(await asking()).toBe(true);

    rmSync(answer);
    writeFileSync(calls, '');
    const failing = timedatectlProbe(bin);
    for (let i = 0; i < 6; i++) expect(await failing()).toBe(false);
    expect(runs()).toBe(3);
  });
});
