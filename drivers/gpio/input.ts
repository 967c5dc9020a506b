/**
 * One GPIO input device (panic button, door contact, enclosure tamper switch): debounces edges and reports
 * them as EventFacts { topic: 'input', kind: profile eventKind, active }. Supervised inputs also report their
 * loop ({ topic: 'supervision', kind: 'tamper' }, see supervision.ts). Rules decide what an event means.
 */
import type { Logger } from 'pino';
import type { Timers, TimerHandle } from '../outputs/timers.js';
import type { Clock, FactSink } from '../types.js';
import type { GpioLine } from './line.js';
import { classifyLoop, type LoopState } from './supervision.js';

export interface GpioInputDeps {
  deviceId: string;
  eventKind: string;
  debounceMs: number;
  contact: GpioLine;
  /** Supervised inputs: the loop fault line. */
  fault?: GpioLine;
  facts: FactSink;
  clock: Clock;
  timers: Timers;
  logger: Logger;
}

export class GpioInput {
  private readonly d: GpioInputDeps;
  private contactNow = false;
  private faultNow = false;
  private reportedContact = false;
  private reportedLoop: LoopState = 'normal';
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(deps: GpioInputDeps) {
    this.d = deps;
  }

  /** Reads the current levels, reports an input already active at start, then follows edges. */
  async start(): Promise<void> {
    this.contactNow = await this.d.contact.read();
    this.faultNow = this.d.fault ? await this.d.fault.read() : false;
    this.d.contact.watch((level) => this.edge(() => (this.contactNow = level)));
    this.d.fault?.watch((level) => this.edge(() => (this.faultNow = level)));
    this.settle(true);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.d.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Every edge restarts the debounce window; only a level that holds for debounceMs is reported. */
  private edge(update: () => void): void {
    if (this.stopped) return;
    update();
    if (this.timer !== undefined) this.d.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.d.debounceMs <= 0) {
      this.settle(false);
      return;
    }
    this.timer = this.d.timers.setTimeout(() => {
      this.timer = undefined;
      this.settle(false);
    }, this.d.debounceMs);
  }

  private settle(initial: boolean): void {
    if (this.stopped) return;
    const loop = this.d.fault ? classifyLoop(this.contactNow, this.faultNow) : 'normal';
    if (loop !== this.reportedLoop || (initial && loop !== 'normal')) {
      this.reportedLoop = loop;
      this.d.logger.info({ device: this.d.deviceId, loop }, loop === 'normal' ? 'input loop normal again' : 'input loop fault');
      this.emit('supervision', 'tamper', loop !== 'normal', { loop, ...(initial ? { initial: true } : {}) });
    }
    // While the loop is faulty its contact level means nothing; the tamper event said what happened.
    if (loop !== 'normal') return;
    if (this.contactNow !== this.reportedContact || (initial && this.contactNow)) {
      this.reportedContact = this.contactNow;
      this.emit('input', this.d.eventKind, this.contactNow, initial ? { initial: true } : undefined);
    }
  }

  private emit(topic: string, kind: string, active: boolean, data?: Record<string, unknown>): void {
    this.d.facts.event({
      device: this.d.deviceId, topic, kind, active,
      ...(data ? { data } : {}),
      at: this.d.clock.now(), mono: this.d.clock.mono(),
    });
  }
}
