/**
 * Walk-forward scorecard of signals after costs, and its baselines. Every signal is judged at
 * its horizon (h bars later): right when the price moved its way; its return after costs is
 * side × (close[i+h] / close[i] − 1) − 2 × cost (in and out). Its confidence, stated before the
 * outcome (calibrate.ts), is scored by the expected calibration error (ECE), the Brier score
 * against the walk-forward base rate, and the accuracy–coverage curve (hit rate when acting only
 * above a confidence). Sharpe ratios are on bar returns of the position the signals hold, so
 * strategies, random signals and buy-and-hold compare on one footing, and are deflated for the
 * number of strategies tried (Bailey & López de Prado's deflated Sharpe ratio). Pure: no I/O.
 */
import { Rng } from '../core/random.ts';
import { BASE_PRIOR } from './calibrate.ts';
import type { Side } from './engine.ts';

export interface ScoredSignal {
  index: number;
  side: Side;
  confidence: number;
}

export interface CalibrationBin {
  bucket: string;
  n: number;
  predicted: number;
  realized: number;
}

interface CoveragePoint {
  /** Act only on signals with confidence ≥ threshold (0: all). */
  threshold: number;
  signals: number;
  /** Share of bars with such a signal. */
  coverage: number;
  hitRate: number;
  avgReturnBps: number;
}

export interface Scorecard {
  method: string;
  signals: number;
  /** Share right at the horizon (direction). */
  hitRate: number;
  /** Mean return per signal after costs, basis points. */
  avgReturnBps: number;
  profitFactor: number;
  /** Annualized Sharpe ratio of the bar returns of the position the signals hold, after costs. */
  sharpe: number;
  /** Probability that the true Sharpe exceeds the best of the strategies tried by luck alone (NaN when not computed). */
  deflatedSharpe: number;
  /** Largest fall of the cumulative per-signal return (sum, as fractions). */
  maxDrawdown: number;
  /** Expected calibration error over ten equal-width confidence bins (NaN without confidences). */
  ece: number;
  /** ECE a perfectly calibrated forecaster with these confidences would show from sampling alone (mean of 200 draws). */
  eceFloor: number;
  /** Share of those draws with ECE ≤ ECE_TARGET: how often these confidences, perfectly calibrated, meet it. */
  eceChance: number;
  /**
   * Probability that ECE ≤ ECE_TARGET for a forecaster stating the true hit rate on every signal
   * (perfectly calibrated, one bin: the least sampling noise the ECE allows a forecaster without
   * skill), the true rate taken as the realized one under the calibrator's Beta prior (so two
   * signals, both right, do not make a certainty). Below 1, calibration alone can miss the target.
   */
  eceTargetChance: number;
  brier: number;
  /** 1 − Brier / Brier of the walk-forward base rate (same purge and embargo): > 0 means the confidence adds information. */
  brierSkill: number;
  calibration: CalibrationBin[];
  coverage: CoveragePoint[];
  /** Per-bar Sharpe (not annualized), bars, skewness and kurtosis of the bar returns: the deflated Sharpe's inputs. */
  barStats: { sr: number; bars: number; skew: number; kurt: number };
}

export const COVERAGE_THRESHOLDS = [0, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8];
const BINS = 10;
/** Issue 20's calibration target. */
export const ECE_TARGET = 0.05;

export interface ScoreOptions {
  /** Bars between the end of a signal's horizon and the signal whose base rate it informs (default: the horizon). */
  embargo?: number;
  /** Whether the signals carry a real confidence (random ones do not). */
  scoreConfidence?: boolean;
}

