/**
 * systemd notifications (sd_notify(3)): READY=1 once the store is open, WATCHDOG=1 at half of WATCHDOG_USEC,
 * STOPPING=1 on stop. A no-op without NOTIFY_SOCKET (run by hand, in tests, in the demo).
 *
 * Node has no Unix datagram sockets, so a helper sends the datagrams (see notify-transport.ts): a long-lived
 * python3 process reading one message per line, else `systemd-notify` per message. The sender is not the
 * main PID, hence NotifyAccess=all in qinhe.service.
 *
 * The watchdog ping is a timer on the main event loop, so when the loop is blocked (a runaway loop, a
 * synchronous disk stall) the pings stop and systemd restarts the box after WatchdogSec. An optional
 * `healthy()` check withholds the ping too (e.g. the store has closed under us).
 */
import type { Logger } from 'pino';
import { systemTimers, type TimerHandle, type Timers } from '../clock/timers.js';
import { createNotifyTransport, type NotifyTransport } from './notify-transport.js';

export interface SdNotifyOptions {
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  timers?: Timers;
  pid?: number;
  /** The watchdog ping is withheld while this returns false. */
  healthy?: () => boolean;
  /** Seam for tests. */
  transport?: (socketPath: string) => NotifyTransport;
}

export class SdNotify {
  private readonly socketPath: string | undefined;
  private readonly watchdogMs: number | undefined;
  private readonly timers: Timers;
  private readonly log: Logger;
  private transport: NotifyTransport | undefined;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly opts: SdNotifyOptions) {
    const env = opts.env ?? process.env;
    this.log = opts.logger.child({ component: 'sd-notify' });
    this.timers = opts.timers ?? systemTimers;
    this.socketPath = env.NOTIFY_SOCKET || undefined;
    const usec = Number(env.WATCHDOG_USEC);
    const forPid = env.WATCHDOG_PID ? Number(env.WATCHDOG_PID) : undefined;
    // WATCHDOG_PID names the process the watchdog is for; another one (a child we spawned) must not ping.
    const mine = forPid === undefined || forPid === (opts.pid ?? process.pid);
    this.watchdogMs = Number.isFinite(usec) && usec > 0 && mine ? Math.max(1, Math.floor(usec / 2000)) : undefined;
  }

  /** True when systemd is listening (NOTIFY_SOCKET set). */
  get enabled(): boolean {
    return this.socketPath !== undefined;
  }

  /** The ping interval (half of WATCHDOG_USEC), undefined when systemd set no watchdog. */
  get watchdogIntervalMs(): number | undefined {
    return this.watchdogMs;
  }

  /** READY=1 (call once the store is open and the box runs) and starts the watchdog pings. */
  ready(status = 'running'): void {
    // No MAINPID=: node is already the main process (ExecStart), and systemd may refuse it from a helper.
    this.send(`READY=1\nSTATUS=${status.replace(/\n/g, ' ')}`);
    this.startWatchdog();
  }

  /** A one-line status shown by `systemctl status qinhe`. */
  status(text: string): void {
    this.send(`STATUS=${text.replace(/\n/g, ' ')}`);
  }

  /** STOPPING=1 and no more pings (call first thing on SIGTERM). */
  stopping(): void {
    this.stopWatchdog();
    this.send('STOPPING=1');
  }

  /** Reloading: RELOADING=1 now, READY=1 when `reloaded()` is called. */
  reloading(): void {
    this.send('RELOADING=1');
  }

  reloaded(): void {
    this.send('READY=1');
  }

  close(): void {
    this.stopWatchdog();
    this.stopped = true;
    this.transport?.close();
    this.transport = undefined;
  }

  private startWatchdog(): void {
    if (!this.enabled || this.watchdogMs === undefined || this.timer) return;
    const tick = () => {
      this.timer = undefined;
      if (this.stopped) return;
      if (this.opts.healthy?.() ?? true) this.send('WATCHDOG=1');
      else this.log.warn('watchdog ping withheld: the box reports itself unhealthy');
      this.timer = this.timers.setTimeout(tick, this.watchdogMs ?? 1000);
    };
    this.timer = this.timers.setTimeout(tick, this.watchdogMs);
  }

  private stopWatchdog(): void {
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private send(message: string): void {
    if (!this.socketPath || this.stopped) return;
    try {
      this.transport ??= (this.opts.transport ?? ((p) => createNotifyTransport(p, this.log)))(this.socketPath);
      this.transport.send(message);
    } catch (err) {
      this.log.warn({ err }, 'sd_notify failed');
    }
  }
}
