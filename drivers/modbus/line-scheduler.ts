/**
 * The one master of one RS-485 line.
 *
 *   request() ─► JobQueue (actuation > command > poll) ─► pump: gap ─ flush ─ send ─ await reply ─► resolve
 *                                                                   └ timeout/CRC/mismatch: drain, retry later
 *
 * One transaction in flight. Before each send the line must have been quiet for the 3.5-character time plus
 * interFrameGapMs. RTU frames carry no transaction id, so after any timeout, CRC error or mismatched reply we
 * wait until the line has been silent for staleGuardMs and flush, and every reply is checked against its
 * request (unit, function, length, echo). A lost link fails all waiting requests and is reopened with backoff.
 */
import type { Logger } from 'pino';
import { QinheError, errorMessage, isQinheError } from '../../runtime/core/errors.js';
import type { Clock } from '../types.js';
import type { ByteLink, LinkOptions, OpenLink } from '../transport/types.js';
import { JobQueue, type Job, type Priority } from './job-queue.js';
import { LineHealth } from './line-health.js';
import { type ModbusReply, type ModbusRequest } from './pdu.js';
import { RtuFramer } from './rtu-framer.js';
import { blockBriefly, formatDuration, silenceMs, sleep, wireMs } from './timing.js';
import { startExchange, type Exchange } from './transaction.js';

export interface LineTiming {
  timeoutMs: number;
  retries: number;
  interFrameGapMs: number;
}

export interface LineSchedulerOptions {
  id: string;
  link: LinkOptions;
  timing: LineTiming;
  openLink: OpenLink;
  logger: Logger;
  clock: Clock;
  /** Silence required after an error before the next request (default timeoutMs). */
  staleGuardMs?: number;
  /** First retry delay; doubles per attempt (default 20 ms). */
  retryBackoffMs?: number;
  /** Reopen backoff after the adapter disappears (default 250 ms doubling to 2 s). */
  reopenMinMs?: number;
  reopenMaxMs?: number;
}

export interface RequestOptions {
  priority?: Priority;
  /** Overrides the line's retries (quarantine probes use 0). */
  retries?: number;
}

export type LinkListener = (up: boolean, err?: Error) => void;

export class LineScheduler {
  readonly id: string;
  readonly health = new LineHealth();
  private readonly queue = new JobQueue();
  private readonly framer = new RtuFramer('reply');
  private readonly log: Logger;
  private readonly listeners = new Set<LinkListener>();
  private link: ByteLink | undefined;
  private up = false;
  private running = false;
  private stopped = false;
  private readonly stopCtl = new AbortController();
  private wake: (() => void) | undefined;
  private current: Exchange | undefined;
  private lastActivity = -Infinity;
  private pumpDone: Promise<void> = Promise.resolve();
  private reopening: Promise<void> | undefined;
  private lostAt: number | undefined;

  constructor(private readonly opts: LineSchedulerOptions) {
    this.id = opts.id;
    this.log = opts.logger.child({ bus: opts.id });
  }

  get isUp(): boolean {
    return this.up;
  }

  get path(): string {
    return this.opts.link.path;
  }

