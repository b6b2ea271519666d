/**
 * Expanding quantile of a stream in O(1) amortised per value: a fixed histogram (bins of `step`
 * over [lo, hi]) and a pointer to the bin holding the quantile, moved as values arrive. Exact to
 * one bin. Values outside the range count in the end bins.
 */
export class ExpandingQuantile {
  private readonly counts: Uint32Array;
  private n = 0;
  /** Bin index of the quantile, and how many values lie in bins below it. */
  private at = -1;
  private below = 0;

  constructor(
    readonly q: number,
    private readonly lo: number,
    private readonly hi: number,
    private readonly step: number,
  ) {
    this.counts = new Uint32Array(Math.ceil((hi - lo) / step) + 1);
  }

  get count(): number {
    return this.n;
  }

  add(x: number): void {
    if (!Number.isFinite(x)) return;
    const last = this.counts.length - 1;
    const b = Math.min(last, Math.max(0, Math.floor((x - this.lo) / this.step)));
    this.counts[b] = (this.counts[b] as number) + 1;
    this.n++;
    if (this.at < 0) {
      this.at = b;
      this.below = 0;
      return;
    }
    if (b < this.at) this.below++;
    const target = this.q * (this.n - 1);
    // The quantile bin is the first whose cumulative count exceeds the target rank.
    while (this.below > target && this.at > 0) {
      this.at--;
      this.below -= this.counts[this.at] as number;
    }
    while (this.below + (this.counts[this.at] as number) <= target && this.at < last) {
      this.below += this.counts[this.at] as number;
      this.at++;
    }
  }

  /** The quantile (bin centre); NaN before any value. */
  value(): number {
    return this.at < 0 ? Number.NaN : Math.min(this.hi, this.lo + (this.at + 0.5) * this.step);
  }
}
