/**
 * The simplest strong baseline for regimes: volatility alone, no drift, no persistence model.
 * `high_volatility` when the 20-bar realized volatility exceeds 2× its expanding median, `crash`
 * when also down more than 3 median standard deviations over 5 bars, else `sideways`. Causal,
 * O(1) per bar (the median is an expanding histogram quantile of log volatility, exact to 1 %).
 */
import type { Regime } from '../core/regime.ts';
import { ExpandingQuantile } from './quantile.ts';

export function volatilityRule(close: ArrayLike<number>): Regime[] {
  const n = close.length;
  const out: Regime[] = new Array(n);
  const r = new Float64Array(n);
  const median = new ExpandingQuantile(0.5, -30, 5, 0.01);
  let sum2 = 0;
  let sum5 = 0;
  for (let i = 0; i < n; i++) {
    r[i] = i ? Math.log((close[i] as number) / (close[i - 1] as number)) : 0;
    if (!Number.isFinite(r[i])) r[i] = 0;
    sum2 += (r[i] as number) ** 2;
    sum5 += r[i] as number;
    if (i >= 20) sum2 -= (r[i - 20] as number) ** 2;
    if (i >= 5) sum5 -= r[i - 5] as number;
    const vol = Math.sqrt(Math.max(0, sum2) / Math.min(i + 1, 20));
    if (vol > 0) median.add(Math.log(vol));
    const med = Math.exp(median.value());
    if (i >= 20 && vol > 2 * med) out[i] = sum5 < -3 * med * Math.sqrt(5) ? 'crash' : 'high_volatility';
    else out[i] = 'sideways';
  }
  return out;
}
