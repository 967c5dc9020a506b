/**
 * The Uplink's liveness watchdog against a broker that goes quiet after CONNACK: a half-open link seen from the
 * box (the socket stays open, nothing comes back). The broker here is a few lines of MQTT framing over a real
 * socket; the Uplink's timers and monotonic clock are the test's, so keepalive fractions are exact.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Uplink } from '../../../runtime/uplink/index.js';
import { waitFor } from '../../integration/uplink/observer.js';
import { draft, silentLogger, useTestOutbox } from '../store/fixtures.js';
import { ManualTimers } from './manual-timers.js';

const CONNACK = Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00]); // MQTT 5: no session, success, no properties
const PINGRESP = Buffer.from([0xd0, 0x00]);

/** Answers CONNECT with CONNACK and, when `answering`, PINGREQ, SUBSCRIBE and QoS 1 PUBLISH; nothing else. */
class QuietBroker {
  connects = 0;
  pings = 0;
  closed = 0;
  answering = false;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor() {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      let buf = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
          // Fixed header: type byte, then the remaining length as a variable byte integer (MQTT 5 §2.1.4, §1.5.5).
          let len = 0;
          let mul = 1;
          let i = 1;
          for (; i < buf.length && i <= 4; i++) {
            len += (buf[i]! & 0x7f) * mul;
            mul *= 128;
            if ((buf[i]! & 0x80) === 0) break;
          }
          if (i >= buf.length || buf.length < i + 1 + len) return;
          const type = buf[0]! >> 4;
          const qos = (buf[0]! >> 1) & 3;
          const body = buf.subarray(i + 1, i + 1 + len);
          buf = buf.subarray(i + 1 + len);
          if (type === 1) {
            this.connects += 1;
            socket.write(CONNACK);
          } else if (type === 12) {
            this.pings += 1;
            if (this.answering) socket.write(PINGRESP);
          } else if (type === 3 && qos === 1 && this.answering) {
            const id = body.readUInt16BE(2 + body.readUInt16BE(0));
            socket.write(Buffer.from([0x40, 0x02, id >> 8, id & 0xff]));
          } else if (type === 8 && this.answering) {
            socket.write(Buffer.from([0x90, 0x04, body[0]!, body[1]!, 0x00, 0x01])); // SUBACK: no properties, QoS 1
          }
        }
      });
      socket.on('error', () => undefined);
      socket.on('close', () => { this.closed += 1; this.sockets.delete(socket); });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('uplink liveness (half-open link)', () => {
  const t = useTestOutbox();
  let broker: QuietBroker;
  let uplink: Uplink | undefined;

  afterEach(async () => {
    await uplink?.stop();
    await broker.close();
  });

  async function connected(keepaliveS: number, answering = false) {
    broker = new QuietBroker();
    broker.answering = answering;
    const port = await broker.listen();
    const timers = new ManualTimers();
    const changes: Array<{ at: number; connected: boolean; reason?: string }> = [];
    uplink = new Uplink({
      config: { url: `mqtt://127.0.0.1:${port}`, prefix: 'qinhe', insecure: false, keepaliveS, drainPerS: 200, backoffBaseMs: 1000,
        backoffCapMs: 8000, firstRetryMaxMs: 5000, retriesPerHour: 120, centerKeys: [], healthIntervalS: 300 },
      estate: 'caima', box: 'caima-01', secrets: {}, outbox: t.outbox, logger: silentLogger(), version: '0.1.0',
      stateDevices: () => ({ total: 0, online: 0 }), timers, random: () => 0.5,
      clock: { now: () => Date.UTC(2026, 10, 26) + timers.now, mono: () => timers.now },
      onConnectionChange: (e) => changes.push({ at: timers.now, ...e }),
    });
    await uplink.start();
    await waitFor(() => uplink!.isConnected(), 'connected');
    return { timers, changes, uplink };
  }

  it('pings a quiet broker at 0.5 × keepalive, declares the link dead at 1.25 ×, keeps the outbox and reconnects', async () => {
    const { timers, changes, uplink } = await connected(5);
    await t.outbox.appendIncident(draft()); // published, never acknowledged by this broker
    await timers.advance(2499);
    expect(broker.pings).toBe(0);
    await timers.advance(1);
    await waitFor(() => broker.pings === 1, 'the PINGREQ at the broker');
    await timers.advance(3749);
    expect(uplink.isConnected()).toBe(true);
    await timers.advance(1);
    expect(uplink.isConnected()).toBe(false);
    expect(changes).toEqual([{ at: 0, connected: true }, { at: 6250, connected: false, reason: 'no packet from the broker for 6.25 s (keepalive 5 s)' }]);
    await waitFor(() => broker.closed === 1, 'the socket closed at the broker');
    expect(t.outbox.stats().pending).toBe(1);
    // The normal loss path: the first retry after a loss is 0–firstRetryMaxMs (random 0.5 → 2.5 s).
    expect(timers.delays.at(-1)).toBe(2500);
    broker.answering = true; // the link is back
    await timers.advance(2500);
    await waitFor(() => uplink.isConnected(), 'reconnected');
    expect(broker.connects).toBe(2);
    await waitFor(() => t.outbox.stats().pending === 0, 'the kept event delivered');
    await uplink.stop();
    expect(timers.size).toBe(0);
  });

  it('stays connected to an idle broker that answers its pings, and stops its watchdog on stop', async () => {
    const { timers, changes, uplink } = await connected(5, true);
    for (let i = 0; i < 120; i++) {
      const pings = broker.pings;
      await timers.advance(500);
      if (broker.pings > pings) await new Promise((r) => setTimeout(r, 30)); // the PINGRESP's real round trip
    }
    expect(changes).toEqual([{ at: 0, connected: true }]);
    expect(uplink.isConnected()).toBe(true);
    expect(broker.pings).toBeGreaterThanOrEqual(15); // one per 0.5 × keepalive of silence (each answered), in 500 ms steps
    await uplink.stop();
    expect(timers.size).toBe(0);
    await timers.advance(60_000);
    expect(changes).toEqual([{ at: 0, connected: true }, { at: 60_000, connected: false, reason: 'stopped' }]);
  });

  it('stops within about 10 s when the broker stopped answering (no PUBACK for R/state, nothing acknowledged)', async () => {
    const { changes, uplink } = await connected(5);
    const t0 = Date.now();
    await uplink.stop();
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(9_000); // 5 s for the PUBACK of R/state stopped, 5 s for the clean end
    expect(took).toBeLessThan(12_000);
    expect(changes.at(-1)).toEqual({ at: 0, connected: false, reason: 'stopped' });
    await waitFor(() => broker.closed === 1, 'the socket closed at the broker');
  });
});
