/**
 * The subscription supervisor of one camera:
 *
 *   connect (clock offset, info, URIs) → CreatePullPointSubscription → PullMessages loop ─┐
 *        ▲                                   ▲ renew at ~80 % of the TTL                   │
 *        │ backoff                           └─ fault (reboot, lost subscription): resync, new subscription
 *        └──── request failed / timed out ───────────────────────────────────────────────┘
 *
 * A new subscription every time (a reference from before a reboot is never reused); no Unsubscribe in
 * normal operation (cameras expire what we abandon). Long event silence is cross-checked with a liveness
 * probe (GetSystemDateAndTime): a dead or frozen camera becomes an AvailabilityFact offline, never silence.
 * Down is logged once, recovery once.
 */
import type { Logger } from 'pino';
import type { Clock, FactSink } from '../types.js';
import { errorMessage, isQinheError } from '../../runtime/core/errors.js';
import type { CameraInfo, CameraSession } from './session.js';
import { createPullPoint, pullMessages, renew, type Subscription } from './events/pull-point.js';
import type { ParserRegistry } from './parsers/registry.js';
import { stripTopic, type RawEvent } from './events/raw-event.js';

export interface SupervisorOptions {
  deviceId: string;
  session: CameraSession;
  registry: ParserRegistry;
  facts: FactSink;
  clock: Clock;
  logger: Logger;
  /** Report offline after this long without any answer (profile.offlineAfterS). */
  offlineAfterS: number;
  /** Requested subscription lifetime, s (renewed at 80 %). */
  terminationS?: number;
  /** PullMessages Timeout, s (the camera holds the request this long when idle). */
  pullTimeoutS?: number;
  /** Event silence after which the camera is probed and resubscribed, s. */
  silenceS?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  random?: () => number;
}

export class SubscriptionSupervisor {
  info: CameraInfo | undefined;
  subscriptionsCreated = 0;
  renewals = 0;
  private state: 'unknown' | 'online' | 'offline' = 'unknown';
  private lastAnswerMono: number;
  private readonly unknownTopics = new Set<string>();

  constructor(private readonly o: SupervisorOptions) {
    this.lastAnswerMono = o.clock.mono();
  }

  get availability(): 'unknown' | 'online' | 'offline' {
    return this.state;
  }

  /** Runs until the signal aborts; never throws. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock } = this.o;
    let attempt = 0;
    let needConnect = true;
    this.lastAnswerMono = clock.mono();
    while (!signal.aborted) {
      try {
        if (needConnect) {
          this.info = await this.o.session.connect(signal);
          needConnect = false;
        } else {
          await this.o.session.soap.syncClock(signal);
        }
        // Only a good PullMessages or Renew reply counts as an answer: a camera that answers the time and
        // creates subscriptions but whose pulls fail or carry garbage must still end up offline, with the reason.
        const sub = await createPullPoint(this.o.session.soap, this.info?.eventsPath ?? '/onvif/event_service', this.o.terminationS ?? 60, signal);
        this.subscriptionsCreated += 1;
        attempt = 0;
        this.o.logger.debug({ subscription: sub.address.pathname + sub.address.search, ttlS: sub.ttlS }, 'pull-point subscription created');
        await this.pullLoop(sub, signal);
      } catch (err) {
        if (signal.aborted) break;
        const lost = isQinheError(err, 'QH_ONVIF_FAULT') || isQinheError(err, 'QH_ONVIF_AUTH');
        this.o.logger.debug({ err: errorMessage(err), attempt }, 'camera session failed');
        if (clock.mono() - this.lastAnswerMono >= this.o.offlineAfterS * 1000) this.down(err);
        // A fault on a working session (reboot, subscription gone) is retried at once, once; the rest back off.
        if (!(lost && attempt === 0)) await sleep(this.backoff(attempt), signal);
        if (!lost) needConnect = true;
        attempt += 1;
      }
    }
  }

  private backoff(attempt: number): number {
    const base = this.o.backoffBaseMs ?? 1000;
    const cap = this.o.backoffCapMs ?? Math.min(30_000, Math.max(base, (this.o.offlineAfterS * 1000) / 2));
    const exp = Math.min(cap, base * 2 ** Math.min(attempt, 16));
    return exp * (0.5 + (this.o.random ?? Math.random)() * 0.5);
  }

  private async pullLoop(sub: Subscription, signal: AbortSignal): Promise<void> {
    const { clock, session } = this.o;
    const termination = this.o.terminationS ?? 60;
    const silenceMs = (this.o.silenceS ?? 300) * 1000;
    let renewAt = clock.mono() + sub.ttlS * 800;
    let lastEvent = clock.mono();
    while (!signal.aborted) {
      if (clock.mono() >= renewAt) {
        const ttl = await renew(session.soap, sub, termination, signal);
        this.renewals += 1;
        this.answered();
        renewAt = clock.mono() + ttl * 800;
      }
      const pullS = Math.max(1, Math.min(this.o.pullTimeoutS ?? 10, Math.floor((renewAt - clock.mono()) / 1000)));
      const { events } = await pullMessages(session.soap, sub, pullS, 50, signal);
      this.answered();
      for (const raw of events) this.deliver(raw);
      if (events.length > 0) lastEvent = clock.mono();
      if (clock.mono() - lastEvent >= silenceMs) {
        // Quiet for long: is the camera alive (probe), and is our subscription still delivering (new one)?
        await session.soap.syncClock(signal);
        this.o.logger.debug({ silentS: Math.round((clock.mono() - lastEvent) / 1000) }, 'event silence: camera alive, resubscribing');
        return;
      }
    }
  }

  private deliver(raw: RawEvent): void {
    const ev = this.o.registry.parse(raw);
    if (!ev) {
      const key = stripTopic(raw.topic);
      if (!this.unknownTopics.has(key)) {
        this.unknownTopics.add(key);
        // The raw event as JSON: paste it into a parser test (tests/unit/onvif/) with the kind it should map to.
        this.o.logger.warn({ unknownEvent: raw }, `unknown ONVIF topic ${raw.topic} (logged once)`);
      }
      return;
    }
    this.o.facts.event({ device: this.o.deviceId, topic: ev.topic, kind: ev.kind, active: ev.active, data: ev.data,
      at: this.o.clock.now(), mono: this.o.clock.mono() });
  }

  private answered(): void {
    this.lastAnswerMono = this.o.clock.mono();
    if (this.state === 'online') return;
    if (this.state === 'offline') this.o.logger.info('camera back online');
    this.state = 'online';
    this.o.facts.availability({ device: this.o.deviceId, state: 'online', at: this.o.clock.now(), mono: this.o.clock.mono() });
  }

  private down(err: unknown): void {
    if (this.state === 'offline') return;
    this.state = 'offline';
    const error = isQinheError(err) ? `${err.code}: ${err.message}` : errorMessage(err);
    this.o.logger.warn({ error }, 'camera offline');
    this.o.facts.availability({ device: this.o.deviceId, state: 'offline', error, at: this.o.clock.now(), mono: this.o.clock.mono() });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) { resolve(); return; }
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