export function scoreSignals(
  method: string,
  close: ArrayLike<number>,
  time: ArrayLike<number>,
  sigs: readonly ScoredSignal[],
  horizon: number,
  costBps: number,
  opts: ScoreOptions = {},
): Scorecard {
  const n = close.length;
  const embargo = opts.embargo ?? horizon;
  const cost = costBps / 1e4;
  const used = sigs.filter((s) => s.index + horizon < n);
  const rets: number[] = [];
  const hits: number[] = [];
  for (const s of used) {
    const move = (close[s.index + horizon] as number) / (close[s.index] as number) - 1;
    const dir = s.side === 'buy' ? 1 : -1;
    hits.push(dir * move > 0 ? 1 : 0);
    rets.push(dir * move - 2 * cost);
  }
  const m = rets.length;
  const mean = m ? rets.reduce((a, b) => a + b, 0) / m : Number.NaN;
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
  const bar = barStats(positionReturns(close, used, horizon, cost));
  const years = Math.max(1e-9, ((time[n - 1] as number) - (time[0] as number)) / (365.25 * 86_400_000));
  const conf = used.map((s) => s.confidence);
  const withConf = opts.scoreConfidence !== false && m > 0;
  // The reference forecast: the hit rate of earlier signals whose horizon ended `embargo` bars
  // before, with the calibrator's own prior — so the skill counts only what strength and side add
  // (against a Beta(1, 1) reference the prior alone scored as skill).
  const base: number[] = [];
  let eligible = 0;
  let baseHits = 0;
  for (let k = 0; k < m; k++) {
    const t = (used[k] as ScoredSignal).index;
    while (eligible < k && (used[eligible] as ScoredSignal).index + horizon + embargo <= t) baseHits += hits[eligible++] as number;
    base.push((baseHits + BASE_PRIOR) / (eligible + 2 * BASE_PRIOR));
  }
  const brier = withConf ? brierScore(conf, hits) : Number.NaN;
  const hitRate = m ? hits.reduce((a, b) => a + b, 0) / m : Number.NaN;
  const noise = withConf ? eceNoise(conf) : { floor: Number.NaN, chance: Number.NaN };
  return {
    method,
    signals: m,
    hitRate,
    avgReturnBps: mean * 1e4,
    profitFactor: losses > 0 ? gains / losses : Number.POSITIVE_INFINITY,
    sharpe: bar.sr * Math.sqrt(n / years),
    deflatedSharpe: Number.NaN,
    maxDrawdown: dd,
    ece: withConf ? reliability(conf, hits).ece : Number.NaN,
    eceFloor: noise.floor,
    eceChance: noise.chance,
    eceTargetChance: withConf ? constantEceChance(m, (hitRate * m + BASE_PRIOR) / (m + 2 * BASE_PRIOR), ECE_TARGET) : Number.NaN,
    brier,
    brierSkill: withConf ? 1 - brier / brierScore(base, hits) : Number.NaN,
    calibration: withConf ? reliability(conf, hits).bins : [],
    coverage: withConf ? coverageCurve(conf, hits, rets, n) : [],
    barStats: bar,
  };
}

function brierScore(p: readonly number[], y: readonly number[]): number {
  let s = 0;
  for (let k = 0; k < p.length; k++) s += ((p[k] as number) - (y[k] as number)) ** 2;
  return s / Math.max(1, p.length);
}

/** Ten equal-width bins; ECE = Σ (n_b / n) |mean confidence − hit rate|. */
export function reliability(p: readonly number[], y: readonly number[]): { ece: number; bins: CalibrationBin[] } {
  const acc = Array.from({ length: BINS }, () => ({ n: 0, p: 0, y: 0 }));
  for (let k = 0; k < p.length; k++) {
    const b = acc[Math.min(BINS - 1, Math.max(0, Math.floor((p[k] as number) * BINS)))] as { n: number; p: number; y: number };
    b.n++;
    b.p += p[k] as number;
    b.y += y[k] as number;
  }
  let ece = 0;
  const bins: CalibrationBin[] = [];
  acc.forEach((b, k) => {
    if (!b.n) return;
    ece += (b.n / p.length) * Math.abs(b.p / b.n - b.y / b.n);
    bins.push({ bucket: `${(k / BINS).toFixed(1)}–${((k + 1) / BINS).toFixed(1)}`, n: b.n, predicted: b.p / b.n, realized: b.y / b.n });
  });
  return { ece: p.length ? ece : Number.NaN, bins };
}

/**
 * The ECE of outcomes drawn from the stated confidences themselves (what sampling noise alone
 * gives, mean of `draws`), and the share of those draws with ECE ≤ ECE_TARGET.
 */
function eceNoise(p: readonly number[], draws = 200): { floor: number; chance: number } {
  const rng = new Rng(7);
  let s = 0;
  let within = 0;
  for (let d = 0; d < draws; d++) {
    const { ece } = reliability(
      p,
      p.map((q) => (rng.next() < q ? 1 : 0)),
    );
    s += ece;
    if (ece <= ECE_TARGET) within++;
  }
  return { floor: s / draws, chance: within / draws };
}

export const eceFloor = (p: readonly number[], draws = 200): number => eceNoise(p, draws).floor;

/**
 * P(|k/n − p| ≤ target) for k ~ Binomial(n, p): the chance that a forecast of p on each of n
 * signals, each right with probability p, has ECE ≤ target (one bin: ECE = |p − k/n|). Exact; the
 * pmf is walked up from k = 0 in log space, so n in the thousands neither underflows nor overflows.
 */
