/**
 * Two per-bar axes beside the regime label, both causal and scale-free:
 * - trend: direction and strength in −1..1, tanh(t / 2) of the t-statistic of the mean log return
 *   over the last `bars` bars against the series' own volatility (expanding root mean square of
 *   the returns, so a quiet instrument's small steady rise counts as much as a wild one's big one);
 *   |trend| ≥ 0.76 means |t| ≥ 2.
 * - volatility regime: `low` / `normal` / `high` by where the short-run volatility (exponential,
 *   span 20) sits in its own expanding history: below its 25th percentile, above its 75th, or between.
 * O(1) per bar.
 */
import { ExpandingQuantile } from './quantile.ts';

export type VolatilityRegime = 'low' | 'normal' | 'high';

export function trendAndVolatility(
  close: ArrayLike<number>,
  bars = 20,
): { trend: Float64Array; volatilityRegime: (VolatilityRegime | null)[] } {
  const n = close.length;
  const trend = new Float64Array(n).fill(Number.NaN);
  const vr: (VolatilityRegime | null)[] = new Array(n).fill(null);
  const ring = new Float64Array(bars);
  const q25 = new ExpandingQuantile(0.25, -40, 5, 0.01);
  const q75 = new ExpandingQuantile(0.75, -40, 5, 0.01);
  let sum = 0;
  let sum2 = 0;
  let m = 0;
  let shortVar = Number.NaN;
  for (let i = 1; i < n; i++) {
    const a = close[i - 1] as number;
    const b = close[i] as number;
    if (!(a > 0 && b > 0)) continue;
    const r = Math.log(b / a);
    sum += r - (m >= bars ? (ring[m % bars] as number) : 0);
    ring[m % bars] = r;
    m++;
    sum2 += r * r;
    shortVar = Number.isNaN(shortVar) ? r * r : shortVar + (2 / 21) * (r * r - shortVar);
    const sd = Math.sqrt(sum2 / m);
    const k = Math.min(m, bars);
    if (sd > 0 && m >= 5) trend[i] = Math.tanh(sum / (sd * Math.sqrt(k)) / 2);
    else if (m >= 5) trend[i] = 0;
    if (shortVar > 0) {
      const lv = 0.5 * Math.log(shortVar);
      if (m >= 20) vr[i] = lv < q25.value() ? 'low' : lv > q75.value() ? 'high' : 'normal';
      q25.add(lv);
      q75.add(lv);
    } else if (m >= 20) vr[i] = 'low';
  }
  return { trend, volatilityRegime: vr };
}
