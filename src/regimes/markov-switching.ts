/**
 * Hamilton's (1989) Markov-switching autoregression: the mean switches with a hidden Markov
 * regime, the AR coefficients and the variance are common,
 *
 *   y_t − μ(s_t) = Σ_{i=1..p} φ_i (y_{t−i} − μ(s_{t−i})) + ε_t,   ε_t ~ N(0, σ²).
 *
 * The likelihood runs Hamilton's filter over the K^(p+1) joint states (s_t … s_{t−p}), started
 * from the chain's stationary distribution and conditioned on the first p observations (as
 * statsmodels' MarkovAutoregression does); it is maximised by BFGS from several starts. Kim's
 * smoother gives the two-sided probabilities. Pure.
 */

import { longRunDistribution } from '../core/markov.ts';
import { minimizeBfgs } from './optimize.ts';

export interface MarkovSwitchingArParams {
  /** trans[i][j] = P(s_t = j | s_{t−1} = i). */
  trans: number[][];
  mu: number[];
  ar: number[];
  sigma2: number;
}

export interface MarkovSwitchingArFit {
  params: MarkovSwitchingArParams;
  logLikelihood: number;
  /** P(s_t = j | y_1..y_t) for t = p … n−1 (n − p rows of K). */
  filtered: number[][];
  /** P(s_t = j | y_1..y_n), same rows. */
  smoothed: number[][];
  converged: boolean;
}

/** Stationary distribution of a row-stochastic matrix. */
function stationary(trans: number[][]): number[] {
  return Array.from(longRunDistribution(trans.flat(), trans.length));
}

interface FilterRun {
  logLikelihood: number;
  /** Filtered and predicted joint probabilities per observation (rows of M = K^(p+1)). */
  filtered: Float64Array[];
  predicted: Float64Array[];
}

function hamiltonFilter(y: ArrayLike<number>, prm: MarkovSwitchingArParams): FilterRun {
  const k = prm.mu.length;
  const p = prm.ar.length;
  const kp = k ** p;
  const m = kp * k;
  // Joint state index: s_t·K^p + s_{t−1}·K^(p−1) + … + s_{t−p}; digit(idx, l) = s_{t−l}.
  const digit = (idx: number, lag: number): number => Math.floor(idx / k ** (p - lag)) % k;
  const T = (i: number, j: number): number => (prm.trans[i] as number[])[j] as number;
  // Stationary joint distribution of (s_{t−1} … s_{t−1−p}) before the first usable observation.
  const pi = stationary(prm.trans);
  let prev = new Float64Array(m);
  for (let idx = 0; idx < m; idx++) {
    let v = pi[digit(idx, p)] as number;
    for (let l = p; l > 0; l--) v *= T(digit(idx, l), digit(idx, l - 1));
    prev[idx] = v;
  }
  const out: FilterRun = { logLikelihood: 0, filtered: [], predicted: [] };
  const norm = 1 / Math.sqrt(2 * Math.PI * prm.sigma2);
  for (let t = p; t < y.length; t++) {
    const pred = new Float64Array(m);
    const filt = new Float64Array(m);
    let total = 0;
    for (let idx = 0; idx < m; idx++) {
      const lower = idx % kp; // (s_{t−1} … s_{t−p})
      let s = 0;
      for (let d = 0; d < k; d++) s += prev[lower * k + d] as number;
      pred[idx] = T(digit(idx, 1), digit(idx, 0)) * s;
      let e = (y[t] as number) - (prm.mu[digit(idx, 0)] as number);
      for (let l = 1; l <= p; l++) e -= (prm.ar[l - 1] as number) * ((y[t - l] as number) - (prm.mu[digit(idx, l)] as number));
      const v = (pred[idx] as number) * norm * Math.exp((-0.5 * e * e) / prm.sigma2);
      filt[idx] = v;
      total += v;
    }
    if (!(total > 0)) return { logLikelihood: Number.NEGATIVE_INFINITY, filtered: out.filtered, predicted: out.predicted };
    for (let idx = 0; idx < m; idx++) filt[idx] = (filt[idx] as number) / total;
    out.logLikelihood += Math.log(total);
    out.filtered.push(filt);
    out.predicted.push(pred);
    prev = filt;
  }
  return out;
}

/**
 * Kim's smoother over the joint states (a first-order chain): S_t(i) = F_t(i) Σ_j Q(i, j)
 * S_{t+1}(j) / P_{t+1}(j), with F filtered, P predicted; then reduced to P(s_t = j | all data).
 */