export function constantEceChance(n: number, p: number, target: number): number {
  if (!(n > 0) || !(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0 || p === 1) return 1;
  const step = Math.log(p / (1 - p));
  let logPmf = n * Math.log1p(-p);
  let s = 0;
  // The tolerance keeps k/n exactly at p ± target inside despite rounding.
  for (let k = 0; k <= n; k++) {
    if (Math.abs(k / n - p) <= target + 1e-12) s += Math.exp(logPmf);
    logPmf += Math.log((n - k) / (k + 1)) + step;
  }
  return Math.min(1, s);
}

function coverageCurve(p: readonly number[], y: readonly number[], rets: readonly number[], bars: number): CoveragePoint[] {
  return COVERAGE_THRESHOLDS.map((threshold) => {
    let k = 0;
    let h = 0;
    let r = 0;
    for (let j = 0; j < p.length; j++) {
      if ((p[j] as number) < threshold) continue;
      k++;
      h += y[j] as number;
      r += rets[j] as number;
    }
    return {
      threshold,
      signals: k,
      coverage: k / Math.max(1, bars),
      hitRate: k ? h / k : Number.NaN,
      avgReturnBps: k ? (r / k) * 1e4 : Number.NaN,
    };
  });
}

/**
 * Bar returns of the position the signals hold: each signal is long (buy) or short (sell) one unit
 * from the close of its bar to the close `horizon` bars later; a bar's return is the sum over the
 * open positions, less the cost on the bars a position opens and closes.
 */
export function positionReturns(close: ArrayLike<number>, sigs: readonly ScoredSignal[], horizon: number, cost: number): Float64Array {
  const n = close.length;
  const pos = new Float64Array(n);
  const fees = new Float64Array(n);
  for (const s of sigs) {
    const dir = s.side === 'buy' ? 1 : -1;
    for (let t = s.index + 1; t <= Math.min(n - 1, s.index + horizon); t++) pos[t] = (pos[t] as number) + dir;
    fees[Math.min(n - 1, s.index + 1)] = (fees[Math.min(n - 1, s.index + 1)] as number) + cost;
    fees[Math.min(n - 1, s.index + horizon)] = (fees[Math.min(n - 1, s.index + horizon)] as number) + cost;
  }
  const r = new Float64Array(Math.max(0, n - 1));
  for (let t = 1; t < n; t++) r[t - 1] = (pos[t] as number) * ((close[t] as number) / (close[t - 1] as number) - 1) - (fees[t] as number);
  return r;
}

/** Per-bar Sharpe, count, skewness and (non-excess) kurtosis of a return series. */
export function barStats(r: ArrayLike<number>): { sr: number; bars: number; skew: number; kurt: number } {
  const T = r.length;
  let mean = 0;
  for (let i = 0; i < T; i++) mean += (r[i] as number) / T;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < T; i++) {
    const d = (r[i] as number) - mean;
    m2 += (d * d) / T;
    m3 += (d * d * d) / T;
    m4 += (d * d * d * d) / T;
  }
  const sd = Math.sqrt(m2);
  return { sr: sd > 0 ? mean / sd : Number.NaN, bars: T, skew: sd > 0 ? m3 / sd ** 3 : 0, kurt: sd > 0 ? m4 / sd ** 4 : 3 };
}

/** Standard normal CDF: erf from its everywhere-convergent series of positive terms (no cancellation). */
export function normCdf(z: number): number {
  if (z < -8) return 0;
  if (z > 8) return 1;
  const x = Math.abs(z) / Math.SQRT2;
  // erf(x) = 2/√π · e^{−x²} · Σ_n 2ⁿ x^{2n+1} / (1·3·…·(2n+1))
  let term = x;
  let sum = x;
  for (let k = 1; k < 500 && term > 1e-17 * sum; k++) {
    term *= (2 * x * x) / (2 * k + 1);
    sum += term;
  }
  const erf = Math.min(1, ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum) as number);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Inverse of the standard normal CDF, by bisection (exact to double precision within ±8). */
