/**
 * Liveness of the broker link, measured by what the broker sends us (fault item 8: a half-open link, dropped
 * without FIN or RST, must be noticed within 1.5 × keepalive).
 *
 * mqtt.js's own keepalive (KeepaliveManager) checks every 0.5 × keepalive and gives up 1.5 × keepalive after the
 * last ack it saw, so the check lands up to one tick late (measured 7.52 s at keepalive 5 s). This watchdog
 * counts the time since the last packet of any kind *received* (PUBACK, SUBACK, PINGRESP, PUBLISH):
 *
 *   silent ≥ pingAfter (0.5 × keepalive)  one PINGREQ (MQTT 5 §3.12: a client may send PINGREQ at any time), so an
 *                                         idle but healthy link answers long before the deadline
 *   silent ≥ deadAfter (1.25 × keepalive) the link is dead: from a cut right after the last packet arrived, that is
 *                                         1.25 × keepalive plus event-loop lag, inside the 1.5 × of item 8
 *
 * One timer, set for the next of those two moments and re-armed when it fires, so a busy link costs a timestamp
 * per packet and no timer work. mqtt.js's keepalive stays on: the broker needs it to hear from us.
 * Only received packets count, so a single publish that takes longer than deadAfter to upload (a multi-MB clip on
 * a slow link) would look like a dead link: while `busy()` says such an upload is unacknowledged, the deadline is
 * not applied (mqtt.js's own keepalive still is), and it applies again from the moment the upload is acknowledged.
 */
import type { Timers } from './backoff.js';

export interface LivenessOptions {
  /** The keepalive in force (the broker's Server Keep Alive when it sent one, MQTT 5 §3.2.2.3.14). */
  keepaliveMs: number;
  /** Monotonic milliseconds. */
  mono: () => number;
  timers: Timers;
  /** Sends a PINGREQ. */
  ping: () => void;
  /** A large upload is unacknowledged (the silence may be the upload's): the deadline waits. */
  busy?: () => boolean;
  /** The link is dead: nothing received for `silentMs`. Called once; the watchdog has stopped. */
  dead: (silentMs: number) => void;
}

export const PING_AFTER = 0.5;
export const DEAD_AFTER = 1.25;

export class Liveness {
  private readonly pingAfterMs: number;
  private readonly deadAfterMs: number;
  private last = 0;
  private pinged = false;
  private running = false;
  private timer: unknown = null;

  constructor(private readonly o: LivenessOptions) {
    this.pingAfterMs = Math.round(o.keepaliveMs * PING_AFTER);
    this.deadAfterMs = Math.round(o.keepaliveMs * DEAD_AFTER);
  }

  /** Starts counting from now (call on CONNACK: the CONNACK itself was the last packet received). */
  start(): void {
    this.stop();
    if (!(this.deadAfterMs > 0)) return; // no keepalive, no deadline
    this.running = true;
    this.received();
    this.arm();
  }

  /** A packet from the broker arrived. */
  received(): void {
    this.last = this.o.mono();
    this.pinged = false;
  }

  /** Idempotent; no callback fires after it. */
  stop(): void {
    this.running = false;
    if (this.timer !== null) this.o.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Milliseconds since the last packet received. */
  silentMs(): number {
    return this.o.mono() - this.last;
  }

  private arm(): void {
    const due = this.pinged ? this.deadAfterMs : Math.min(this.pingAfterMs, this.deadAfterMs);
    this.timer = this.o.timers.setTimeout(() => this.check(), Math.max(0, due - this.silentMs()));
  }

  private check(): void {
    this.timer = null;
    if (!this.running) return;
    const silent = this.silentMs();
    if (silent >= this.deadAfterMs && this.o.busy?.() === true) {
      this.timer = this.o.timers.setTimeout(() => this.check(), this.pingAfterMs);
      return;
    }
    if (silent >= this.deadAfterMs) {
      this.running = false;
      this.o.dead(silent);
      return;
    }
    if (silent >= this.pingAfterMs && !this.pinged) {
      this.pinged = true;
      this.o.ping();
    }
    if (this.running) this.arm();
  }
}