  onLinkChange(listener: LinkListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens the port now or throws QH_SERIAL_OPEN (technician tools). */
  async open(): Promise<void> {
    this.stopped = false;
    await this.openLink();
    this.startPump();
  }

  /** Opens the port, or keeps retrying in the background if the adapter is absent (the daemon). */
  async start(): Promise<void> {
    try {
      await this.open();
    } catch (err) {
      this.log.warn({ err: errorMessage(err), path: this.path }, 'serial port unavailable; retrying in the background');
      this.lostAt = this.opts.clock.mono();
      this.startPump();
      this.reopenInBackground();
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopCtl.abort();
    const stopped = new QinheError('QH_MODBUS_LINE_STOPPED', `line ${this.id} stopped`);
    for (const job of this.queue.drain()) job.reject(stopped);
    this.current?.abort(stopped);
    this.wake?.();
    await this.pumpDone;
    await this.reopening;
    const link = this.link;
    this.link = undefined;
    this.up = false;
    await link?.close();
  }

  request(req: ModbusRequest, options: RequestOptions = {}): Promise<ModbusReply> {
    if (this.stopped) return Promise.reject(new QinheError('QH_MODBUS_LINE_STOPPED', `line ${this.id} stopped`));
    if (!this.up) return Promise.reject(new QinheError('QH_SERIAL_GONE', `line ${this.id}: ${this.path} is not open`));
    if (req.unit < 1 || req.unit > 247) return Promise.reject(new QinheError('QH_USAGE', `unit ${req.unit} is not 1–247`));
    return new Promise<ModbusReply>((resolve, reject) => {
      this.queue.push({
        req, priority: options.priority ?? 'poll', retriesLeft: options.retries ?? this.opts.timing.retries,
        attempt: 0, notBefore: 0, seq: this.queue.nextSeq(), resolve, reject,
      });
      this.wake?.();
    });
  }

  // ---------- link ----------

  private async openLink(): Promise<void> {
    const link = this.opts.openLink(this.opts.link);
    await link.open();
    link.on('data', (chunk) => this.onData(chunk));
    link.on('lost', (err) => this.onLost(link, err));
    this.link = link;
    this.up = true;
    if (this.lostAt !== undefined) {
      const s = (this.opts.clock.mono() - this.lostAt) / 1000;
      this.log.info({ path: this.path }, `serial port back after ${formatDuration(s)}`);
      this.lostAt = undefined;
    }
    for (const l of this.listeners) l(true);
  }

  private onData(chunk: Buffer): void {
    this.lastActivity = this.opts.clock.mono();
    if (this.current) this.health.counters.discardedBytes += this.current.push(chunk);
    else this.health.counters.discardedBytes += chunk.length;
  }

  private onLost(link: ByteLink, err: Error): void {
    if (link !== this.link || this.stopped) return;
    this.link = undefined;
    this.up = false;
    this.health.counters.linkLost += 1;
    this.lostAt = this.opts.clock.mono();
    this.log.warn({ err: errorMessage(err), path: this.path }, 'serial port lost; reopening with backoff');
    this.current?.abort(err);
    for (const job of this.queue.drain()) job.reject(err);
    for (const l of this.listeners) l(false, err);
    void link.close().catch(() => undefined);
    this.reopenInBackground();
  }

  private reopenInBackground(): void {
    if (this.reopening) return;
    const min = this.opts.reopenMinMs ?? 250;
    const max = this.opts.reopenMaxMs ?? 2000;
    this.reopening = (async () => {
      for (let delay = min; !this.stopped && !this.up; delay = Math.min(max, delay * 2)) {
        await sleep(delay, this.stopCtl.signal);
        if (this.stopped) break;
        try {
          await this.openLink();
        } catch (err) {
          this.log.debug({ err: errorMessage(err) }, 'reopen failed');
        }
      }
    })().finally(() => { this.reopening = undefined; });
  }

  // ---------- the pump ----------

  private startPump(): void {
    if (this.running) return;
    this.running = true;
    this.pumpDone = this.pump().finally(() => { this.running = false; });
  }

  private async pump(): Promise<void> {
    while (!this.stopped) {
      const job = this.queue.take(this.opts.clock.mono());
      if (!job) { await this.idle(); continue; }
      try {
        await this.run(job);
      } catch (err) {
        // Never let one job stop the pump (a stuck queue is worse than a failed request).
        this.current = undefined;
        this.log.error({ err: errorMessage(err) }, 'Modbus transaction failed unexpectedly');
        job.reject(err);
      }
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const due = this.queue.nextDue();
      const timer = due === undefined ? undefined : setTimeout(done, Math.max(0, due - this.opts.clock.mono()));
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(job: Job): Promise<void> {
    const link = this.link;
    if (!link || !this.up) { job.reject(new QinheError('QH_SERIAL_GONE', `line ${this.id}: ${this.path} is not open`)); return; }
    const timing = this.opts.timing;
    // Capped: a line that never falls quiet (a chattering slave, a second master) must not stall the queue.
    await this.quietFor(silenceMs(this.opts.link) + timing.interFrameGapMs, timing.timeoutMs);
    await link.flush();
    const started = this.opts.clock.mono();
    job.attempt += 1;
    const exchange = startExchange({
      req: job.req, framer: this.framer,
      send: async (frame) => {
        await link.write(frame);
        this.lastActivity = this.opts.clock.mono();
      },
      // The timeout covers the slave's turnaround plus the time the reply itself takes on the wire.
      timeoutMs: (replyBytes) => timing.timeoutMs + wireMs(replyBytes, this.opts.link),
    });
    this.current = exchange;
    try {
      const reply = await exchange.done;
      this.health.counters.txOk += 1;
      this.health.recordLatency(job.req.unit, this.opts.clock.mono() - started);
      job.resolve(reply);
    } catch (err) {
      this.count(err);
      await this.afterError(err);
      if (job.retriesLeft > 0 && isRetryable(err) && this.up && !this.stopped) {
        job.retriesLeft -= 1;
        job.notBefore = this.opts.clock.mono() + (this.opts.retryBackoffMs ?? 20) * 2 ** (job.attempt - 1);
        this.queue.push(job);
      } else {
        job.reject(err);
      }
    } finally {
      this.current = undefined;
    }
  }

  private count(err: unknown): void {
    const c = this.health.counters;
    if (isQinheError(err, 'QH_MODBUS_TIMEOUT')) c.timeouts += 1;
    else if (isQinheError(err, 'QH_MODBUS_CRC')) c.crcErrors += 1;
    else if (isQinheError(err, 'QH_MODBUS_EXCEPTION')) c.exceptions += 1;
    else if (isQinheError(err, 'QH_MODBUS_BAD_REPLY')) c.badReplies += 1;
  }

  /** After a failed exchange: let a late or partial reply finish arriving, then throw it away. */
  private async afterError(err: unknown): Promise<void> {
    if (isQinheError(err, 'QH_MODBUS_EXCEPTION') || !this.up) return;
    const guard = this.opts.staleGuardMs ?? this.opts.timing.timeoutMs;
    // Silence is counted from now, not from the last byte: a late reply may not have started yet.
    await this.quietFor(guard, guard * 5, this.opts.clock.mono());
    this.health.counters.discardedBytes += this.framer.reset().length;
    await this.link?.flush();
  }

  /**
   * Waits until no byte has moved for `ms` since `since` (or `capMs` has passed). setTimeout runs on whole
   * milliseconds and never early by its own clock, so it is asked for the whole milliseconds only and the
   * last fraction is slept in the kernel: the 4.01 ms silence of 9600 8E1 then lasts ~4.05 ms, not 5 ms
   * (that millisecond was a quarter of the overhead per transaction). The loop re-checks the line after
   * every sleep, so a byte arriving meanwhile still restarts the silence.
   */
  private async quietFor(ms: number, capMs: number, since = -Infinity): Promise<void> {
    const clock = this.opts.clock;
    const deadline = clock.mono() + capMs;
    for (;;) {
      const now = clock.mono();
      const wait = Math.min(Math.max(this.lastActivity, since) + ms, deadline) - now;
      if (wait <= 0 || this.stopped) return;
      if (wait < 1) blockBriefly(wait);
      else await sleep(Math.floor(wait), this.stopCtl.signal);
    }
  }
}

function isRetryable(err: unknown): boolean {
  return isQinheError(err, 'QH_MODBUS_TIMEOUT') || isQinheError(err, 'QH_MODBUS_CRC') || isQinheError(err, 'QH_MODBUS_BAD_REPLY');
}
