/**
 * What the center checks on R/incident: seq strictly increasing by 1 per box (contract v1). Delivery is at
 * least once, so a repeated seq is a duplicate (counted, harmless); a seq never seen between the lowest and
 * the highest is a gap.
 */
export class SeqTracker {
  private readonly seen = new Set<number>();
  private min = Infinity;
  private max = -Infinity;
  duplicates = 0;
  /** Times a seq arrived lower than one already seen (allowed across severities, counted for the record). */
  outOfOrder = 0;

  add(seq: number): void {
    if (!Number.isInteger(seq)) return;
    if (this.seen.has(seq)) { this.duplicates += 1; return; }
    if (seq < this.max) this.outOfOrder += 1;
    this.seen.add(seq);
    this.min = Math.min(this.min, seq);
    this.max = Math.max(this.max, seq);
  }

  get count(): number {
    return this.seen.size;
  }

  get range(): { first: number; last: number } | undefined {
    return this.seen.size === 0 ? undefined : { first: this.min, last: this.max };
  }

  /** Seqs missing between the lowest and the highest seen. */
  missing(limit = 20): number[] {
    const out: number[] = [];
    for (let s = this.min; s <= this.max && out.length < limit; s++) if (!this.seen.has(s)) out.push(s);
    return out;
  }

  get gaps(): number {
    return this.seen.size === 0 ? 0 : this.max - this.min + 1 - this.seen.size;
  }
}
