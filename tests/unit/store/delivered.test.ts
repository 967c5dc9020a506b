import { describe, expect, it } from 'vitest';
import { draft, useTestOutbox } from './fixtures.js';

describe('Outbox delivery notifications', () => {
  const t = useTestOutbox();

  it('reports the incident events whose PUBACK came, and nothing for other lanes', async () => {
    const a = await t.outbox.appendIncident(draft({ incidentId: 'INC-A' }));
    await t.outbox.append({ lane: 'health', topic: 'health', payload: { v: 1 } });
    const b = await t.outbox.appendIncident(draft({ incidentId: 'INC-B' }));
    const seen: Array<{ seq: number; incidentId: string }> = [];
    t.outbox.onDelivered((d) => seen.push(...d));
    const rows = t.outbox.peek(10);
    for (const r of rows) t.outbox.ack(r.id);
    await new Promise((r) => setImmediate(r));
    expect(seen.sort((x, y) => x.seq - y.seq)).toEqual([{ seq: a.seq, incidentId: 'INC-A' }, { seq: b.seq, incidentId: 'INC-B' }]);
    expect(t.outbox.stats().pending).toBe(0);
  });
});
