/**
 * Availability and quarantine of one unit (one device). A unit that stops answering is quarantined: it is
 * probed at a backed-off rate (base doubling to max) so a dead unit barely stretches the line's cycle, and
 * it is reported offline once (after the profile's offlineAfterS) and online once when it answers again
 * (idea from Home Assistant's update_coordinator). The warn/info lines for people come from the runtime's
 * device registry, which sees these facts; here they are debug only, so each transition is logged once.
 */
import type { Logger } from 'pino';
import { errorMessage } from '../../runtime/core/errors.js';
import type { Clock, DeviceState, FactSink } from '../types.js';
import { formatDuration } from './timing.js';

export interface QuarantinePolicy {
  baseMs: number;
  maxMs: number;
}

export class UnitTracker {
  state: DeviceState = 'unknown';
  private lastOk: number | undefined;
  private failures = 0;
  private nextProbe = 0;
  private troubleSince: number | undefined;
  private readonly log: Logger;

  constructor(
    readonly device: string,
    readonly unit: number,
    private readonly offlineAfterMs: number,
    private readonly policy: QuarantinePolicy,
    private readonly facts: FactSink,
    private readonly clock: Clock,
    logger: Logger,
  ) {
    this.log = logger.child({ device, unit });
  }

  get quarantined(): boolean {
    return this.failures > 0;
  }

  /** Whether to poll now: always, unless quarantined and the next probe is not yet due. */
  due(): boolean {
    return !this.quarantined || this.clock.mono() >= this.nextProbe;
  }

  /** The unit answered. `degraded` names an exception reply it gave for some of its points. */
  ok(degraded?: string): void {
    const now = this.clock.mono();
    const wasOffline = this.state === 'offline';
    this.lastOk = now;
    this.failures = 0;
    this.nextProbe = 0;
    if (wasOffline && this.troubleSince !== undefined) {
      this.log.debug(`device recovered after ${formatDuration((now - this.troubleSince) / 1000)}`);
    }
    this.troubleSince = undefined;
    const next: DeviceState = degraded ? 'degraded' : 'online';
    // One fact per state change: a unit whose blocks give different exceptions must not flap the fact.
    if (next !== this.state) {
      if (degraded) this.log.debug({ reason: degraded }, 'device answers with an exception');
      this.emit(next, degraded);
    }
  }

  /** The unit did not answer (after retries). */
  fail(err: unknown): void {
    const now = this.clock.mono();
    if (this.failures === 0) this.troubleSince = now;
    this.failures += 1;
    this.nextProbe = now + Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** (this.failures - 1));
    this.checkOffline(errorMessage(err));
  }

  /** Reports offline once the unit has been silent for offlineAfterS (or never answered). */
  checkOffline(reason = 'no answer'): void {
    if (!this.quarantined || this.state === 'offline') return;
    const now = this.clock.mono();
    if (this.lastOk !== undefined && now - this.lastOk < this.offlineAfterMs) return;
    this.log.debug({ reason }, 'device offline (not answering)');
    this.emit('offline', reason);
  }

  /** The serial adapter is gone: every unit on it is offline at once (the line logs it, once). */
  linkDown(reason: string): void {
    if (this.troubleSince === undefined) this.troubleSince = this.clock.mono();
    this.failures = Math.max(this.failures, 1);
    if (this.state === 'offline') return;
    this.emit('offline', reason);
  }

  /** The adapter is back: probe at once. */
  linkUp(): void {
    this.nextProbe = 0;
  }

  private emit(state: DeviceState, error?: string): void {
    this.state = state;
    this.facts.availability({
      device: this.device, state, ...(error ? { error } : {}), at: this.clock.now(), mono: this.clock.mono(),
    });
  }
}