function kimSmoother(run: FilterRun, prm: MarkovSwitchingArParams): number[][] {
  const k = prm.mu.length;
  const p = prm.ar.length;
  const m = k ** (p + 1);
  const kp = k ** p;
  const n = run.filtered.length;
  const sm: Float64Array[] = new Array(n);
  sm[n - 1] = run.filtered[n - 1] as Float64Array;
  for (let t = n - 2; t >= 0; t--) {
    const next = sm[t + 1] as Float64Array;
    const pred = run.predicted[t + 1] as Float64Array;
    const filt = run.filtered[t] as Float64Array;
    const cur = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      // The successors of (s_t … s_{t−p}) are (s', s_t … s_{t−p+1}) for each next regime s'.
      const row = prm.trans[Math.floor(i / kp)] as number[];
      const tail = Math.floor(i / k);
      let s = 0;
      for (let j = 0; j < k; j++) {
        const succ = j * kp + tail;
        const pr = pred[succ] as number;
        if (pr > 0) s += ((row[j] as number) * (next[succ] as number)) / pr;
      }
      cur[i] = (filt[i] as number) * s;
    }
    sm[t] = cur;
  }
  return sm.map((row) => marginal(row, k, p));
}

function marginal(row: Float64Array, k: number, p: number): number[] {
  const kp = k ** p;
  const out = new Array<number>(k).fill(0);
  for (let idx = 0; idx < row.length; idx++) {
    const s = Math.floor(idx / kp);
    out[s] = (out[s] as number) + (row[idx] as number);
  }
  return out;
}

/** Parameter vector ↔ parameters: off-diagonal transition logits per row, means, log σ², AR. */
function unpack(theta: Float64Array, k: number, p: number): MarkovSwitchingArParams {
  let o = 0;
  const trans: number[][] = [];
  for (let i = 0; i < k; i++) {
    const ex = new Array<number>(k);
    let z = 0;
    for (let j = 0; j < k; j++) {
      ex[j] = j === i ? 1 : Math.exp(theta[o++] as number);
      z += ex[j] as number;
    }
    trans.push(ex.map((v) => v / z));
  }
  const mu = Array.from(theta.subarray(o, o + k));
  o += k;
  const sigma2 = Math.exp(theta[o++] as number);
  const ar = Array.from(theta.subarray(o, o + p));
  return { trans, mu, ar, sigma2 };
}

function pack(prm: MarkovSwitchingArParams): Float64Array {
  const k = prm.mu.length;
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const row = prm.trans[i] as number[];
    for (let j = 0; j < k; j++) if (j !== i) out.push(Math.log((row[j] as number) / (row[i] as number)));
  }
  out.push(...prm.mu, Math.log(prm.sigma2), ...prm.ar);
  return Float64Array.from(out);
}

export function markovSwitchingArLogLikelihood(y: ArrayLike<number>, prm: MarkovSwitchingArParams): number {
  return hamiltonFilter(y, prm).logLikelihood;
}

/**
 * Maximum likelihood from several starts (means spread over the data's quantiles, sticky
 * transitions, no autocorrelation); regimes are ordered by their mean, lowest first.
 */
export function fitMarkovSwitchingAr(y: ArrayLike<number>, opts: { regimes?: number; order?: number } = {}): MarkovSwitchingArFit {
  const k = opts.regimes ?? 2;
  const p = opts.order ?? 4;
  if (y.length < p + 10 * k) throw new RangeError(`fitMarkovSwitchingAr: ${y.length} observations are too few`);
  const sorted = Array.from(y).sort((a, b) => a - b);
  const q = (f: number): number => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))] as number;
  const mean = sorted.reduce((a, v) => a + v, 0) / sorted.length;
  const variance = sorted.reduce((a, v) => a + (v - mean) ** 2, 0) / sorted.length;
  const nll = (theta: Float64Array): number => {
    const ll = hamiltonFilter(y, unpack(theta, k, p)).logLikelihood;
    return Number.isFinite(ll) ? -ll : 1e300;
  };
  let best: { x: Float64Array; value: number; converged: boolean } | null = null;
  for (const [lo, hi, stay] of [
    [0.1, 0.9, 0.9],
    [0.25, 0.75, 0.8],
    [0.05, 0.6, 0.95],
    [0.4, 0.95, 0.7],
  ] as const) {
    const mu = Array.from({ length: k }, (_, i) => q(lo + ((hi - lo) * i) / Math.max(1, k - 1)));
    const trans = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? stay : (1 - stay) / (k - 1))));
    const r = minimizeBfgs(nll, pack({ trans, mu, ar: new Array<number>(p).fill(0), sigma2: variance / 2 }), {
      maxIterations: 1000,
      gradientTolerance: 1e-6,
    });
    if (!best || r.value < best.value) best = r;
  }
  const b = best as { x: Float64Array; value: number; converged: boolean };
  let params = unpack(b.x, k, p);
  // Order regimes by mean so that labels are stable across fits.
  const order = params.mu.map((_, i) => i).sort((i, j) => (params.mu[i] as number) - (params.mu[j] as number));
  params = {
    trans: order.map((i) => order.map((j) => (params.trans[i] as number[])[j] as number)),
    mu: order.map((i) => params.mu[i] as number),
    ar: params.ar,
    sigma2: params.sigma2,
  };
  const run = hamiltonFilter(y, params);
  return {
    params,
    logLikelihood: run.logLikelihood,
    filtered: run.filtered.map((row) => marginal(row, k, p)),
    smoothed: kimSmoother(run, params),
    converged: b.converged,
  };
}
