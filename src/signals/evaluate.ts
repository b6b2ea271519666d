/**
 * Walk-forward scorecard of signals after costs, and its baselines. Every signal is judged at
 * its horizon (h bars later): right when the price moved its way; its return after costs is
 * side × (close[i+h] / close[i] − 1) − 2 × cost (in and out).
 */
import { Rng } from '../core/random.ts';
import type { Side } from './engine.ts';

export interface ScoredSignal {
  index: number;
  side: Side;
  confidence: number;
}

export interface Scorecard {
  method: string;
  signals: number;
  /** Share right at the horizon (direction). */
  hitRate: number;
  /** Mean return per signal after costs, basis points. */
  avgReturnBps: number;
  profitFactor: number;
  /** Annualized: mean / sd of per-signal returns × √(signals per year). */
  sharpe: number;
  /** Largest fall of the cumulative per-signal return (sum, as fractions). */
  maxDrawdown: number;
  calibration: { bucket: string; n: number; predicted: number; realized: number }[];
}

const CAL_EDGES = [0, 0.45, 0.5, 0.55, 0.6, 0.65, 1.01];

export function scoreSignals(
  method: string,
  close: ArrayLike<number>,
  time: ArrayLike<number>,
  sigs: readonly ScoredSignal[],
  horizon: number,
  costBps: number,
): Scorecard {
  const n = close.length;
  const rets: number[] = [];
  let right = 0;
  const cal = CAL_EDGES.slice(0, -1).map(() => ({ n: 0, pred: 0, hits: 0 }));
  for (const s of sigs) {
    if (s.index + horizon >= n) continue;
    const move = (close[s.index + horizon] as number) / (close[s.index] as number) - 1;
    const dir = s.side === 'buy' ? 1 : -1;
    const ok = dir * move > 0;
    if (ok) right++;
    rets.push(dir * move - (2 * costBps) / 1e4);
    const b = CAL_EDGES.findIndex((e, k) => s.confidence >= e && s.confidence < (CAL_EDGES[k + 1] as number));
    const c = cal[Math.max(0, b)] as { n: number; pred: number; hits: number };
    c.n++;
    c.pred += s.confidence;
    if (ok) c.hits++;
  }
  const m = rets.length;
  const mean = m ? rets.reduce((a, b) => a + b, 0) / m : Number.NaN;
  const sd = m > 1 ? Math.sqrt(rets.reduce((a, b) => a + (b - mean) ** 2, 0) / (m - 1)) : Number.NaN;
  const years = Math.max(1e-9, ((time[n - 1] as number) - (time[0] as number)) / (365.25 * 86_400_000));
  const gains = rets.filter((r) => r > 0).reduce((a, b) => a + b, 0);
  const losses = -rets.filter((r) => r < 0).reduce((a, b) => a + b, 0);
  let eq = 0;
  let peak = 0;
  let dd = 0;
  for (const r of rets) {
    eq += r;
    peak = Math.max(peak, eq);
    dd = Math.max(dd, peak - eq);
  }
  return {
    method,
    signals: m,
    hitRate: m ? right / m : Number.NaN,
    avgReturnBps: mean * 1e4,
    profitFactor: losses > 0 ? gains / losses : Number.POSITIVE_INFINITY,
    sharpe: sd > 0 ? (mean / sd) * Math.sqrt(m / years) : Number.NaN,
    maxDrawdown: dd,
    calibration: cal.map((c, k) => ({
      bucket: `${(CAL_EDGES[k] as number).toFixed(2)}–${Math.min(1, CAL_EDGES[k + 1] as number).toFixed(2)}`,
      n: c.n,
      predicted: c.n ? c.pred / c.n : Number.NaN,
      realized: c.n ? c.hits / c.n : Number.NaN,
    })),
  };
}

/** Buy and hold over the whole series: one position, its Sharpe from bar returns. */
export function buyAndHold(
  close: ArrayLike<number>,
  time: ArrayLike<number>,
  costBps: number,
): { totalReturn: number; sharpe: number; maxDrawdown: number } {
  const n = close.length;
  const r: number[] = [];
  for (let i = 1; i < n; i++) r.push((close[i] as number) / (close[i - 1] as number) - 1);
  const mean = r.reduce((a, b) => a + b, 0) / Math.max(1, r.length);
  const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, r.length - 1));
  const years = Math.max(1e-9, ((time[n - 1] as number) - (time[0] as number)) / (365.25 * 86_400_000));
  let peak = close[0] as number;
  let dd = 0;
  for (let i = 0; i < n; i++) {
    peak = Math.max(peak, close[i] as number);
    dd = Math.max(dd, 1 - (close[i] as number) / peak);
  }
  return {
    totalReturn: (close[n - 1] as number) / (close[0] as number) - 1 - (2 * costBps) / 1e4,
    sharpe: sd > 0 ? (mean / sd) * Math.sqrt(r.length / years) : Number.NaN,
    maxDrawdown: dd,
  };
}

/** Random signals: the same count at random bars with random sides, averaged over `draws` seeds. */
export function randomBaseline(
  close: ArrayLike<number>,
  time: ArrayLike<number>,
  count: number,
  horizon: number,
  costBps: number,
  draws = 50,
): Scorecard {
  const cards: Scorecard[] = [];
  const n = close.length;
  for (let d = 0; d < draws; d++) {
    const rng = new Rng(1000 + d);
    const sigs: ScoredSignal[] = [];
    for (let k = 0; k < count; k++)
      sigs.push({ index: rng.int(Math.max(1, n - horizon)), side: rng.next() < 0.5 ? 'buy' : 'sell', confidence: 0.5 });
    sigs.sort((a, b) => a.index - b.index);
    cards.push(scoreSignals('random', close, time, sigs, horizon, costBps));
  }
  const avg = (f: (c: Scorecard) => number): number => {
    const xs = cards.map(f).filter(Number.isFinite);
    return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  };
  return {
    method: `random (same count, mean of ${draws} draws)`,
    signals: count,
    hitRate: avg((c) => c.hitRate),
    avgReturnBps: avg((c) => c.avgReturnBps),
    profitFactor: avg((c) => c.profitFactor),
    sharpe: avg((c) => c.sharpe),
    maxDrawdown: avg((c) => c.maxDrawdown),
    calibration: [],
  };
}
