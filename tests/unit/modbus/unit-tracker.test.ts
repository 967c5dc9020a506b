import { describe, expect, it } from 'vitest';
import { UnitTracker } from '../../../drivers/modbus/unit-tracker.js';
import { QinheError } from '../../../runtime/core/errors.js';
import { recorder, silentLogger } from './helpers.js';

function manualClock() {
  let t = 1_000;
  return { now: () => 1_700_000_000_000 + t, mono: () => t, advance: (ms: number) => { t += ms; } };
}

const timeout = new QinheError('QH_MODBUS_TIMEOUT', 'no reply');

describe('UnitTracker', () => {
  it('backs off probes of a dead unit, doubling up to the cap', () => {
    const clock = manualClock();
    const t = new UnitTracker('cp-1', 1, 60_000, { baseMs: 2_000, maxMs: 8_000 }, recorder(), clock, silentLogger);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      t.fail(timeout);
      let waited = 0;
      while (!t.due()) { clock.advance(500); waited += 500; }
      waits.push(waited);
    }
    expect(waits).toEqual([2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('reports offline only after offlineAfterS without an answer, once, and online once', () => {
    const clock = manualClock();
    const facts = recorder();
    const t = new UnitTracker('cp-1', 1, 10_000, { baseMs: 1_000, maxMs: 1_000 }, facts, clock, silentLogger);
    t.ok();
    clock.advance(3_000);
    t.fail(timeout);
    expect(facts.states('cp-1')).toEqual(['online']);
    for (let i = 0; i < 20; i++) { clock.advance(1_000); t.checkOffline(); if (t.due()) t.fail(timeout); }
    expect(facts.states('cp-1')).toEqual(['online', 'offline']);
    t.ok();
    t.ok();
    expect(facts.states('cp-1')).toEqual(['online', 'offline', 'online']);
    expect(t.quarantined).toBe(false);
  });

  it('goes offline at once when the adapter is gone and is probed at once when it is back', () => {
    const clock = manualClock();
    const facts = recorder();
    const t = new UnitTracker('cp-1', 1, 60_000, { baseMs: 30_000, maxMs: 30_000 }, facts, clock, silentLogger);
    t.ok();
    t.linkDown('serial port gone');
    t.linkDown('serial port gone');
    expect(facts.states('cp-1')).toEqual(['online', 'offline']);
    t.fail(timeout);
    expect(t.due()).toBe(false);
    t.linkUp();
    expect(t.due()).toBe(true);
  });
});
