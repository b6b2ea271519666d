/**
 * Swing pivots and support/resistance levels. Pure: no I/O.
 *
 * Pivots: a zig-zag that confirms a swing high (low) once price has fallen (risen) from it by
 * `atrMultiple` × ATR(14), so the threshold scales with volatility. Levels: pivots whose prices
 * lie within `tolerance` × ATR of each other are clustered; a level's price is the mean of its
 * pivots, its touches their count, its strength grows with touches and recency.
 */
import type { BarSeries } from '../core/market.ts';
import { computeIndicator } from '../indicators/index.ts';

export interface Pivot {
  index: number;
  time: number;
  price: number;
  kind: 'high' | 'low';
}

export interface Level {
  kind: 'support' | 'resistance';
  price: number;
  touches: number;
  /** 0..1: touches and recency. */
  strength: number;
  first: number;
  last: number;
  /** Broken through and now acting the other way (support became resistance or vice versa). */
  flipped: boolean;
}

/** The swing scale: ATR(14) (shorter on very short series), or null on close-only files. */
function pivotAtr(s: BarSeries): Float64Array | null {
  const n = s.close.length;
  return s.hasOhlc ? (computeIndicator('ATR', s, { timeperiod: Math.min(14, Math.max(1, n - 1)) }).real as Float64Array) : null;
}

/** `atr`: the series' `pivotAtr`, when the caller has it already. */
export function findPivots(s: BarSeries, opts: { atrMultiple?: number; atr?: Float64Array | null } = {}): Pivot[] {
  const k = opts.atrMultiple ?? 2;
  const n = s.close.length;
  if (n < 2) return [];
  const atr = opts.atr === undefined ? pivotAtr(s) : opts.atr;
  const pivots: Pivot[] = [];
  // dir 1: in an up-swing (tracking its high); -1: in a down-swing (tracking its low); 0: not yet known.
  let dir = 0;
  let hiIdx = 0;
  let loIdx = 0;
  const push = (index: number, kind: 'high' | 'low'): void => {
    pivots.push({ index, time: s.time[index] as number, price: (kind === 'high' ? s.high : s.low)[index] as number, kind });
  };
  for (let i = 1; i < n; i++) {
    const a = atr?.[i];
    // Before ATR exists (or on close-only files) 1 % of price is the scale.
    const scale = a !== undefined && Number.isFinite(a) && a > 0 ? a : 0.01 * (s.close[i] as number);
    const hi = s.high[i] as number;
    const lo = s.low[i] as number;
    if (hi >= (s.high[hiIdx] as number)) hiIdx = i;
    if (lo <= (s.low[loIdx] as number)) loIdx = i;
    if (dir >= 0 && (s.high[hiIdx] as number) - lo >= k * scale && hiIdx < i) {
      push(hiIdx, 'high');
      dir = -1;
      loIdx = i;
    } else if (dir <= 0 && hi - (s.low[loIdx] as number) >= k * scale && loIdx < i) {
      push(loIdx, 'low');
      dir = 1;
      hiIdx = i;
    }
  }
  return pivots;
}

export function findLevels(s: BarSeries, opts: { atrMultiple?: number; tolerance?: number; minTouches?: number } = {}): Level[] {
  const n = s.close.length;
  if (n < 3) return [];
  const atr = pivotAtr(s);
  const pivots = findPivots(s, { atrMultiple: opts.atrMultiple, atr });
  if (pivots.length === 0) return [];
  const lastAtr = atr?.[n - 1];
  const last = s.close[n - 1] as number;
  const tol = (opts.tolerance ?? 0.5) * (lastAtr !== undefined && Number.isFinite(lastAtr) ? lastAtr : 0.01 * last);
  const sorted = [...pivots].sort((a, b) => a.price - b.price);
  const clusters: Pivot[][] = [];
  for (const p of sorted) {
    const c = clusters[clusters.length - 1];
    if (c && p.price - (c[c.length - 1] as Pivot).price <= tol) c.push(p);
    else clusters.push([p]);
  }
  const t0 = s.time[0] as number;
  const span = Math.max(1, (s.time[n - 1] as number) - t0);
  const levels: Level[] = [];
  for (const c of clusters) {
    if (c.length < (opts.minTouches ?? 2)) continue;
    const price = c.reduce((a, p) => a + p.price, 0) / c.length;
    const first = Math.min(...c.map((p) => p.time));
    const lastTouch = Math.max(...c.map((p) => p.time));
    const kind = price <= last ? 'support' : 'resistance';
    // A level made of highs now below price (or of lows now above it) has changed role.
    const highs = c.filter((p) => p.kind === 'high').length;
    const flipped = kind === 'support' ? highs > c.length / 2 : highs < c.length / 2;
    const strength = Math.min(1, c.length / 5) * (0.5 + 0.5 * ((lastTouch - t0) / span));
    levels.push({ kind, price, touches: c.length, strength, first, last: lastTouch, flipped });
  }
  return levels.sort((a, b) => b.strength - a.strength);
}
