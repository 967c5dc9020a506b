import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHarness, read, type Harness } from './harness.js';
import { CACHE_KIB, IncidentStore } from '../../../runtime/incidents/store.js';
import type { Incident } from '../../../runtime/incidents/model.js';

let h: Harness;
afterEach(async () => { await h.engine.stop(); });

describe('incident store', () => {
  it('a corrupt incidents.sqlite is set aside, a box fault is raised, and alarms still work', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qinhe-inc-'));
    writeFileSync(join(dataDir, 'incidents.sqlite'), 'this is not a database'.repeat(200));
    h = makeHarness({ dataDir, evidence: false });
    h.engine.start();
    expect(h.engine.open()).toMatchObject([{ kind: 'box-fault', summary: expect.stringMatching(/set aside/) }]);
    expect(readdirSync(dataDir).some((f) => f.startsWith('incidents.sqlite.corrupt-'))).toBe(true);
    read(h, 'cp-b3-07', 'temperature', 72);
    expect(h.outputs().map((o) => o.deviceId)).toContain('siren-b3');
    expect(h.engine.open()).toHaveLength(2);
    expect(existsSync(join(dataDir, 'incidents.sqlite'))).toBe(true);
  });

  it('a damaged page the start-up would not read is found at open: the file is set aside, a fresh store made', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qinhe-inc-'));
    const store = new IncidentStore(dataDir);
    expect(store.open()).toEqual({ degraded: false });
    for (let i = 0; i < 60; i++) {
      store.save({ id: `01JD${String(i).padStart(22, '0')}`, status: 'resolved', summary: 'x'.repeat(2000) } as unknown as Incident);
    }
    store.close(); // checkpoints: every page is in the main file
    const file = join(dataDir, 'incidents.sqlite');
    const pages = statSync(file).size / 4096;
    expect(pages).toBeGreaterThan(20);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(16, 0xee), 0, 16, (pages - 1) * 4096); // the last page's header: a resolved incident's leaf
    closeSync(fd);
    const again = new IncidentStore(dataDir);
    expect(again.open()).toMatchObject({ degraded: true, reason: expect.stringMatching(/set aside: quick_check/) });
    expect(readdirSync(dataDir).some((f) => f.startsWith('incidents.sqlite.corrupt-'))).toBe(true);
    expect(again.loadOpen()).toEqual([]);
    again.close();
  });

  it('keeps a small page cache (its working set is the open incidents)', () => {
    const store = new IncidentStore(mkdtempSync(join(tmpdir(), 'qinhe-inc-')));
    store.open();
    const db = (store as unknown as { db: { pragma(s: string, o: { simple: true }): unknown } }).db;
    expect(db.pragma('cache_size', { simple: true })).toBe(-CACHE_KIB);
    store.close();
  });

  it('a walk-test trigger chirps briefly and never cuts a charging port', async () => {
    h = makeHarness({ evidence: false });
    h.engine.start();
    h.bus.emit('event', { device: 'cam-b3-02', topic: 'intrusion', kind: 'intrusion', active: true, at: h.clock.now(), mono: h.clock.mono(), test: true });
    expect(h.outputs().map((o) => `${o.deviceId}:${o.pattern}:${o.seconds}`)).toEqual(['siren-b3:chirp:5', 'strobe-b3:chirp:5']);
  });

  it('silence accepts a bare device id too', async () => {
    h = makeHarness({ evidence: false });
    h.engine.start();
    expect(await h.engine.silence('siren-a1')).toEqual({ target: 'siren-a1', silenced: ['siren-a1'] });
    expect(await h.engine.silence({ target: 'nothing' })).toEqual({ target: 'nothing', silenced: [] });
  });
});
