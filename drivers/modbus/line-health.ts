/** Counters of one RS-485 line: what `buses()` and the bench report. */
export interface UnitLatency {
  count: number;
  lastMs: number;
  avgMs: number;
  maxMs: number;
}

export interface LineCounters {
  txOk: number;
  timeouts: number;
  crcErrors: number;
  exceptions: number;
  badReplies: number;
  /** Bytes discarded as garbage or as stale data drained after an error. */
  discardedBytes: number;
  linkLost: number;
}

export class LineHealth {
  readonly counters: LineCounters = { txOk: 0, timeouts: 0, crcErrors: 0, exceptions: 0, badReplies: 0, discardedBytes: 0, linkLost: 0 };
  private readonly latency = new Map<number, { count: number; sum: number; last: number; max: number }>();

  recordLatency(unit: number, ms: number): void {
    const l = this.latency.get(unit) ?? { count: 0, sum: 0, last: 0, max: 0 };
    l.count += 1;
    l.sum += ms;
    l.last = ms;
    l.max = Math.max(l.max, ms);
    this.latency.set(unit, l);
  }

  latencyByUnit(): Record<string, UnitLatency> {
    const out: Record<string, UnitLatency> = {};
    for (const [unit, l] of [...this.latency].sort((a, b) => a[0] - b[0])) {
      out[String(unit)] = { count: l.count, lastMs: round(l.last), avgMs: round(l.sum / l.count), maxMs: round(l.max) };
    }
    return out;
  }
}

export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
