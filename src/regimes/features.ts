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
import { ExpandingQuantile } from './quantile.ts';

const REGIME_FEATURES = ['z', 'logVol', 'trend'] as const;
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

/** What a regime model reads from a bar (high, low and volume only for the `bar` feature set). */
export interface RegimeBar {
  close: number;
  high?: number;
  low?: number;
  volume?: number;
}

export type FeatureSet = 'close' | 'bar';

/** A causal feature extractor: one bar in, a feature vector (when warm) out. */
export interface FeatureExtractor {
  readonly values: Float64Array;
  readonly volRatio: number;
  update(bar: RegimeBar): boolean;
}

/**
 * Per-bar features from OHLCV, for bars that have a range and a volume:
 * - `z`: the log return over the bar's reference range;
 * - `logRange`: log(ln(high / low)) above its reference;
 * - `logVolume`: log volume above its reference.
 * The references are the expanding 2nd percentiles of log range and log volume: the level of a
 * quiet bar for this instrument, which (unlike a mean, and less than the 10th percentile first
 * used) moves little with the mix of regimes seen so far. Every feature is about the bar itself, so that consecutive feature vectors do not
 * share data — what an HMM assumes.
 */
const BAR_FEATURES = ['z', 'logRange', 'logVolume'] as const;

/** Chosen on simulation seeds 1–6 (0.01…0.1 tried), checked on 7–12: README, "Regimes". */
const QUIET_QUANTILE = 0.02;

class BarRegimeFeatures implements FeatureExtractor {
  readonly values = new Float64Array(BAR_FEATURES.length);
  private readonly closeFeatures = new RegimeFeatures();
  private readonly range = new ExpandingQuantile(QUIET_QUANTILE, -25, 5, 0.01);
  private readonly volume = new ExpandingQuantile(QUIET_QUANTILE, -5, 45, 0.01);
  private prevClose = Number.NaN;
  private n = 0;

  constructor(private readonly warmup = 20) {}

  get volRatio(): number {
    return this.closeFeatures.volRatio;
  }

  update(bar: RegimeBar): boolean {
    this.closeFeatures.update(bar.close);
    const prev = this.prevClose;
    this.prevClose = bar.close;
    const hi = bar.high ?? bar.close;
    const lo = bar.low ?? bar.close;
    if (!(prev > 0 && bar.close > 0 && lo > 0 && hi >= lo)) return false;
    // A flat bar has no range: floor it (1e-8 of price) rather than take log(0).
    const lr = Math.log(Math.max(1e-8, Math.log(hi / lo)));
    const lv = Math.log1p(Math.max(0, bar.volume ?? 0));
    this.range.add(lr);
    this.volume.add(lv);
    if (++this.n < this.warmup) return false;
    const qr = this.range.value();
    const v = this.values;
    v[0] = Math.log(bar.close / prev) / Math.exp(qr);
    v[1] = lr - qr;
    v[2] = lv - this.volume.value();
    return true;
  }
}

/** A fresh extractor of the given set. */
export function featureExtractor(set: FeatureSet): FeatureExtractor {
  if (set === 'bar') return new BarRegimeFeatures();
  const f = new RegimeFeatures();
  return {
    values: f.values,
    get volRatio() {
      return f.volRatio;
    },
    update: (bar) => f.update(bar.close),
  };
}

/** Feature dimension of a set. */
export const featureCount = (set: FeatureSet): number => (set === 'bar' ? BAR_FEATURES.length : FEATURE_COUNT);

/** Features of a whole series (row-major, rows only for warm bars) and their bar indices. */
export function featureMatrix(
  set: FeatureSet,
  s: { close: ArrayLike<number>; high?: ArrayLike<number>; low?: ArrayLike<number>; volume?: ArrayLike<number> },
): { x: Float64Array; index: Int32Array } {
  const f = featureExtractor(set);
  const d = featureCount(set);
  const n = s.close.length;
  const x = new Float64Array(n * d);
  const index = new Int32Array(n);
  let rows = 0;
  const bar: RegimeBar = { close: 0 };
  for (let i = 0; i < n; i++) {
    bar.close = s.close[i] as number;
    bar.high = s.high?.[i];
    bar.low = s.low?.[i];
    bar.volume = s.volume?.[i];
    if (!f.update(bar)) continue;
    x.set(f.values, rows * d);
    index[rows++] = i;
  }
  return { x: x.subarray(0, rows * d), index: index.subarray(0, rows) };
}
