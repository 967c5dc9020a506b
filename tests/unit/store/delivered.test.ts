import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, Outbox, type Store } from '../../../runtime/store/index.js';
import { draft, silentLogger, storageConfig, tempDir } from './fixtures.js';

describe('Outbox delivery notifications', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let outbox: Outbox;
  beforeEach(() => {
    tmp = tempDir();
    store = openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger() }).store;
    outbox = new Outbox(store);
  });
  afterEach(() => { outbox.close(); store.close(); tmp.cleanup(); });

  it('reports the incident events whose PUBACK came, and nothing for other lanes', async () => {
    const a = await outbox.appendIncident(draft({ incidentId: 'INC-A' }));
    await outbox.append({ lane: 'health', topic: 'health', payload: { v: 1 } });
    const b = await outbox.appendIncident(draft({ incidentId: 'INC-B' }));
    const seen: Array<{ seq: number; incidentId: string }> = [];
    outbox.onDelivered((d) => seen.push(...d));
    const rows = outbox.peek(10);
    for (const r of rows) outbox.ack(r.id);
    await new Promise((r) => setImmediate(r));
    expect(seen.sort((x, y) => x.seq - y.seq)).toEqual([{ seq: a.seq, incidentId: 'INC-A' }, { seq: b.seq, incidentId: 'INC-B' }]);
    expect(outbox.stats().pending).toBe(0);
  });
});