export function normInv(p: number): number {
  if (!(p > 0)) return Number.NEGATIVE_INFINITY;
  if (!(p < 1)) return Number.POSITIVE_INFINITY;
  let lo = -8;
  let hi = 8;
  for (let i = 0; i < 80; i++) {
    const mid = 0.5 * (lo + hi);
    if (normCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

const EULER_GAMMA = 0.5772156649015329;

/**
 * The Sharpe ratio (per bar) the best of `trials` independent strategies with no skill would show by
 * luck, given the variance of the trials' Sharpe ratios (the false-strategy theorem's approximation).
 */
export function expectedMaxSharpe(trials: number, variance: number): number {
  if (trials <= 1 || !(variance > 0)) return 0;
  return Math.sqrt(variance) * ((1 - EULER_GAMMA) * normInv(1 - 1 / trials) + EULER_GAMMA * normInv(1 - 1 / (trials * Math.E)));
}

/**
 * Probabilistic Sharpe ratio: the probability that the true per-bar Sharpe exceeds `benchmark`,
 * given the observed `sr` over `bars` bars with this skewness and kurtosis. With the benchmark
 * from `expectedMaxSharpe` it is the deflated Sharpe ratio.
 */
export function probabilisticSharpe(sr: number, benchmark: number, bars: number, skew: number, kurt: number): number {
  if (!Number.isFinite(sr) || bars < 2) return Number.NaN;
  const v = 1 - skew * sr + ((kurt - 1) / 4) * sr * sr;
  if (!(v > 0)) return Number.NaN;
  return normCdf(((sr - benchmark) * Math.sqrt(bars - 1)) / Math.sqrt(v));
}

/** Deflates every card's Sharpe for the `trials` strategies tried (their per-bar Sharpes give the variance). */
export function deflate(cards: Scorecard[], trials: readonly Scorecard[]): number {
  const srs = trials.map((c) => c.barStats.sr).filter(Number.isFinite);
  const mean = srs.reduce((a, b) => a + b, 0) / Math.max(1, srs.length);
  const variance = srs.length > 1 ? srs.reduce((a, b) => a + (b - mean) ** 2, 0) / (srs.length - 1) : 0;
  const sr0 = expectedMaxSharpe(trials.length, variance);
  for (const c of cards) c.deflatedSharpe = probabilisticSharpe(c.barStats.sr, sr0, c.barStats.bars, c.barStats.skew, c.barStats.kurt);
  return sr0;
}

/** Buy and hold over the whole series: one position, its Sharpe from bar returns. */
export function buyAndHold(close: ArrayLike<number>, time: ArrayLike<number>, costBps: number): Scorecard {
  const n = close.length;
  const r = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) r[i - 1] = (close[i] as number) / (close[i - 1] as number) - 1;
  if (r.length) {
    r[0] = (r[0] as number) - costBps / 1e4;
    r[r.length - 1] = (r[r.length - 1] as number) - costBps / 1e4;
  }
  const years = Math.max(1e-9, ((time[n - 1] as number) - (time[0] as number)) / (365.25 * 86_400_000));
  let peak = close[0] as number;
  let dd = 0;
  for (let i = 0; i < n; i++) {
    peak = Math.max(peak, close[i] as number);
    dd = Math.max(dd, 1 - (close[i] as number) / peak);
  }
  const bar = barStats(r);
  const total = (close[n - 1] as number) / (close[0] as number) - 1 - (2 * costBps) / 1e4;
  return {
    method: 'buy and hold',
    signals: 1,
    hitRate: Number.NaN,
    avgReturnBps: total * 1e4,
    profitFactor: Number.NaN,
    sharpe: bar.sr * Math.sqrt(n / years),
    deflatedSharpe: Number.NaN,
    maxDrawdown: dd,
    ece: Number.NaN,
    eceFloor: Number.NaN,
    eceChance: Number.NaN,
    eceTargetChance: Number.NaN,
    brier: Number.NaN,
    brierSkill: Number.NaN,
    calibration: [],
    coverage: [],
    barStats: bar,
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
    cards.push(scoreSignals('random', close, time, sigs, horizon, costBps, { scoreConfidence: false }));
  }
  const avg = (f: (c: Scorecard) => number): number => {
    const xs = cards.map(f).filter(Number.isFinite);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
  };
  return {
    method: `random (same count, mean of ${draws} draws)`,
    signals: count,
    hitRate: avg((c) => c.hitRate),
    avgReturnBps: avg((c) => c.avgReturnBps),
    profitFactor: avg((c) => c.profitFactor),
    sharpe: avg((c) => c.sharpe),
    deflatedSharpe: Number.NaN,
    maxDrawdown: avg((c) => c.maxDrawdown),
    ece: Number.NaN,
    eceFloor: Number.NaN,
    eceChance: Number.NaN,
    eceTargetChance: Number.NaN,
    brier: Number.NaN,
    brierSkill: Number.NaN,
    calibration: [],
    coverage: [],
    barStats: { sr: avg((c) => c.barStats.sr), bars: n - 1, skew: avg((c) => c.barStats.skew), kurt: avg((c) => c.barStats.kurt) },
  };
}
