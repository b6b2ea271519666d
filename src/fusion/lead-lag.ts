/**
 * Lead–lag of a source against the fused price: which past of the market its values describe.
 *
 * A source that is 3 s behind is not merely noisy: its error is the market's last 3 s of moves,
 * the same error update after update. Scored against the fused price's own history at a grid of
 * delays (0, 0.5 s, …, 5 s), the delay with the smallest mean squared deviation is its lag; the
 * engine then treats its values as that much older (their variance grows with the market's
 * variance rate over the lag), so a lagging source is down-weighted by exactly what its lag costs.
 *
 * O(LAG_STEPS) per graded value, no allocation.
 */
export const LAG_STEP_MS = 500;
export const LAG_STEPS = 11;
/** A lag is declared only when it fits clearly better than none (ratio of mean squared deviations). */
const LAG_EVIDENCE = 0.9;
const LAG_ALPHA = 0.005;
const HISTORY = 32;

/** The fused price at most every LAG_STEP_MS / 2, for the last ~8 s. */
export class PriceHistory {
  private readonly ts = new Float64Array(HISTORY).fill(Number.NaN);
  private readonly px = new Float64Array(HISTORY).fill(Number.NaN);
  private head = 0;
  private last = Number.NEGATIVE_INFINITY;

  push(ts: number, price: number): void {
    if (!Number.isFinite(price) || ts - this.last < LAG_STEP_MS / 2) return;
    this.ts[this.head] = ts;
    this.px[this.head] = price;
    this.head = (this.head + 1) % HISTORY;
    this.last = ts;
  }

  /**
   * The price as it stood at t, t − step, t − 2·step, … (the newest entry not after each time)
   * into out[0..count); false if the history does not reach back that far. One backward walk.
   */
  sample(t: number, step: number, count: number, out: Float64Array): boolean {
    let k = 0;
    let i = (this.head - 1 + HISTORY) % HISTORY;
    for (let seen = 0; seen < HISTORY && k < count; seen++) {
      const ts = this.ts[i] as number;
      if (Number.isNaN(ts)) return false;
      // This entry serves every target at or after it that is not yet served.
      while (k < count && ts <= t - k * step) {
        if (t - k * step - ts > 2 * LAG_STEP_MS) return false;
        out[k] = this.px[i] as number;
        k++;
      }
      i = (i - 1 + HISTORY) % HISTORY;
    }
    return k === count;
  }
}

export class LeadLag {
  /** Mean squared deviation (bps²) from the fused price k·LAG_STEP_MS earlier. */
  readonly mse = new Float64Array(LAG_STEPS);
  private readonly past = new Float64Array(LAG_STEPS);
  private samples = 0;
  /** Current estimate (ms). */
  lagMs = 0;

  /** A value the source gave at time t, against the fused history. */
  observe(history: PriceHistory, t: number, price: number): void {
    // Only when the whole grid of delays can be scored, so every delay sees the same values.
    if (!history.sample(t, LAG_STEP_MS, LAG_STEPS, this.past)) return;
    this.samples++;
    const a = Math.max(LAG_ALPHA, 1 / this.samples);
    let best = 0;
    for (let k = 0; k < LAG_STEPS; k++) {
      const x = this.past[k] as number;
      const e = ((price - x) / x) * 1e4;
      const m = (this.mse[k] as number) + a * (e * e - (this.mse[k] as number));
      this.mse[k] = m;
      if (m < (this.mse[best] as number)) best = k;
    }
    this.lagMs = this.samples >= 10 && (this.mse[best] as number) < LAG_EVIDENCE * (this.mse[0] as number) ? best * LAG_STEP_MS : 0;
  }
}
