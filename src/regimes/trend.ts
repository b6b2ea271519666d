/**
 * Two per-bar axes beside the regime label, both causal and scale-free:
 * - trend: direction and strength in −1..1, tanh(t / 2) of the t-statistic of the mean log return
 *   over the last `bars` bars against the series' own volatility (expanding root mean square of
 *   the returns, so a quiet instrument's small steady rise counts as much as a wild one's big one);
 *   |trend| ≥ 0.76 means |t| ≥ 2.
 * - volatility regime: `low` / `normal` / `high` by where the short-run volatility (exponential,
 *   span 20) sits in its own expanding history: below its 25th percentile, above its 75th, or between.
 * O(1) per bar: `TrendVolatility` bar by bar (the live pipeline), `trendAndVolatility` over a
 * whole series (`emp regimes`), the same arithmetic.
 */
import type { VolatilityRegime } from '../core/regime.ts';
import { ExpandingQuantile } from './quantile.ts';

export type { VolatilityRegime } from '../core/regime.ts';

/** The two axes bar by bar: `update` with each close; trend NaN and volatility regime null until enough returns. */
export class TrendVolatility {
  private readonly ring: Float64Array;
  private readonly q25 = new ExpandingQuantile(0.25, -40, 5, 0.01);
  private readonly q75 = new ExpandingQuantile(0.75, -40, 5, 0.01);
  private sum = 0;
  private sum2 = 0;
  private m = 0;
  private shortVar = Number.NaN;
  private prev = Number.NaN;

  constructor(private readonly bars = 20) {
    this.ring = new Float64Array(bars);
  }

  update(close: number): { trend: number; volatilityRegime: VolatilityRegime | null } {
    const a = this.prev;
    this.prev = close;
    if (!(a > 0 && close > 0)) return { trend: Number.NaN, volatilityRegime: null };
    const bars = this.bars;
    const r = Math.log(close / a);
    this.sum += r - (this.m >= bars ? (this.ring[this.m % bars] as number) : 0);
    this.ring[this.m % bars] = r;
    this.m++;
    const m = this.m;
    this.sum2 += r * r;
    this.shortVar = Number.isNaN(this.shortVar) ? r * r : this.shortVar + (2 / 21) * (r * r - this.shortVar);
    const sd = Math.sqrt(this.sum2 / m);
    const k = Math.min(m, bars);
    let trend = Number.NaN;
    if (sd > 0 && m >= 5) trend = Math.tanh(this.sum / (sd * Math.sqrt(k)) / 2);
    else if (m >= 5) trend = 0;
    let vr: VolatilityRegime | null = null;
    if (this.shortVar > 0) {
      const lv = 0.5 * Math.log(this.shortVar);
      if (m >= 20) vr = lv < this.q25.value() ? 'low' : lv > this.q75.value() ? 'high' : 'normal';
      this.q25.add(lv);
      this.q75.add(lv);
    } else if (m >= 20) vr = 'low';
    return { trend, volatilityRegime: vr };
  }
}

export function trendAndVolatility(
  close: ArrayLike<number>,
  bars = 20,
): { trend: Float64Array; volatilityRegime: (VolatilityRegime | null)[] } {
  const n = close.length;
  const trend = new Float64Array(n).fill(Number.NaN);
  const vr: (VolatilityRegime | null)[] = new Array(n).fill(null);
  const axes = new TrendVolatility(bars);
  for (let i = 0; i < n; i++) {
    const o = axes.update(close[i] as number);
    trend[i] = o.trend;
    vr[i] = o.volatilityRegime;
  }
  return { trend, volatilityRegime: vr };
}
