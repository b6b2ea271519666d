/**
 * Gaussian hidden Markov model with diagonal covariances: Baum-Welch (scaled forward-backward,
 * several seeded restarts, the best likelihood kept), filtered probabilities (causal: the state
 * distribution given observations up to t) and smoothed ones (given the whole series).
 * Observations are row-major: `x[t * d + j]` is feature j at time t. Pure: no I/O.
 */
import { Rng } from '../core/random.ts';

export interface GaussianHmm {
  /** Number of states and of features. */
  k: number;
  d: number;
  /** Initial state distribution (k). */
  initial: Float64Array;
  /** Row-stochastic transition matrix, `trans[i * k + j]` = P(j at t+1 | i at t). */
  trans: Float64Array;
  /** Per-state means and variances (k × d, row-major). */
  mean: Float64Array;
  variance: Float64Array;
}

export interface HmmFitOptions {
  states: number;
  /** Independent random starts; the fit with the highest log-likelihood wins (default 5). */
  restarts?: number;
  maxIterations?: number;
  /** Stop when the log-likelihood improves by less than this (default 1e-6 per observation). */
  tolerance?: number;
  seed?: number;
}

export interface HmmFit {
  model: GaussianHmm;
  logLikelihood: number;
  iterations: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** Log-density of every state at time t into `out` (length k); returns the maximum. */
function logEmissions(m: GaussianHmm, x: ArrayLike<number>, t: number, out: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < m.k; i++) {
    let s = 0;
    for (let j = 0; j < m.d; j++) {
      const v = m.variance[i * m.d + j] as number;
      const z = (x[t * m.d + j] as number) - (m.mean[i * m.d + j] as number);
      s -= 0.5 * (LOG_2PI + Math.log(v) + (z * z) / v);
    }
    out[i] = s;
    if (s > max) max = s;
  }
  return max;
}

/**
 * Scaled forward pass. Fills `alpha` (n × k, each row the filtered distribution) and returns the
 * log-likelihood. `emit` receives the emission likelihoods, scaled by their per-row maximum.
 */
function forward(m: GaussianHmm, x: ArrayLike<number>, n: number, alpha: Float64Array, emit: Float64Array): number {
  const { k } = m;
  const row = new Float64Array(k);
  let ll = 0;
  for (let t = 0; t < n; t++) {
    const max = logEmissions(m, x, t, row);
    let total = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp((row[j] as number) - max);
      emit[t * k + j] = e;
      let prior = 0;
      if (t === 0) prior = m.initial[j] as number;
      else for (let i = 0; i < k; i++) prior += (alpha[(t - 1) * k + i] as number) * (m.trans[i * k + j] as number);
      const a = prior * e;
      alpha[t * k + j] = a;
      total += a;
    }
    if (!(total > 0)) {
      // Every state rules the observation out (numerically): restart from the stationary guess.
      for (let j = 0; j < k; j++) alpha[t * k + j] = 1 / k;
      total = 1;
    } else for (let j = 0; j < k; j++) alpha[t * k + j] = (alpha[t * k + j] as number) / total;
    ll += Math.log(total) + max;
  }
  return ll;
}

/** Filtered state probabilities (n × k): uses observations up to each t only. */
export function filterHmm(m: GaussianHmm, x: ArrayLike<number>): { probabilities: Float64Array; logLikelihood: number } {
  const n = Math.floor(x.length / m.d);
  const alpha = new Float64Array(n * m.k);
  const ll = forward(m, x, n, alpha, new Float64Array(n * m.k));
  return { probabilities: alpha, logLikelihood: ll };
}

/** Smoothed state probabilities (n × k): given the whole series (two-sided, not causal). */
export function smoothHmm(m: GaussianHmm, x: ArrayLike<number>): Float64Array {
  const n = Math.floor(x.length / m.d);
  const { gamma } = forwardBackward(m, x, n, null);
  return gamma;
}

