import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../runtime/clock/manual-clock.js';
import { heat, makeHarness, read, type Harness } from './harness.js';

const harnesses: Harness[] = [];
afterEach(async () => { for (const h of harnesses.splice(0)) await h.engine.stop(); });
const make = (...a: Parameters<typeof makeHarness>) => { const h = makeHarness(...a); harnesses.push(h); return h; };
const stagesOf = (h: Harness) => h.appended().filter((e) => e.event === 'escalated').map((e) => e.data.stage);

describe('restart in the middle of an incident', () => {
  it('a new engine on the same data dir picks the incident up and keeps its escalation timeline', async () => {
    const first = make({ evidence: false });
    first.engine.start();
    heat(first, 'cp-b3-07', { from: 30, perMin: 10, everyS: 5, seconds: 120 }, () => first.engine.open().length > 0);
    const id = first.engine.open()[0]?.id ?? '';
    first.clock.advance(70_000); // ack-timeout fired at 60 s
    await first.flush();
    expect(stagesOf(first)).toEqual(['ack-timeout']);
    await first.engine.stop(); // the crash: nothing else is kept

    // 20 s of downtime; a new process has a new monotonic origin
    const clock = new ManualClock({ wall: first.clock.now() + 20_000, mono: 5_000 });
    const second = make({ dataDir: first.dataDir, clock, evidence: false });
    second.engine.start();
    expect(second.engine.open().map((i) => i.id)).toEqual([id]);
    expect(second.engine.open()[0]?.stagesDone).toEqual(['ack-timeout']);
    // 90 s since detection now: the 3-minute reminder is due in 90 s, not 180 s, and ack-timeout never fires again
    clock.advance(89_000);
    await second.flush();
    expect(stagesOf(second)).toEqual([]);
    clock.advance(1_000);
    await second.flush();
    expect(stagesOf(second)).toEqual(['onsite-reminder']);
    const ev = second.appended().at(-1);
    expect(ev).toMatchObject({ incidentId: id, data: { elapsedS: 180 } });
  });

  it('repeats after the restart update the restored incident instead of raising a new one', async () => {
    const first = make({ evidence: false });
    first.engine.start();
    read(first, 'cp-b3-08', 'temperature', 72);
    await first.flush();
    await first.engine.stop();
    const second = make({ dataDir: first.dataDir, evidence: false });
    second.engine.start();
    read(second, 'cp-b3-08', 'temperature', 73);
    expect(second.engine.open()).toHaveLength(1);
    second.clock.advance(31_000);
    await second.flush();
    expect(second.appended().filter((e) => e.event === 'raised')).toEqual([]);
    // the resolve command reaches the restored incident
    await second.engine.resolve({ incidentId: first.appended()[0]?.incidentId ?? '', by: 'op', outcome: 'handled' });
    expect(second.engine.open()).toEqual([]);
  });

  it('re-sends raised when the crash came before the outbox committed it, and re-sounds the alarm', async () => {
    const first = make({ evidence: false, outbox: { appendIncident: () => new Promise(() => {}), append: async () => {} } });
    first.engine.start();
    read(first, 'cp-b3-08', 'temperature', 72);
    await first.engine.stop();
    const second = make({ dataDir: first.dataDir, evidence: false });
    second.engine.start();
    await second.flush();
    expect(second.appended().map((e) => [e.event, e.data.restored])).toEqual([['raised', true]]);
    expect(second.outputs().map((o) => `${o.deviceId}:${o.pattern}`)).toEqual(['siren-b3:fire', 'strobe-b3:fire']);
  });

  it('a wall clock that went backwards over the reboot (no RTC) delays no stage and fires none twice', async () => {
    const first = make({ evidence: false });
    first.engine.start();
    read(first, 'cp-b3-08', 'temperature', 72);
    first.clock.advance(30_000);
    await first.flush();
    await first.engine.stop();
    const clock = new ManualClock({ wall: first.clock.now() - 3 * 86_400_000, mono: 1 });
    const second = make({ dataDir: first.dataDir, clock, evidence: false });
    second.engine.start();
    clock.advance(29_999);
    await second.flush();
    expect(stagesOf(second)).toEqual([]);
    clock.advance(1);
    await second.flush();
    expect(stagesOf(second)).toEqual(['ack-timeout']);
  });
});
