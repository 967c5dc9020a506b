/**
 * Starts each driver inside its own try/catch so one failure never takes the box down, and restarts a failed
 * driver with exponential backoff (idea from zigbee2mqtt's extension lifecycle). A driver reports a crash
 * after start through `fail(name, err)`.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Driver } from '../../drivers/types.js';
import { errorMessage } from '../core/errors.js';

export interface SupervisedStatus {
  name: string;
  state: 'starting' | 'running' | 'failed' | 'stopped';
  restarts: number;
  lastError: string | null;
}

interface Entry {
  driver: Driver;
  status: SupervisedStatus;
  timer: NodeJS.Timeout | null;
  abort: AbortController;
}

export class DriverSupervisor {
  private readonly entries = new Map<string, Entry>();
  private stopping = false;

  constructor(private readonly logger: Logger, private readonly backoff = { baseMs: 1000, capMs: 60_000 }) {}

  async startAll(drivers: Driver[]): Promise<void> {
    this.stopping = false;
    for (const driver of drivers) {
      const entry: Entry = { driver, status: { name: driver.name, state: 'starting', restarts: 0, lastError: null }, timer: null, abort: new AbortController() };
      this.entries.set(driver.name, entry);
    }
    await Promise.all([...this.entries.values()].map((e) => this.startOne(e)));
  }

  private async startOne(entry: Entry): Promise<void> {
    if (this.stopping) return;
    entry.status.state = 'starting';
    entry.abort = new AbortController();
    // One signal is shared by every device of a driver (40 cameras): not a leak.
    setMaxListeners(1000, entry.abort.signal);
    try {
      await entry.driver.start(entry.abort.signal);
      entry.status.state = 'running';
      if (entry.status.restarts > 0) this.logger.info({ driver: entry.driver.name, restarts: entry.status.restarts }, 'driver running again');
    } catch (err) {
      this.fail(entry.driver.name, err);
    }
  }

  /** A driver failed (at start or later): stop it and restart it with backoff. */
  fail(name: string, err: unknown): void {
    const entry = this.entries.get(name);
    if (!entry || this.stopping || entry.status.state === 'failed') return;
    entry.status.state = 'failed';
    entry.status.lastError = errorMessage(err);
    const delay = Math.min(this.backoff.capMs, this.backoff.baseMs * 2 ** Math.min(entry.status.restarts, 16));
    this.logger.error({ driver: name, err, code: 'QH_DRIVER_FAILED', retryInMs: delay }, 'driver failed; the others keep running');
    entry.abort.abort();
    void entry.driver.stop().catch((e: unknown) => this.logger.warn({ driver: name, err: e }, 'driver stop after failure threw'));
    entry.timer = setTimeout(() => {
      entry.timer = null;
      entry.status.restarts++;
      void this.startOne(entry);
    }, delay);
    entry.timer.unref();
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    const entries = [...this.entries.values()].reverse();
    for (const e of entries) {
      if (e.timer) clearTimeout(e.timer);
      e.abort.abort();
    }
    await Promise.all(entries.map(async (e) => {
      try {
        await e.driver.stop();
      } catch (err) {
        this.logger.warn({ driver: e.driver.name, err }, 'driver stop threw');
      }
      e.status.state = 'stopped';
    }));
    this.entries.clear();
  }

  drivers(): Driver[] {
    return [...this.entries.values()].map((e) => e.driver);
  }

  status(): SupervisedStatus[] {
    return [...this.entries.values()].map((e) => ({ ...e.status }));
  }
}
