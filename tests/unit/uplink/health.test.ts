import { describe, expect, it } from 'vitest';
import type { HealthV1 } from '../../../runtime/core/contract.js';
import type { OutboxMessage } from '../../../runtime/core/ports.js';
import { HealthReporter } from '../../../runtime/uplink/index.js';
import type { OutboxStats } from '../../../runtime/store/index.js';
import { silentLogger } from '../store/fixtures.js';
import { ManualTimers } from './manual-timers.js';

const lanes = { critical: 0, incident: 0, reply: 0, health: 0, evidence: 0, telemetry: 3 };
function fakeOutbox() {
  const messages: OutboxMessage[] = [];
  const stats = (): OutboxStats => ({ pending: 7, oldestPendingAt: '2026-11-26T03:00:00.000Z', bytes: 1234, evictions: lanes,
    byLane: {} as OutboxStats['byLane'] });
  return { messages, append: async (m: OutboxMessage) => { messages.push(m); }, stats };
}

const base = (online: number): HealthV1 => ({ v: 1, at: 'T', uptimeS: 1, clockSynced: true, store: { pending: 0, oldestPendingAt: null, bytes: 0 },
  devices: { total: 3, online, offline: 3 - online, degraded: 0 }, unhealthy: [], buses: [] });

describe('HealthReporter', () => {
  it('publishes retained R/health with the store filled in, at start and then every interval', async () => {
    const timers = new ManualTimers();
    const outbox = fakeOutbox();
    const h = new HealthReporter({ provider: () => base(3), outbox, intervalS: 60, logger: silentLogger(), timers });
    await h.start();
    expect(outbox.messages).toHaveLength(1);
    expect(outbox.messages[0]).toMatchObject({ lane: 'health', topic: 'health', retain: true, qos: 1 });
    expect((outbox.messages[0]!.payload as unknown as HealthV1).store).toEqual({ pending: 7, oldestPendingAt: '2026-11-26T03:00:00.000Z', bytes: 1234, evictions: lanes });
    await timers.advance(59_000);
    expect(outbox.messages).toHaveLength(1);
    await timers.advance(1_000);
    expect(outbox.messages).toHaveLength(2);
    await timers.advance(120_000);
    expect(outbox.messages).toHaveLength(4);
    await h.stop();
    await timers.advance(600_000);
    expect(outbox.messages).toHaveLength(4);
  });

  it('never waits longer than 300 s even if configured longer', async () => {
    const timers = new ManualTimers();
    const outbox = fakeOutbox();
    const h = new HealthReporter({ provider: () => base(3), outbox, intervalS: 3600, logger: silentLogger(), timers });
    await h.start();
    await timers.advance(300_000);
    expect(outbox.messages).toHaveLength(2);
    await h.stop();
  });

  it('publishes once within the debounce after a burst of device changes', async () => {
    const timers = new ManualTimers();
    const outbox = fakeOutbox();
    let online = 3;
    const h = new HealthReporter({ provider: () => base(online), outbox, intervalS: 300, debounceMs: 2000, logger: silentLogger(), timers });
    await h.start();
    online = 1;
    for (let i = 0; i < 50; i++) h.trigger();
    await timers.advance(1_999);
    expect(outbox.messages).toHaveLength(1);
    await timers.advance(1);
    expect(outbox.messages).toHaveLength(2);
    expect((outbox.messages[1]!.payload as unknown as HealthV1).devices.online).toBe(1);
    await h.stop();
  });

  it('keeps its schedule when the provider throws', async () => {
    const timers = new ManualTimers();
    const outbox = fakeOutbox();
    let fail = true;
    const h = new HealthReporter({ provider: () => { if (fail) throw new Error('boom'); return base(3); }, outbox, intervalS: 10,
      logger: silentLogger(), timers });
    await h.start();
    expect(outbox.messages).toHaveLength(0);
    fail = false;
    await timers.advance(10_000);
    expect(outbox.messages).toHaveLength(1);
    await h.stop();
  });
});
