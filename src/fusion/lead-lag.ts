/**
 * Lead–lag of a source against the consensus of the others: which past of the market its values
 * describe.
 *
 * A source that is 3 s behind is not merely noisy: its error is the market's last 3 s of moves,
 * the same error update after update. Each of its values is scored against the consensus of the
 * *other* sources (leave-one-out, unsmoothed: the filtered price would lag itself, and a consensus
 * that includes the source would pull every score toward no lag) as it stood 0, 0.5 s, …, 5 s
 * earlier; the delay with the smallest mean squared deviation is its lag. The engine then treats
 * its values as that much older (their variance grows with the market's variance rate over the
 * lag), so a lagging source is down-weighted by what its lag costs.
 *
 * O(HISTORY + LAG_STEPS) per graded value, no allocation.
 */
export const LAG_STEP_MS = 500;
export const LAG_STEPS = 11;
/** A lag is declared only when it fits clearly better than none (ratio of mean squared deviations). */
const LAG_EVIDENCE = 0.9;
const LAG_ALPHA = 0.005;
/** Snapshots kept: at least LAG_STEP_MS / 5 apart, so 64 cover at least 6.4 s. */
const HISTORY = 64;
const MIN_SPACING_MS = LAG_STEP_MS / 5;

/**
 * The inverse-variance consensus of an instrument's used sources at recent instants, kept as its
 * sums (Σw, Σw·p) so any one source's contribution can be taken out; each source keeps its own
 * weight and price at the same instants (`SourceTrace`).
 */
export class ConsensusHistory {
  readonly ts = new Float64Array(HISTORY).fill(Number.NaN);
  readonly sw = new Float64Array(HISTORY);
  readonly swp = new Float64Array(HISTORY);
  head = 0;
  private last = Number.NEGATIVE_INFINITY;

  /** Starts a snapshot at `ts`; returns its slot, or -1 when too close to the last one. */
  push(ts: number, sw: number, swp: number): number {
    if (!(sw > 0) || ts - this.last < MIN_SPACING_MS) return -1;
    const k = this.head;
    this.ts[k] = ts;
    this.sw[k] = sw;
    this.swp[k] = swp;
    this.head = (k + 1) % HISTORY;
    this.last = ts;
    return k;
  }

  /**
   * The consensus without `own`'s contribution as it stood at t, t − step, … (the newest snapshot
   * not after each time) into out[0..count); false if the history does not reach back that far
   * or the source was the only one.
   */
  leaveOneOut(own: SourceTrace, t: number, step: number, count: number, out: Float64Array): boolean {
    let k = 0;
    let i = (this.head - 1 + HISTORY) % HISTORY;
    for (let seen = 0; seen < HISTORY && k < count; seen++) {
      const ts = this.ts[i] as number;
      if (Number.isNaN(ts)) return false;
      while (k < count && ts <= t - k * step) {
        if (t - k * step - ts > 2 * LAG_STEP_MS) return false;
        const w = own.w[i] as number;
        const rest = (this.sw[i] as number) - w;
        if (!(rest > 0)) return false;
        out[k] = ((this.swp[i] as number) - w * (own.p[i] as number)) / rest;
        k++;
      }
      i = (i - 1 + HISTORY) % HISTORY;
    }
    return k === count;
  }
}

/** One source's weight in the consensus (0 when not used) and its price, at each snapshot. */
export class SourceTrace {
  readonly w = new Float64Array(HISTORY);
  readonly p = new Float64Array(HISTORY);

  record(k: number, weight: number, price: number): void {
    this.w[k] = weight;
    this.p[k] = price;
  }
}

export class LeadLag {
  /** Mean squared deviation (bps²) from the others' consensus k·LAG_STEP_MS earlier. */
  readonly mse = new Float64Array(LAG_STEPS);
  private readonly past = new Float64Array(LAG_STEPS);
  readonly trace = new SourceTrace();
  private samples = 0;
  private lastTs = Number.NEGATIVE_INFINITY;
  /** Current estimate (ms). */
  lagMs = 0;

  /** A value the source gave at time t, against the others' consensus history. */
  observe(history: ConsensusHistory, t: number, price: number): void {
    // Values closer together than the history's spacing add cost, not evidence.
    if (t - this.lastTs < MIN_SPACING_MS) return;
    this.lastTs = t;
    // Only when the whole grid of delays can be scored, so every delay sees the same values.
    if (!history.leaveOneOut(this.trace, t, LAG_STEP_MS, LAG_STEPS, this.past)) return;
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
