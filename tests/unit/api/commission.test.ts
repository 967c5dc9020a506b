import { describe, expect, it } from 'vitest';
import { planWalk } from '../../../runtime/commission/plan.js';
import { renderReport } from '../../../runtime/commission/report.js';
import { runWalk, type CommissionApi, type Installer } from '../../../runtime/commission/walk.js';
import { DEVICES, FakeBoxApi } from '../../integration/api/fake-box-api.js';

const never: Installer['skipRequested'] = () => ({ promise: new Promise<void>(() => undefined), cancel: () => undefined });
const installer = (answers: Array<boolean | undefined> = [], skip = never): Installer => ({ confirm: async () => answers.shift(), skipRequested: skip });

function apiOf(fake: FakeBoxApi, over: Partial<CommissionApi> = {}): CommissionApi {
  return {
    readNow: (d) => fake.readNow(d), testSnapshot: (d, o) => fake.testSnapshot(d, o), testSiren: (t, s, p) => fake.testSiren(t, s, p),
    waitForEvent: (d, t) => fake.waitForEvent(d, t), setTestMode: async (ids, on, ttl) => fake.setTestMode(ids, on, ttl), ...over,
  };
}

describe('commissioning walk', () => {
  it('plans one step per device, by zone, automatic steps before manual ones', () => {
    expect(planWalk(DEVICES).map((s) => `${s.device.zone}:${s.kind}:${s.device.id}`)).toEqual([
      'A1:trip:door-a1', 'A1:press:panic-a1', 'B3:read:cp-b3-07', 'B3:snapshot:cam-b3-02', 'B3:sound:siren-b3',
    ]);
  });

  it('records a device that errors as failed and still turns test mode off', async () => {
    const fake = new FakeBoxApi();
    const steps = planWalk(DEVICES.filter((d) => d.id === 'cp-b3-07'));
    const results = await runWalk(steps, { api: apiOf(fake, { readNow: async () => { throw new Error('unit 7 did not answer'); } }), installer: installer() });
    expect(results[0]).toMatchObject({ status: 'fail', detail: 'unit 7 did not answer' });
    expect(fake.testMode.size).toBe(0);
    expect(fake.calls.filter((c) => c.method === 'setTestMode').map((c) => c.args[1])).toEqual([true, false]);
  });

  it('a siren the installer did not hear fails', async () => {
    const results = await runWalk(planWalk(DEVICES.filter((d) => d.type === 'siren')), { api: apiOf(new FakeBoxApi()), installer: installer([false]) });
    expect(results[0]?.status).toBe('fail');
  });

  it('a siren nobody could confirm is marked unconfirmed, not passed', async () => {
    const results = await runWalk(planWalk(DEVICES.filter((d) => d.type === 'siren')), { api: apiOf(new FakeBoxApi()), installer: installer([undefined]) });
    expect(results[0]?.status).toBe('unconfirmed');
  });

  it('the installer can skip a contact that cannot be reached', async () => {
    const skip = () => ({ promise: Promise.resolve(), cancel: () => undefined });
    const slow = apiOf(new FakeBoxApi(), { waitForEvent: () => new Promise(() => undefined) });
    const results = await runWalk(planWalk(DEVICES.filter((d) => d.id === 'door-a1')), { api: slow, installer: installer([], skip) });
    expect(results[0]?.status).toBe('skipped');
  });

  it('escapes device text in the report and embeds only image data', () => {
    const d = { ...DEVICES[0]!, location: '<script>alert(1)</script>' };
    const html = renderReport([{ step: { kind: 'snapshot', device: d, instruction: '' }, status: 'pass', detail: 'ok', at: null, snapshot: { mime: 'text/html', dataBase64: 'PHNjcmlwdD4=', sha256: 'x', bytes: 1 } }], {
      status: new FakeBoxApi().status(), installer: 'A & B', startedAt: 's', finishedAt: 'f',
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('A &amp; B');
    expect(html).not.toContain('data:text/html');
  });
});
