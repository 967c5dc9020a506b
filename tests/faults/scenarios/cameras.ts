/**
 * Item 10 — camera reboots and ±10-year camera clocks. The real ONVIF driver watches four simulated cameras
 * (Axis: WS-Security only, so the clock offset matters; Dahua: HTTP digest; Hikvision) whose clocks run 10 years
 * ahead or behind; each cycle every camera emits a motion event that must come out as a fact, then all of them
 * reboot (subscriptions forgotten, clock restarted at 2000-01-01). Checked: every event after every reboot is
 * delivered, within 10 s of the reboot, one live subscription per camera, no camera ever reported offline
 * for a reboot it survived, and no fact's time taken from the camera's wrong clock (at within ±1 min of the box).
 */
import { join } from 'node:path';
import { createOnvifDriver } from '../../../drivers/onvif/index.js';
import type { Driver } from '../../../drivers/types.js';
import { SimulatedCamera, type CameraModel } from '../../simulators/onvif/simulated-camera.js';
import { LogSink, PASSWORD, Recorder, USER, cameraDevice, context } from '../../integration/onvif/helpers.js';
import { percentile, waitUntil, type Scenario } from '../lib/suite.js';

const YEAR = 365.25 * 86_400_000;

export const cameras: Scenario = {
  id: 'cameras', item: 10, title: 'camera reboots and ±10 y camera clocks', sizes: 'CI 10 reboot cycles × 4 cameras; --full 100',
  async run(ctx) {
    const cycles = ctx.full ? 100 : 10;
    const specs: Array<[CameraModel, number, 'wsse' | 'digest' | 'any']> = [['axis', 10 * YEAR, 'wsse'], ['axis', -10 * YEAR, 'wsse'],
      ['dahua', 10 * YEAR, 'digest'], ['hikvision', -10 * YEAR, 'any']];
    const cams: SimulatedCamera[] = [];
    for (const [model, skew, auth] of specs) {
      const cam = new SimulatedCamera({ username: USER, password: PASSWORD, model, auth, clockSkewMs: skew, maxPullHoldMs: 300 });
      await cam.start();
      ctx.defer(() => cam.stop());
      cams.push(cam);
    }
    const dir = ctx.tmp('cameras');
    const rec = new Recorder();
    const log = new LogSink();
    const devices = cams.map((c, i) => cameraDevice(`cam-${i}`, c.port, {}));
    const driver: Driver = createOnvifDriver(context(devices, rec, log, dir), {
      evidenceDir: join(dir, 'evidence'), retentionBytes: 1e9, tuning: { terminationS: 60, pullTimeoutS: 1, backoffBaseMs: 100 } });
    await driver.start(new AbortController().signal);
    ctx.defer(() => driver.stop());
    const motions = (i: number) => rec.events.filter((e) => e.device === `cam-${i}` && e.kind === 'motion').length;
    await waitUntil(() => cams.every((c) => c.liveSubscriptions() === 1), 'every camera subscribed', 30_000, 50);
    let emitted = 0;
    let missed = 0;
    const afterReboot: number[] = [];
    for (let cycle = 0; cycle <= cycles; cycle++) {
      const rebootAt = Date.now();
      if (cycle > 0) {
        const created = cams.map((c) => c.stats.created);
        for (const c of cams) c.reboot();
        await waitUntil(() => cams.every((c, i) => c.stats.created > created[i]! && c.liveSubscriptions() === 1), 'resubscribed after the reboot', 30_000, 50)
          .catch(() => undefined);
      }
      for (const [i, c] of cams.entries()) {
        const before = motions(i);
        c.emit('tns1:RuleEngine/CellMotionDetector/Motion', { IsMotion: 'true' });
        emitted += 1;
        try {
          await waitUntil(() => motions(i) > before, `motion from cam-${i}`, 10_000, 20);
          if (cycle > 0) afterReboot.push(Date.now() - rebootAt);
        } catch { missed += 1; }
      }
    }
    const offline = rec.availability.filter((a) => (a as { state?: string }).state === 'offline').length;
    const farOff = rec.events.filter((e) => Math.abs(e.at - Date.now()) > 3_600_000).length;
    const subs = cams.map((c) => c.liveSubscriptions());
    const unsub = cams.reduce((n, c) => n + c.stats.unsubscribed, 0);
    ctx.figure('cameras', cams.length);
    ctx.figure('reboots', cycles * cams.length);
    ctx.figure('eventsEmitted', emitted);
    ctx.figure('eventsMissed', missed);
    ctx.figure('deliveredAfterRebootP50Ms', percentile(afterReboot, 50));
    ctx.figure('deliveredAfterRebootMaxMs', Math.max(0, ...afterReboot));
    ctx.figure('offlineReports', offline);
    ctx.figure('factsWithCameraTime', farOff);
    ctx.figure('liveSubscriptions', subs.join(','));
    ctx.check('every event delivered, each within 10 s of a reboot', missed === 0 && afterReboot.every((t) => t <= 10_000),
      `${emitted - missed}/${emitted}, max ${Math.max(0, ...afterReboot)} ms after a reboot`);
    ctx.check('one live subscription per camera', subs.every((s) => s === 1), `${subs.join(',')} (unsubscribed ${unsub})`);
    ctx.check('fact times are the box\'s, not the camera\'s ±10 y clock', farOff === 0, `${farOff} facts more than 1 h off`);
    ctx.check('no camera reported offline for a reboot', offline === 0, `${offline} offline reports`);
  },
};
