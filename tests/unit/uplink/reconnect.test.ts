import { describe, expect, it } from 'vitest';
import { Uplink } from '../../../runtime/uplink/index.js';
import { freePort } from '../../helpers/mosquitto.js';
import { silentLogger, useTestOutbox } from '../store/fixtures.js';
import { waitFor } from '../../integration/uplink/observer.js';
import { ManualTimers } from './manual-timers.js';

describe('uplink reconnect loop', () => {
  const t = useTestOutbox();

  it('retries a refused broker with full-jitter delays from the injected random, capped', async () => {
    const port = await freePort(); // nothing listens there
    const timers = new ManualTimers();
    const uplink = new Uplink({
      config: { url: `mqtt://127.0.0.1:${port}`, prefix: 'qinhe', insecure: false, keepaliveS: 30, drainPerS: 200, backoffBaseMs: 1000,
        backoffCapMs: 8000, firstRetryMaxMs: 5000, retriesPerHour: 120, centerKeys: [], healthIntervalS: 300 },
      estate: 'caima', box: 'caima-01', secrets: {}, outbox: t.outbox, logger: silentLogger(), version: '0.1.0',
      stateDevices: () => ({ total: 0, online: 0 }), timers, random: () => 0.5,
    });
    expect(uplink.clientId).toBe('qinhe-caima-caima-01');
    await uplink.start();
    for (let i = 0; i < 6; i++) {
      await waitFor(() => timers.size === 1, `retry ${i} scheduled`);
      await timers.advance(timers.delays.at(-1)!);
    }
    await waitFor(() => timers.size === 1, 'last retry scheduled');
    expect(timers.delays).toEqual([2500, 1000, 2000, 4000, 4000, 4000, 4000]);
    expect(uplink.isConnected()).toBe(false);
    await uplink.stop();
    expect(timers.size).toBe(0);
    await uplink.stop();
  });

  it('refuses plain TCP to a remote broker at start', async () => {
    const uplink = new Uplink({
      config: { url: 'mqtt://192.0.2.1:1883', prefix: 'qinhe', insecure: false, keepaliveS: 30, drainPerS: 200, backoffBaseMs: 1000,
        backoffCapMs: 8000, firstRetryMaxMs: 5000, retriesPerHour: 120, centerKeys: [], healthIntervalS: 300 },
      estate: 'caima', box: 'caima-01', secrets: {}, outbox: t.outbox, logger: silentLogger(), version: '0.1.0', stateDevices: () => ({ total: 0, online: 0 }),
    });
    await expect(uplink.start()).rejects.toMatchObject({ code: 'QH_UPLINK_TLS' });
    await uplink.stop();
  });
});
