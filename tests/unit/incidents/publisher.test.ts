import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Publisher } from '../../../runtime/incidents/publisher.js';
import { QinheError } from '../../../runtime/core/errors.js';
import type { IncidentEventDraft, IncidentEventV1 } from '../../../runtime/core/contract.js';

const draft = (incidentId: string, event: IncidentEventDraft['event']) => ({ incidentId, event } as IncidentEventDraft);

describe('Publisher', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('holds events the store refuses while the disk is full and commits them, in order, once it has room', async () => {
    vi.useFakeTimers();
    let full = true;
    const committed: string[] = [];
    let seq = 0;
    const outbox = {
      appendIncident: async (d: IncidentEventDraft) => {
        if (full) throw new QinheError('QH_STORE_FULL', 'database or disk is full');
        committed.push(`${d.incidentId}:${d.event}`);
        return { ...d, seq: ++seq, buffered: false } as IncidentEventV1;
      },
      append: async () => {},
    };
    const p = new Publisher(outbox, pino({ level: 'silent' }));
    void p.publish(draft('A', 'raised'));
    void p.publish(draft('A', 'escalated'));
    void p.publish(draft('B', 'raised'));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(committed).toEqual([]);
    full = false;
    await vi.advanceTimersByTimeAsync(5000);
    expect([...committed].sort()).toEqual(['A:escalated', 'A:raised', 'B:raised']);
    // Per incident, the order is kept: raised before escalated.
    expect(committed.indexOf('A:raised')).toBeLessThan(committed.indexOf('A:escalated'));
    await p.idle();
  });

  it('does not retry an event the store rejects for good', async () => {
    let calls = 0;
    const outbox = {
      appendIncident: async () => { calls++; throw new QinheError('QH_CONFIG_INVALID', 'not transient'); },
      append: async () => {},
    };
    const p = new Publisher(outbox, pino({ level: 'silent' }));
    await p.publish(draft('A', 'raised'));
    expect(calls).toBe(1);
  });
});
