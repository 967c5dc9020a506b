import { existsSync, readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHarness, read, type Harness } from './harness.js';

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
