/**
 * Causal per-bar features for regime models, in units of the instrument's own long-run
 * volatility so that one fitted model reads daily and intraday bars alike:
 * - `z`: the bar's log return over the long-run standard deviation;
 * - `logVol`: log of the short-run (EWMA, span 10) volatility over the long-run one;
 * - `trend`: mean of `z` over the last 20 bars × √20 (a t-statistic of the drift).
 * (Drawdown from the peak was tried: a slow level variable, it made the HMM cluster by depth of
 * drawdown instead of by behaviour.)
 * O(1) per bar; no allocation after construction.
 */
export const REGIME_FEATURES = ['z', 'logVol', 'trend'] as const;
export const FEATURE_COUNT = REGIME_FEATURES.length;

const TREND_BARS = 20;

export class RegimeFeatures {
  /** The latest feature vector (valid when `update` returned true). */
  readonly values = new Float64Array(FEATURE_COUNT);
  private prevClose = Number.NaN;
  private longVar = Number.NaN;
  private shortVar = Number.NaN;
  private n = 0;
  private readonly ring = new Float64Array(TREND_BARS);
  private ringSum = 0;
  private readonly longAlpha: number;

  constructor(
    private readonly longSpan = 2000,
    private readonly warmup = 20,
  ) {
    this.longAlpha = 2 / (longSpan + 1);
  }

  /** Short-run over long-run volatility (NaN before the first returns). */
  get volRatio(): number {
    return Math.sqrt(this.shortVar / this.longVar);
  }

  /** Feeds one close; true when `values` holds a feature vector for this bar. */
  update(close: number): boolean {
    const prev = this.prevClose;
    this.prevClose = close;
    if (!(close > 0)) return false;
    if (!(prev > 0)) return false;
    const r = Math.log(close / prev);
    this.n++;
    const r2 = r * r;
    if (Number.isNaN(this.longVar)) {
      this.longVar = r2;
      this.shortVar = r2;
    } else {
      // Expanding mean until the span is reached, then a slow EWMA.
      this.longVar += (this.n < this.longSpan ? 1 / this.n : this.longAlpha) * (r2 - this.longVar);
      this.shortVar += (2 / 11) * (r2 - this.shortVar);
    }
    const sd = Math.sqrt(this.longVar);
    if (!(sd > 0)) return false;
    const z = r / sd;
    const slot = this.n % TREND_BARS;
    this.ringSum += z - (this.ring[slot] as number);
    this.ring[slot] = z;
    if (this.n < this.warmup) return false;
    const v = this.values;
    v[0] = z;
    v[1] = 0.5 * Math.log(Math.max(1e-12, this.shortVar / this.longVar));
    v[2] = this.ringSum / Math.sqrt(TREND_BARS);
    return true;
  }
}

/** Features of a whole series, row-major (rows only for bars that produced features), and their bar indices. */
export function regimeFeatureMatrix(close: ArrayLike<number>): { x: Float64Array; index: Int32Array } {
  const f = new RegimeFeatures();
  const x = new Float64Array(close.length * FEATURE_COUNT);
  const index = new Int32Array(close.length);
  let rows = 0;
  for (let i = 0; i < close.length; i++) {
    if (!f.update(close[i] as number)) continue;
    x.set(f.values, rows * FEATURE_COUNT);
    index[rows++] = i;
  }
  return { x: x.subarray(0, rows * FEATURE_COUNT), index: index.subarray(0, rows) };
}