/** Forward-backward; with `xiSum`, accumulates expected transition counts into it. */
function forwardBackward(
  m: GaussianHmm,
  x: ArrayLike<number>,
  n: number,
  xiSum: Float64Array | null,
): { gamma: Float64Array; logLikelihood: number } {
  const { k } = m;
  const alpha = new Float64Array(n * k);
  const emit = new Float64Array(n * k);
  const ll = forward(m, x, n, alpha, emit);
  const beta = new Float64Array(n * k);
  const gamma = new Float64Array(n * k);
  for (let j = 0; j < k; j++) beta[(n - 1) * k + j] = 1;
  const tmp = new Float64Array(k);
  for (let t = n - 2; t >= 0; t--) {
    for (let j = 0; j < k; j++) tmp[j] = (emit[(t + 1) * k + j] as number) * (beta[(t + 1) * k + j] as number);
    let total = 0;
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += (m.trans[i * k + j] as number) * (tmp[j] as number);
      beta[t * k + i] = s;
      total += s;
    }
    // Any positive scale keeps the ratios; normalising keeps the numbers in range.
    for (let i = 0; i < k; i++) beta[t * k + i] = total > 0 ? (beta[t * k + i] as number) / total : 1;
    if (xiSum) {
      // ξ_t(i, j) ∝ α_t(i) a_ij e_{t+1}(j) β_{t+1}(j), normalised over (i, j).
      let z = 0;
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) z += (alpha[t * k + i] as number) * (m.trans[i * k + j] as number) * (tmp[j] as number);
      if (z > 0)
        for (let i = 0; i < k; i++)
          for (let j = 0; j < k; j++)
            xiSum[i * k + j] =
              (xiSum[i * k + j] as number) + ((alpha[t * k + i] as number) * (m.trans[i * k + j] as number) * (tmp[j] as number)) / z;
    }
  }
  for (let t = 0; t < n; t++) {
    let total = 0;
    for (let i = 0; i < k; i++) {
      const g = (alpha[t * k + i] as number) * (beta[t * k + i] as number);
      gamma[t * k + i] = g;
      total += g;
    }
    for (let i = 0; i < k; i++) gamma[t * k + i] = total > 0 ? (gamma[t * k + i] as number) / total : 1 / k;
  }
  return { gamma, logLikelihood: ll };
}

/**
 * Transition counts (k × k, row-major) to probabilities, into `out`: each row divided by its sum;
 * a state never left from stays put.
 */
export function rowStochastic(counts: ArrayLike<number>, k: number, out: Float64Array = new Float64Array(k * k)): Float64Array {
  for (let i = 0; i < k; i++) {
    let row = 0;
    for (let j = 0; j < k; j++) row += counts[i * k + j] as number;
    for (let j = 0; j < k; j++) out[i * k + j] = row > 0 ? (counts[i * k + j] as number) / row : i === j ? 1 : 0;
  }
  return out;
}

/** Per-feature mean and variance over the whole series. */
export function moments(x: ArrayLike<number>, n: number, d: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(d);
  const variance = new Float64Array(d);
  for (let t = 0; t < n; t++) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (x[t * d + j] as number) / n;
  for (let t = 0; t < n; t++)
    for (let j = 0; j < d; j++) variance[j] = (variance[j] as number) + ((x[t * d + j] as number) - (mean[j] as number)) ** 2 / n;
  return { mean, variance };
}

function randomStart(x: ArrayLike<number>, n: number, d: number, k: number, variance: Float64Array, rng: Rng): GaussianHmm {
  const mean = new Float64Array(k * d);
  const v = new Float64Array(k * d);
  for (let i = 0; i < k; i++) {
    const t = rng.int(n);
    for (let j = 0; j < d; j++) {
      mean[i * d + j] = x[t * d + j] as number;
      // Spread the starting variances so that quiet and wild states can both emerge.
      v[i * d + j] = (variance[j] as number) * (0.25 + 1.5 * rng.next());
    }
  }
  const trans = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) trans[i * k + j] = i === j ? 0.9 : 0.1 / (k - 1);
  return { k, d, initial: new Float64Array(k).fill(1 / k), trans, mean, variance: v };
}

