import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SdNotify } from '../../../runtime/system/sd-notify.js';
import { createNotifyTransport } from '../../../runtime/system/notify-transport.js';
import type { Timers } from '../../../runtime/clock/timers.js';
import { NotifyReceiver } from './notify-receiver.js';

const logger = pino({ level: 'silent' });

/** Timers that fire only when the test says so. */
class StepTimers implements Timers {
  pending: Array<{ fn: () => void; ms: number }> = [];
  setTimeout(fn: () => void, ms: number) {
    const t = { fn, ms };
    this.pending.push(t);
    return t;
  }
  clearTimeout(h: object) {
    this.pending = this.pending.filter((t) => t !== h);
  }
  fire(): void {
    const due = this.pending.splice(0);
    for (const t of due) t.fn();
  }
}

describe('sd-notify without systemd', () => {
  it('is a no-op without NOTIFY_SOCKET: no transport is ever created', () => {
    let created = 0;
    const n = new SdNotify({ logger, env: { WATCHDOG_USEC: '30000000' }, transport: () => { created++; return { send() {}, close() {} }; } });
    n.ready();
    n.status('x');
    n.stopping();
    n.close();
    expect(n.enabled).toBe(false);
    expect(created).toBe(0);
  });
});

describe('sd-notify with a fake transport', () => {
  it('pings WATCHDOG=1 every half WATCHDOG_USEC, only after READY, and stops on STOPPING', () => {
    const sent: string[] = [];
    const timers = new StepTimers();
    const n = new SdNotify({ logger, timers, env: { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '30000000' }, transport: () => ({ send: (m) => sent.push(m), close() {} }) });
    expect(n.watchdogIntervalMs).toBe(15_000);
    expect(timers.pending).toHaveLength(0);
    n.ready();
    expect(sent[0]).toMatch(/^READY=1\n/);
    expect(timers.pending.map((t) => t.ms)).toEqual([15_000]);
    timers.fire();
    timers.fire();
    expect(sent.filter((m) => m === 'WATCHDOG=1')).toHaveLength(2);
    n.stopping();
    expect(sent.at(-1)).toBe('STOPPING=1');
    expect(timers.pending).toHaveLength(0);
  });

  it('withholds the ping while the box says it is unhealthy', () => {
    const sent: string[] = [];
    const timers = new StepTimers();
    let healthy = false;
    const n = new SdNotify({ logger, timers, healthy: () => healthy, env: { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '2000000' }, transport: () => ({ send: (m) => sent.push(m), close() {} }) });
    n.ready();
    timers.fire();
    expect(sent).not.toContain('WATCHDOG=1');
    healthy = true;
    timers.fire();
    expect(sent).toContain('WATCHDOG=1');
  });

  it('does not ping when WATCHDOG_PID names another process', () => {
    const timers = new StepTimers();
    const n = new SdNotify({ logger, timers, pid: 100, env: { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '2000000', WATCHDOG_PID: '99' }, transport: () => ({ send() {}, close() {} }) });
    n.ready();
    expect(n.watchdogIntervalMs).toBeUndefined();
    expect(timers.pending).toHaveLength(0);
  });
});

describe('sd-notify over a real datagram socket', () => {
  let dir: string;
  let receiver: NotifyReceiver;
  let notify: SdNotify | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qinhe-notify-'));
    receiver = await NotifyReceiver.start(join(dir, 'notify.sock'));
  });
  afterEach(() => {
    notify?.close();
    receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers READY=1, WATCHDOG=1 and STOPPING=1 as datagrams', async () => {
    notify = new SdNotify({ logger, env: { NOTIFY_SOCKET: join(dir, 'notify.sock'), WATCHDOG_USEC: '100000' } });
    notify.ready('running: 5 devices');
    const ready = await receiver.waitFor((d) => d.m.startsWith('READY=1'));
    expect(ready.m).toContain('STATUS=running: 5 devices');
    await receiver.waitFor((d) => d.m === 'WATCHDOG=1');
    notify.stopping();
    await receiver.waitFor((d) => d.m === 'STOPPING=1');
  }, 20_000);

  it('reaches an abstract NOTIFY_SOCKET (@name), as systemd may hand out', async () => {
    const name = `@qinhe-test-${process.pid}-${Date.now()}`;
    const abstract = await NotifyReceiver.start(name);
    const n = new SdNotify({ logger, env: { NOTIFY_SOCKET: name } });
    try {
      n.status('abstract');
      await abstract.waitFor((d) => d.m === 'STATUS=abstract');
    } finally {
      n.close();
      abstract.stop();
    }
  }, 20_000);

  it('stops pinging while the event loop is blocked', async () => {
    // Send times are taken on our side of a real transport: the pinger runs on the main event loop only.
    const sends: number[] = [];
    const notified: Array<() => void> = [];
    const sock = join(dir, 'notify.sock');
    notify = new SdNotify({
      logger, env: { NOTIFY_SOCKET: sock, WATCHDOG_USEC: '100000' },
      transport: (p) => {
        const real = createNotifyTransport(p, logger);
        return {
          send: (m) => { if (m === 'WATCHDOG=1') { sends.push(performance.now()); for (const w of notified.splice(0)) w(); } real.send(m); },
          close: () => real.close(),
        };
      },
    });
    const nextPing = () => new Promise<void>((resolve) => notified.push(resolve));
    notify.ready();
    await nextPing();
    const blockMs = 800;
    const end = performance.now() + blockMs;
    while (performance.now() < end) { /* a runaway synchronous loop */ }
    const before = sends.length;
    await nextPing();
    await nextPing();
    expect(sends.length).toBeGreaterThanOrEqual(before + 2);
    const gaps = sends.slice(1).map((t, i) => t - (sends[i] ?? t));
    // The pings resumed after the block, and none was sent while the loop was stuck.
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(blockMs - 100);
    await receiver.waitFor((d) => d.m === 'WATCHDOG=1');
  }, 20_000);
});
