/**
 * A budget for repetitive log lines: at most `perWindow` lines per window; the rest are counted, and the first
 * line allowed in a later window carries how many were left out. So a flood (junk commands at 1,000/s) costs
 * a few lines a minute in the journal, and the technician still sees that it happened and how much of it.
 */
export class LogBudget {
  private windowStart = Number.NEGATIVE_INFINITY;
  private used = 0;
  private dropped = 0;

  constructor(private readonly perWindow: number, private readonly windowMs: number, private readonly mono: () => number) {}

  /** undefined: do not log. Otherwise log, adding `suppressed` (lines left out since the last one) when > 0. */
  take(): { suppressed: number } | undefined {
    const now = this.mono();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used >= this.perWindow) {
      this.dropped += 1;
      return undefined;
    }
    this.used += 1;
    const suppressed = this.dropped;
    this.dropped = 0;
    return { suppressed };
  }
}