/** Baum-Welch from several random starts; returns the best fit by log-likelihood. */
export function fitGaussianHmm(x: ArrayLike<number>, d: number, opts: HmmFitOptions): HmmFit {
  const n = Math.floor(x.length / d);
  const k = opts.states;
  if (k < 1 || n < 2 * k) throw new RangeError(`fitGaussianHmm: ${n} observations are too few for ${k} states`);
  const rng = new Rng(opts.seed ?? 1);
  const restarts = opts.restarts ?? 5;
  const maxIter = opts.maxIterations ?? 200;
  const tol = (opts.tolerance ?? 1e-6) * n;
  const { variance } = moments(x, n, d);
  const floor = variance.map((v) => Math.max(1e-12, 1e-4 * v));
  let best: HmmFit | null = null;
  for (let r = 0; r < restarts; r++) {
    const m = randomStart(x, n, d, k, variance, rng);
    let prev = Number.NEGATIVE_INFINITY;
    let ll = prev;
    let it = 0;
    for (; it < maxIter; it++) {
      const xi = new Float64Array(k * k);
      const fb = forwardBackward(m, x, n, xi);
      ll = fb.logLikelihood;
      const g = fb.gamma;
      // M-step.
      for (let i = 0; i < k; i++) m.initial[i] = g[i] as number;
      rowStochastic(xi, k, m.trans);
      for (let i = 0; i < k; i++) {
        let w = 0;
        const mu = new Float64Array(d);
        for (let t = 0; t < n; t++) {
          const gi = g[t * k + i] as number;
          w += gi;
          for (let j = 0; j < d; j++) mu[j] = (mu[j] as number) + gi * (x[t * d + j] as number);
        }
        if (!(w > 1e-9)) continue; // an empty state keeps its parameters
        for (let j = 0; j < d; j++) mu[j] = (mu[j] as number) / w;
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let t = 0; t < n; t++) s += (g[t * k + i] as number) * ((x[t * d + j] as number) - (mu[j] as number)) ** 2;
          m.mean[i * d + j] = mu[j] as number;
          m.variance[i * d + j] = Math.max(floor[j] as number, s / w);
        }
      }
      if (ll - prev < tol && it > 0) break;
      prev = ll;
    }
    // The parameters were updated after the last E-step: score them.
    ll = filterHmm(m, x).logLikelihood;
    if (!best || ll > best.logLikelihood) best = { model: m, logLikelihood: ll, iterations: it + 1 };
  }
  return best as HmmFit;
}

/** Streaming filter for a fitted model: one observation in, the filtered distribution out; O(k² + kd). */
export class HmmFilter {
  readonly probabilities: Float64Array;
  private readonly prior: Float64Array;
  private readonly logE: Float64Array;
  private started = false;

  constructor(readonly model: GaussianHmm) {
    this.probabilities = new Float64Array(model.k);
    this.prior = new Float64Array(model.k);
    this.logE = new Float64Array(model.k);
  }

  update(obs: ArrayLike<number>): Float64Array {
    const { k, trans } = this.model;
    const p = this.probabilities;
    const max = logEmissions(this.model, obs, 0, this.logE);
    let total = 0;
    for (let j = 0; j < k; j++) {
      let s = 0;
      if (!this.started) s = this.model.initial[j] as number;
      else for (let i = 0; i < k; i++) s += (p[i] as number) * (trans[i * k + j] as number);
      this.prior[j] = s * Math.exp((this.logE[j] as number) - max);
      total += this.prior[j] as number;
    }
    this.started = true;
    for (let j = 0; j < k; j++) p[j] = total > 0 ? (this.prior[j] as number) / total : 1 / k;
    return p;
  }
}
