/**
 * Batch kernels: for the most used indicators, one tight loop over the whole series instead of
 * the streaming form driven bar by bar. Each performs exactly the streaming form's arithmetic in
 * the same order, so the outputs are identical to the bit (a test checks it on every parity
 * file); they exist only for speed. Warm-up positions are NaN, as everywhere.
 */
import type { BarSeries } from '../core/market.ts';
import { VAR_EPSILON } from './overlap.ts';
import { isZero } from './primitives.ts';

type Params = Record<string, number>;
export type BatchKernel = (s: BarSeries, p: Params) => Float64Array[] | null;

const nan = (n: number): Float64Array => new Float64Array(n).fill(Number.NaN);

/** SMA in TA-Lib's order (see SmaStage), over the inputs from `from`. */
function sma(x: Float64Array, n: number, from = 0, out = nan(x.length)): Float64Array {
  let keep = 0;
  for (let i = from; i < x.length; i++) {
    const total = keep + (x[i] as number);
    if (i - from < n - 1) {
      keep = total;
      continue;
    }
    keep = total - (x[i - n + 1] as number);
    out[i] = total / n;
  }
  return out;
}

/** EMA seeded with the mean of its first n inputs (those from `from`), factor 2 / (n + 1). */
function ema(x: Float64Array, n: number, from = 0, out = nan(x.length)): Float64Array {
  const k = 2 / (n + 1);
  let acc = 0;
  let v = Number.NaN;
  for (let i = from; i < x.length; i++) {
    const c = i - from + 1;
    const xi = x[i] as number;
    if (c < n) acc += xi;
    else {
      if (c === n) v = (acc + xi) / n;
      else v = (xi - v) * k + v;
      out[i] = v;
    }
  }
  return out;
}

function rsi(s: BarSeries, p: Params): Float64Array[] {
  const x = s.close;
  const n = p.timeperiod as number;
  const out = nan(x.length);
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < x.length; i++) {
    const d = (x[i] as number) - (x[i - 1] as number);
    if (i <= n) {
      if (d < 0) loss -= d;
      else gain += d;
      if (i < n) continue;
      loss /= n;
      gain /= n;
    } else {
      loss *= n - 1;
      gain *= n - 1;
      if (d < 0) loss -= d;
      else gain += d;
      loss /= n;
      gain /= n;
    }
    const t = gain + loss;
    out[i] = isZero(t) ? 0 : 100 * (gain / t);
  }
  return [out];
}

function macd(s: BarSeries, p: Params): Float64Array[] {
  const a = p.fastperiod as number;
  const b = p.slowperiod as number;
  const [fast, slow] = b < a ? [b, a] : [a, b];
  const sig = p.signalperiod as number;
  const x = s.close;
  const n = x.length;
  // TA-Lib's alignment: the fast EMA starts where the slow one can, (slow − fast) inputs later.
  const f = ema(x, fast, slow - fast);
  const sl = ema(x, slow);
  const m = nan(n);
  for (let i = slow - 1; i < n; i++) m[i] = (f[i] as number) - (sl[i] as number);
  const sg = ema(m, sig, slow - 1);
  const hist = nan(n);
  const lookback = slow - 1 + sig - 1;
  for (let i = 0; i < Math.min(n, lookback); i++) m[i] = Number.NaN;
  for (let i = lookback; i < n; i++) hist[i] = (m[i] as number) - (sg[i] as number);
  return [m, sg, hist];
}

function bbands(s: BarSeries, p: Params): Float64Array[] | null {
  if (p.matype !== 0) return null;
  const n = p.timeperiod as number;
  const up = p.nbdevup as number;
  const dn = p.nbdevdn as number;
  const x = s.close;
  const len = x.length;
  const [hi, mid, lo] = [nan(len), nan(len), nan(len)];
  // TA-Lib's order (see WindowMoments): keep the sums of the n − 1 values that stay, add the
  // new one, output, then drop the oldest.
  let keep = 0;
  let keepSq = 0;
  for (let i = 0; i < len; i++) {
    const xi = x[i] as number;
    const sum = keep + xi;
    const sumSq = keepSq + xi * xi;
    if (i < n - 1) {
      keep = sum;
      keepSq = sumSq;
      continue;
    }
    const o = x[i - n + 1] as number;
    keep = sum - o;
    keepSq = sumSq - o * o;
    const mean = sum / n;
    const v = sumSq / n - mean * mean;
    const sd = v < VAR_EPSILON ? 0 : Math.sqrt(v);
    hi[i] = mean + up * sd;
    mid[i] = mean;
    lo[i] = mean - dn * sd;
  }
  return [hi, mid, lo];
}

function atr(s: BarSeries, p: Params): Float64Array[] {
  const n = p.timeperiod as number;
  const { high, low, close } = s;
  const out = nan(close.length);
  let a = 0;
  for (let i = 1; i < close.length; i++) {
    const pc = close[i - 1] as number;
    const h = high[i] as number;
    const l = low[i] as number;
    let tr = h - l;
    const u = Math.abs(h - pc);
    if (u > tr) tr = u;
    const d = Math.abs(l - pc);
    if (d > tr) tr = d;
    if (i < n) a += tr;
    else {
      a = i === n ? (a + tr) / n : (a * (n - 1) + tr) / n;
      out[i] = a;
    }
  }
  return [out];
}

/** Highest (max) or lowest of the last n values at each i ≥ n − 1, rescanning only when the extreme leaves. */
function windowExtreme(x: Float64Array, n: number, max: boolean): Float64Array {
  const out = nan(x.length);
  let best = Number.NaN;
  let at = -1;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (at < 0 || (max ? v >= best : v <= best) || Number.isNaN(best)) {
      best = v;
      at = i;
    } else if (i - at >= n) {
      best = x[i] as number;
      at = i;
      for (let j = i - 1; j > i - n && j >= 0; j--) {
        const w = x[j] as number;
        if (max ? w > best : w < best) {
          best = w;
          at = j;
        }
      }
    }
    if (i >= n - 1) out[i] = best;
  }
  return out;
}

function stoch(s: BarSeries, p: Params): Float64Array[] | null {
  if (p.slowk_matype !== 0 || p.slowd_matype !== 0) return null;
  const fk = p.fastk_period as number;
  const sk = p.slowk_period as number;
  const sd = p.slowd_period as number;
  const len = s.close.length;
  const hh = windowExtreme(s.high, fk, true);
  const ll = windowExtreme(s.low, fk, false);
  const k = nan(len);
  for (let i = fk - 1; i < len; i++) {
    // TA-Lib's operation order, to the bit: (c − LL) / ((HH − LL) / 100).
    const d = ((hh[i] as number) - (ll[i] as number)) / 100;
    k[i] = d !== 0 ? ((s.close[i] as number) - (ll[i] as number)) / d : 0;
  }
  const slowK = sma(k, sk, fk - 1);
  const slowD = sma(slowK, sd, fk - 1 + sk - 1);
  const lookback = fk - 1 + sk - 1 + sd - 1;
  for (let i = 0; i < Math.min(len, lookback); i++) slowK[i] = Number.NaN;
  return [slowK, slowD];
}

/** Kernels by indicator name; a kernel may decline (null) parameters it does not cover. */
export const BATCH_KERNELS: Record<string, BatchKernel> = {
  SMA: (s, p) => [sma(s.close, p.timeperiod as number)],
  EMA: (s, p) => [ema(s.close, p.timeperiod as number)],
  RSI: rsi,
  MACD: macd,
  BBANDS: bbands,
  ATR: atr,
  STOCH: stoch,
};
