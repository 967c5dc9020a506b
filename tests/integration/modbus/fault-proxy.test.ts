/**
 * No wrong value is ever accepted: a fault proxy between two PTY pairs delays, corrupts, truncates, garbles
 * and duplicates the replies of a pymodbus slave whose every register holds a value derived from its
 * address. Reads of varying unit, function, address and length must either fail or return exactly the
 * slave's values. Delays stay within timeoutMs + staleGuardMs: a reply later than that, with the same unit,
 * function and length as the next request, is indistinguishable in RTU (no transaction id).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isQinheError } from '../../../runtime/core/errors.js';
import { LineScheduler, type ModbusRequest } from '../../../drivers/modbus/index.js';
import { openSerialLink } from '../../../drivers/transport/serial.js';
import { systemClock } from '../../../drivers/types.js';
import { FaultProxy } from '../../simulators/modbus/fault-proxy.js';
import { silentLogger } from '../../unit/modbus/helpers.js';
import { expected, PymodbusSlave } from './pymodbus.js';
import { missingTools, PtyPair, tempDir } from './pty.js';

const missing = missingTools();
if (missing) console.warn(`[modbus fault proxy] skipped: ${missing}`);

describe.skipIf(Boolean(missing))('Modbus RTU through a fault proxy', () => {
  const tmp = tempDir();
  const toProxy = new PtyPair(join(tmp.dir, 'm'), join(tmp.dir, 'pm'));
  const toSlave = new PtyPair(join(tmp.dir, 'ps'), join(tmp.dir, 's'));
  const slave = new PymodbusSlave(toSlave.b, [1, 2, 3]);
  const proxy = new FaultProxy({
    weights: { pass: 10, delay: 2, corrupt: 2, truncate: 2, garble: 2, duplicate: 1 },
    delayMs: [130, 180],
    seed: 4,
  });

  beforeAll(async () => {
    await toProxy.start();
    await toSlave.start();
    await slave.start();
    await proxy.attach(toProxy.b, toSlave.a);
  });
  afterAll(async () => {
    await proxy.close();
    await slave.stop();
    await toSlave.stop();
    await toProxy.stop();
    tmp.remove();
  });

  it('never accepts a wrong value while replies are delayed, corrupted, truncated, garbled and duplicated', async () => {
    const line = new LineScheduler({
      id: 'proxy', link: { path: toProxy.a, baud: 9600, parity: 'none', stopBits: 1, dataBits: 8 },
      timing: { timeoutMs: 100, retries: 1, interFrameGapMs: 0 }, openLink: openSerialLink, logger: silentLogger,
      clock: systemClock, staleGuardMs: 100,
    });
    await line.open();
    let accepted = 0;
    let failed = 0;
    const wrong: string[] = [];
    try {
      for (let i = 0; i < 120; i++) {
        // Runs of requests with the same unit, function and length but another address: exactly where a
        // stale reply would pass the unit/function/length checks.
        const unit = 1 + (Math.floor(i / 10) % 3);
        const fc = Math.floor(i / 5) % 2 === 0 ? 3 : 4;
        const address = (i * 7) % 50;
        const count = 1 + (Math.floor(i / 20) % 3);
        const req: ModbusRequest = { unit, fc, address, count };
        try {
          const reply = await line.request(req);
          accepted += 1;
          const want = Array.from({ length: count }, (_, k) => (fc === 3 ? expected.holding : expected.input)(unit, address + k));
          if (reply.kind !== 'registers' || reply.values.join() !== want.join()) wrong.push(`${JSON.stringify(req)} → ${JSON.stringify(reply)}`);
        } catch (err) {
          failed += 1;
          if (!isQinheError(err)) throw err;
          expect(['QH_MODBUS_TIMEOUT', 'QH_MODBUS_CRC', 'QH_MODBUS_BAD_REPLY']).toContain(err.code);
        }
      }
    } finally {
      await line.stop();
    }
    expect(wrong).toEqual([]);
    // The faults really happened and were caught, and most reads still got through on a retry.
    expect(proxy.applied.delay).toBeGreaterThan(0);
    expect(proxy.applied.corrupt + proxy.applied.truncate + proxy.applied.garble).toBeGreaterThan(5);
    const c = line.health.counters;
    expect(c.timeouts).toBeGreaterThan(0);
    expect(c.crcErrors + c.badReplies).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(80);
    console.info(`[fault proxy] ${accepted} accepted, ${failed} failed; faults ${JSON.stringify(proxy.applied)}; counters ${JSON.stringify(c)}`);
  }, 60_000);
});
