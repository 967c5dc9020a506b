import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { SimulatedCamera } from '../../simulators/onvif/simulated-camera.js';
import { createOnvifDriver } from '../../../drivers/onvif/index.js';
import type { Driver } from '../../../drivers/types.js';
import { PASSWORD, USER, LogSink, Recorder, cameraDevice, context, waitFor } from './helpers.js';

function post(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST' }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end('');
  });
}

const FALLING = 'tns1:RuleEngine/tnshik:ThrowingDetector/ThrowingObject';

describe('ONVIF subscription supervisor (simulated cameras)', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

  async function setup(model: 'hikvision' | 'dahua' | 'axis', camOpts: { clockSkewMs?: number } = {}, tuning = {}) {
    const cam = new SimulatedCamera({ username: USER, password: PASSWORD, model, maxPullHoldMs: 300, ...camOpts });
    await cam.start();
    cleanup.push(() => cam.stop());
    const dir = await mkdtemp(join(tmpdir(), 'qh-onvif-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const rec = new Recorder();
    const log = new LogSink();
    const device = cameraDevice('cam-b3-01', cam.port, { events: [{ topic: 'ThrowingDetector/ThrowingObject', kind: 'falling-object' }] });
    const driver: Driver = createOnvifDriver(context([device], rec, log, dir), {
      evidenceDir: join(dir, 'evidence'), retentionBytes: 1e9,
      tuning: { terminationS: 60, pullTimeoutS: 1, backoffBaseMs: 100, ...tuning },
    });
    await driver.start(new AbortController().signal);
    cleanup.push(() => driver.stop());
    return { cam, rec, log, driver };
  }

  for (const model of ['hikvision', 'dahua', 'axis'] as const) {
    it(`turns an injected falling-object event into a normalised EventFact (${model}, camera clock 1 h ahead)`, async () => {
      const { cam, rec } = await setup(model, { clockSkewMs: 3_600_000 });
      await waitFor('a subscription', () => cam.liveSubscriptions() === 1);
      cam.emit(FALLING, { State: 'true' }, { source: { VideoSourceToken: 'VideoSource_1', Rule: 'window-3F' } });
      await waitFor('the event fact', () => rec.events.length > 0);
      expect(rec.events[0]).toMatchObject({ device: 'cam-b3-01', topic: FALLING, kind: 'falling-object', active: true,
        data: { Rule: 'window-3F', State: 'true' } });
      expect(rec.availability.map((a) => a.state)).toEqual(['online']);
    });
  }

  it('creates a new subscription after a camera reboot (clock restarted at 2000) and keeps delivering events', async () => {
    // Axis accepts WS-Security only: after the reboot the old clock offset fails auth until it is re-measured.
    const { cam, rec } = await setup('axis');
    await waitFor('a subscription', () => cam.stats.created === 1);
    cam.reboot();
    await waitFor('a new subscription', () => cam.stats.created === 2 && cam.liveSubscriptions() === 1);
    cam.emit('tns1:RuleEngine/CellMotionDetector/Motion', { IsMotion: 'true' });
    await waitFor('the motion fact', () => rec.events.some((e) => e.kind === 'motion'));
    expect(cam.stats.unsubscribed).toBe(0);
  });

  it('resubscribes after a power cycle (connections reset while off) on the same port', async () => {
    const { cam, rec } = await setup('hikvision', {}, { requestTimeoutMs: 500 });
    await waitFor('a subscription', () => cam.stats.created === 1 && cam.liveSubscriptions() === 1);
    const port = cam.port;
    cam.powerOff();
    expect(cam.liveSubscriptions()).toBe(0);
    // While off, a connection is accepted and reset at once (node's http client: 'socket hang up').
    await expect(post(`${cam.baseUrl}/onvif/device_service`)).rejects.toThrow(/hang up|ECONNRESET/);
    await new Promise((r) => setTimeout(r, 1500));
    cam.powerOn();
    expect(cam.port).toBe(port);
    await waitFor('a new subscription', () => cam.stats.created >= 2 && cam.liveSubscriptions() === 1, 20_000);
    cam.emit('tns1:RuleEngine/CellMotionDetector/Motion', { IsMotion: 'true' });
    await waitFor('the motion fact', () => rec.events.some((e) => e.kind === 'motion'));
  });

  it('renews before the termination time and never unsubscribes', async () => {
    const { cam } = await setup('axis', {}, { terminationS: 2 });
    await waitFor('two renewals', () => cam.stats.renewed >= 2, 10_000);
    expect(cam.stats.created).toBe(1);
    expect(cam.stats.unsubscribed).toBe(0);
  });

  it('re-creates the subscription when renewal fails', async () => {
    const { cam } = await setup('dahua', {}, { terminationS: 2 });
    await waitFor('a subscription', () => cam.stats.created === 1);
    cam.renewFails = true;
    await waitFor('a re-created subscription', () => cam.stats.created >= 2, 10_000);
  });

  it('reports a dead camera offline once and its recovery once, logging each once', async () => {
    const { cam, rec, log } = await setup('hikvision', {}, { requestTimeoutMs: 500 });
    await waitFor('online', () => rec.availability.length === 1);
    cam.state = 'frozen';
    await waitFor('offline', () => rec.availability.some((a) => a.state === 'offline'), 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    cam.state = 'ok';
    await waitFor('back online', () => rec.availability.length === 3, 20_000);
    expect(rec.availability.map((a) => a.state)).toEqual(['online', 'offline', 'online']);
    expect(log.lines.filter((l) => l.msg === 'camera offline')).toHaveLength(1);
    expect(log.lines.filter((l) => l.msg === 'camera back online')).toHaveLength(1);
    expect(log.lines.every((l) => l.device === 'cam-b3-01' || l.device === undefined)).toBe(true);
  });

  it('probes a silent camera and resubscribes, staying online', async () => {
    const { cam, rec } = await setup('hikvision', {}, { silenceS: 1 });
    await waitFor('a resubscription after silence', () => cam.stats.created >= 2, 10_000);
    expect(rec.availability.map((a) => a.state)).toEqual(['online']);
  });

  it('logs an unknown topic once, as a pasteable raw event', async () => {
    const { cam, log } = await setup('dahua');
    await waitFor('a subscription', () => cam.liveSubscriptions() === 1);
    for (let i = 0; i < 3; i += 1) cam.emit('tns1:RuleEngine/tnsdahua:Smoking/Detected', { State: 'true' });
    await waitFor('the warning', () => log.lines.some((l) => l.unknownEvent !== undefined));
    await new Promise((r) => setTimeout(r, 700));
    const warnings = log.lines.filter((l) => l.unknownEvent !== undefined);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.unknownEvent).toMatchObject({ topic: 'tns1:RuleEngine/tnsdahua:Smoking/Detected', data: { State: 'true' } });
  });
});
