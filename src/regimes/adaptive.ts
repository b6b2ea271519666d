/**
 * The adaptive regime classifier: a six-state Gaussian HMM over the bar's log return (and its log
 * volume, when volume proves informative on the series itself: volume-evidence.ts), calibrated on the series it reads
 * by MAP expectation-maximisation on an expanding window (capped at `maxWindow`), refitted as bars
 * arrive, and filtered forward between refits. Causal: a bar's probabilities use only bars up to
 * it (the fit in force was made on earlier bars, or on the window ending at this bar).
 *
 * The probabilities it labels are, by default (`grid: 'auto'`), the profile-grid filter's
 * (profile-grid.ts): Bayes over the profile's level, spread, drifts and durations rather than
 * this EM's point estimate, reading the log volume where the EM finds it informative (each grid
 * point learns its own volume levels, starting from the EM's line of log volume on log
 * volatility). The EM supplies that line, the decision to use volume and the forecast's
 * transition matrix (README: what the grid gained on the planted-regime family).
 *
 * Each state IS a regime, held to the README's definitions by the M-step rather than named
 * afterwards:
 * - volatility order: sideways < bull < bear < recovery < high_volatility < crash, each at least
 *   16 % rougher than the one before (isotonic regression of the log volatilities, less a step);
 * - the volatility profile: each state's variance is shrunk (KAPPA_VAR pseudo-bars) toward a
 *   log-linear profile, log sd = level + spread · SHAPE, whose level and spread are fitted to the
 *   series (so FX-like compressed and crypto-like wide profiles both fit, but no state becomes a
 *   twin of its neighbour);
 * - drift sign: bull and recovery ≥ 0, bear and crash ≤ 0, sideways and high_volatility 0;
 * - recovery is entered only from crash or high volatility (a structural zero in the transitions,
 *   which EM keeps at zero): it is the rebound after a fall;
 * - volume, when used, rises log-linearly with the state's volatility (log volume = α + β log sd,
 *   β ≥ 0): the only way it is allowed to inform the regime.
 * Everything is in units of the window's own robust volatility (median |r| / 0.6745), and every
 * prior and floor scales with it, so multiplying the returns by a constant multiplies the fitted
 * parameters by it and changes no probability: the model is scale-free by construction, and the
 * regimes' volatility levels, drifts, durations and transitions are learned per series.
 *
 * Until `minBars` returns have arrived there is too little to calibrate on, which is stated in
 * `calibrated` (false): the profile grid answers from its 50th return, the template filter
 * (`RegimeClassifier`, fixed ratios to the instrument's own volatility) before. A series that
 * does not move on most bars is `sideways`.
 */

import { longRunDistribution } from '../core/markov.ts';
import { REGIMES, type Regime } from '../core/regime.ts';
import { RegimeClassifier } from './classifier.ts';
import { type LabelerOptions, LabelledClassifier, type RegimeOutput } from './labeler.ts';
import {
  GRID_ANCHOR_BARS,
  ProfileGridFilter,
  type ProfileGridOptions,
  type ProfileGridState,
  SD_TEMPLATE,
  type VolumeLine,
} from './profile-grid.ts';
import { volumeEvidence } from './volume-evidence.ts';

const K = REGIMES.length;
const I = Object.fromEntries(REGIMES.map((r, i) => [r, i])) as Record<Regime, number>;

/** States from calmest to wildest (the definitions' volatility order). */
const VOL_ORDER: readonly number[] = [I.sideways, I.bull, I.bear, I.recovery, I.high_volatility, I.crash];
/** Drift sign per state (REGIMES order): +1 non-negative, −1 non-positive, 0 fixed at zero. */
const DRIFT_SIGN = Float64Array.from(REGIMES, (r) => ({ bull: 1, bear: -1, sideways: 0, high_volatility: 0, crash: -1, recovery: 1 })[r]);
/** Starting volatility per state in units of the window's robust volatility (the definitions' template, shared with the profile grid); its logs give the profile's SHAPE. */
const SD_RATIO = Float64Array.from(REGIMES, (r) => SD_TEMPLATE[r]);
/** Log volatility of each state over the calmest's at spread 1 (from SD_RATIO): the shape of the volatility profile. */
const SHAPE = Float64Array.from(SD_RATIO, (x) => Math.log(x / (SD_RATIO[I.sideways] as number)));
/** Pseudo-weight holding the profile's spread near 1.2 (in bars × squared shape units). */
const RIDGE = 50;

/**
 * Prior transition matrix: sticky (stay 0.95), leaving uniformly, except that recovery is entered
 * only from crash or high volatility (the definition: the rebound after a fall). Those zeros are
 * structural: EM keeps a zero transition at zero.
 */
function priorTransitions(): Float64Array {
  const a = new Float64Array(K * K);
  const intoRecovery = new Set<number>([I.crash, I.high_volatility]);
  for (let i = 0; i < K; i++) {
    const allowed = (j: number): boolean => j !== i && (j !== I.recovery || intoRecovery.has(i));
    let m = 0;
    for (let j = 0; j < K; j++) if (allowed(j)) m++;
    for (let j = 0; j < K; j++) a[i * K + j] = i === j ? STAY : allowed(j) ? (1 - STAY) / m : 0;
  }
  return a;
}
const STAY = 0.95;
const PRIOR_TRANS = priorTransitions();

/** Pseudo-bars of the priors: transitions per row (toward PRIOR_TRANS), drift (toward zero), variance (toward the fitted profile). */
const KAPPA_TRANS = 20;
const KAPPA_MEAN = 20;
const KAPPA_VAR = 100;
/**
 * Trend statistic: bars of the recent move, and the weight of its log-density. Consecutive values
 * share TREND_BARS − 1 returns, so full weight would count the same evidence many times over.
 */
const TREND_BARS = 20;
const TREND_WEIGHT = 0.1;
/** Weight of the fitted chain's long-run distribution in a forecast. */
const FORECAST_HEDGE = 0.2;
/** A crash's expected stay is at most this share of a bear market's. */
const CRASH_SHARE = 0.25;

const DAY_MS = 86_400_000;
/** Returns needed before the first calibration (by default). */
export const MIN_CALIBRATION_BARS = 250;
/** Most bars between calibrations once the window is long (before that, every quarter of the bars seen). */
const REFIT_MAX = 500;
/** Returns after which the profile-grid filter is made (the spacing is known by then), from the returns so far. */
const GRID_START = 20;
/** The return from which the profile-grid filter answers (by default: once it has its anchor). */
export const GRID_ANSWERS_FROM = GRID_ANCHOR_BARS;
/** Least step in log volatility between neighbours in the volatility order (0.15: each regime at least 16 % rougher than the one before). */
const MIN_STEP = 0.15;

export interface AdaptiveRegimeOptions extends LabelerOptions {
  /** Returns needed before the first calibration (default 250). */
  minBars?: number;
  /** Most recent returns a calibration uses (default 2500: expanding until then, then rolling, so that "typical" follows the instrument's recent years), unless `windowChanges` asks for more. */
  maxWindow?: number;
  /**
   * The window is stretched beyond `maxWindow` to span at least this many of the fitted chain's
   * expected regime changes (default 60), up to `windowLimit` bars (default 10,000, for cost):
   * where regimes last many bars (hourly bars of regimes lasting months) 2,500 bars hold only a
   * few episodes of each, too few to calibrate six states on.
   */
  windowChanges?: number;
  windowLimit?: number;
  /** Volume: 'auto' uses it when it follows the returns' size on the series itself (default), 'never' ignores it. */
  volume?: 'auto' | 'never';
  /**
   * Evidence that volume follows volatility above which a calibration uses it: the t statistic of
   * log volume on the window's local log volatility with AR(1) errors (volume-evidence.ts; default
   * 4: about standard normal where volume carries nothing, and each calibration is a fresh look).
   */
  volumeEvidence?: number;
  /** Template starts of each calibration: spreads of the volatility ratios (default [0.8, 1.2, 1.6]). */
  spreads?: number[];
  /**
   * Whose probabilities are labelled: 'auto' (default) the profile-grid filter's from the 50th
   * return on (profile-grid.ts: Bayes over the profile's level, spread, drifts and durations,
   * reading volume where this calibration finds it informative); 'never' this classifier's
   * own EM fit's forward filter (the template filter before the first calibration).
   */
  grid?: 'auto' | 'never';
  /** The profile-grid filter's options (its bar length is the series' typical spacing). */
  gridOptions?: ProfileGridOptions;
}

/**
 * The options that read fat tails (README, Regimes, 2026-12-05): the profile grid holds each of
 * its filters twice, its regimes' returns Gaussian or Student t with `nu` degrees of freedom, and
 * weighs the two by evidence. `nu` finite and above 2 (Infinity is the Gaussian reading, which the
 * grid always has).
 */
export function fatTailed(nu: number): AdaptiveRegimeOptions {
  if (!(nu > 2 && Number.isFinite(nu))) throw new RangeError(`fat tails need a finite number of degrees of freedom above 2, not ${nu}`);
  return { gridOptions: { tails: [Number.POSITIVE_INFINITY, nu] } };
}

/** Fitted parameters in per-bar units of the series. */
export interface AdaptiveFit {
  mu: Float64Array;
  variance: Float64Array;
  trans: Float64Array;
  /** Log-volume mean and variance per state; used only when `useVolume`. */
  volumeMean: Float64Array;
  volumeVariance: Float64Array;
  useVolume: boolean;
  /** Mean per state of the trend statistic (TREND_BARS-bar log move in units of the window's volatility × √TREND_BARS), and its pooled variance. */
  trendMean: Float64Array;
  trendVariance: number;
  /** Long-run distribution of the fitted chain. */
  stationary: Float64Array;
  /** The calibration window's evidence that volume follows volatility (`volumeEvidence`; NaN without volume). */
  volumeEvidence: number;
  /** The window's robust volatility (median |r| / 0.6745). */
  scale: number;
  /** Bars in the window of the last calibration, and the bar count when it was made. */
  window: number;
  at: number;
}

/**
 * The calibration in force as plain data (JSON-safe: NaN as null), and how many bars after it
 * the next one falls due: what a restarted process needs to go on where this one left off.
 */
export interface AdaptiveCheckpoint {
  fit: Record<'mu' | 'variance' | 'trans' | 'volumeMean' | 'volumeVariance' | 'trendMean' | 'stationary', number[]> & {
    useVolume: boolean;
    trendVariance: number;
    /** Absent in a checkpoint written before the evidence replaced the correlation. */
    volumeEvidence?: number | null;
    /** Written before the evidence replaced it (log volume's correlation with log |return|); not read. */
    volumeCorrelation?: number | null;
    scale: number;
    window: number;
  };
  refitAfter: number;
  /** The profile-grid filter's state at the checkpoint's bar (absent before it has its anchor, or with `grid: 'never'`). */
  grid?: ProfileGridState;
}

/** Working arrays of one EM run (at least the window long). */
interface Work {
  logE: Float64Array;
  alpha: Float64Array;
  beta: Float64Array;
  gamma: Float64Array;
  xi: Float64Array;
}

/** Weighted isotonic (non-decreasing) regression in place, pool-adjacent-violators; `order` lists the indices. */
function isotonic(v: Float64Array, w: Float64Array, order: readonly number[]): void {
  const m = order.length;
  const val = new Float64Array(m);
  const wt = new Float64Array(m);
  const len = new Int32Array(m);
  let blocks = 0;
  for (let k = 0; k < m; k++) {
    const o = order[k] as number;
    val[blocks] = v[o] as number;
    wt[blocks] = w[o] as number;
    len[blocks] = 1;
    blocks++;
    while (blocks > 1 && (val[blocks - 2] as number) > (val[blocks - 1] as number)) {
      const a = blocks - 2;
      const b = blocks - 1;
      const ww = (wt[a] as number) + (wt[b] as number);
      val[a] = ((val[a] as number) * (wt[a] as number) + (val[b] as number) * (wt[b] as number)) / ww;
      wt[a] = ww;
      len[a] = (len[a] as number) + (len[b] as number);
      blocks--;
    }
  }
  let k = 0;
  for (let b = 0; b < blocks; b++) for (let c = 0; c < (len[b] as number); c++) v[order[k++] as number] = val[b] as number;
}

/** Log emission densities (n × K, up to a constant) of returns (and log volumes) under a fit. */
function emissions(f: AdaptiveFit, r: Float64Array, lv: Float64Array | null, tr: Float64Array, n: number, logE: Float64Array): number {
  const useV = f.useVolume && lv !== null;
  const ivt = TREND_WEIGHT / f.trendVariance;
  const ct = -0.5 * TREND_WEIGHT * Math.log(f.trendVariance);
  for (let j = 0; j < K; j++) {
    const m = f.mu[j] as number;
    const iv = 1 / (f.variance[j] as number);
    const c = -0.5 * Math.log(f.variance[j] as number);
    const vm = f.volumeMean[j] as number;
    const ivv = 1 / (f.volumeVariance[j] as number);
    const cv = -0.5 * Math.log(f.volumeVariance[j] as number);
    const mt = f.trendMean[j] as number;
    for (let t = 0; t < n; t++) {
      const d = (r[t] as number) - m;
      const dt = (tr[t] as number) - mt;
      let l = c - 0.5 * d * d * iv + ct - 0.5 * dt * dt * ivt;
      if (useV) {
        const e = (lv[t] as number) - vm;
        l += cv - 0.5 * e * e * ivv;
      }
      logE[t * K + j] = l;
    }
  }
  // Per-row maximum subtracted, then exponentiated in place: the scaled likelihoods. Returns the
  // sum of the maxima (the log-likelihood's share taken out by the scaling).
  let sum = 0;
  for (let t = 0; t < n; t++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < K; j++) if ((logE[t * K + j] as number) > max) max = logE[t * K + j] as number;
    for (let j = 0; j < K; j++) logE[t * K + j] = Math.exp((logE[t * K + j] as number) - max);
    sum += max;
  }
  return sum;
}

/** Scaled forward pass over scaled likelihoods `e`; alpha rows are filtered distributions. Returns Σ log(scale). */
function forward(trans: Float64Array, e: Float64Array, n: number, alpha: Float64Array): number {
  let ll = 0;
  for (let t = 0; t < n; t++) {
    let total = 0;
    for (let j = 0; j < K; j++) {
      let prior = 0;
      if (t === 0) prior = 1 / K;
      else for (let i = 0; i < K; i++) prior += (alpha[(t - 1) * K + i] as number) * (trans[i * K + j] as number);
      const a = prior * (e[t * K + j] as number);
      alpha[t * K + j] = a;
      total += a;
    }
    for (let j = 0; j < K; j++) alpha[t * K + j] = total > 0 ? (alpha[t * K + j] as number) / total : 1 / K;
    ll += total > 0 ? Math.log(total) : -1e3;
  }
  return ll;
}

/** Backward pass, smoothed probabilities into gamma and expected transition counts into xi. */
function backward(f: AdaptiveFit, w: Work, n: number): void {
  const { alpha, beta, gamma, xi, logE: e } = w;
  const trans = f.trans;
  xi.fill(0);
  for (let j = 0; j < K; j++) beta[(n - 1) * K + j] = 1;
  const tmp = new Float64Array(K);
  for (let t = n - 2; t >= 0; t--) {
    for (let j = 0; j < K; j++) tmp[j] = (e[(t + 1) * K + j] as number) * (beta[(t + 1) * K + j] as number);
    let total = 0;
    let z = 0;
    for (let i = 0; i < K; i++) {
      let s = 0;
      for (let j = 0; j < K; j++) s += (trans[i * K + j] as number) * (tmp[j] as number);
      beta[t * K + i] = s;
      total += s;
      z += (alpha[t * K + i] as number) * s;
    }
    if (z > 0)
      for (let i = 0; i < K; i++) {
        const ai = (alpha[t * K + i] as number) / z;
        for (let j = 0; j < K; j++) xi[i * K + j] = (xi[i * K + j] as number) + ai * (trans[i * K + j] as number) * (tmp[j] as number);
      }
    for (let i = 0; i < K; i++) beta[t * K + i] = total > 0 ? (beta[t * K + i] as number) / total : 1;
  }
  for (let t = 0; t < n; t++) {
    let total = 0;
    for (let i = 0; i < K; i++) {
      const g = (alpha[t * K + i] as number) * (beta[t * K + i] as number);
      gamma[t * K + i] = g;
      total += g;
    }
    for (let i = 0; i < K; i++) gamma[t * K + i] = total > 0 ? (gamma[t * K + i] as number) / total : 1 / K;
  }
}

/** The MAP M-step with the definitions' constraints. */
function mStep(f: AdaptiveFit, w: Work, r: Float64Array, lv: Float64Array | null, tr: Float64Array, n: number): void {
  const { gamma, xi } = w;
  const c2 = f.scale * f.scale;
  const wk = new Float64Array(K);
  const s1 = new Float64Array(K);
  const s2 = new Float64Array(K);
  const v1 = new Float64Array(K);
  const v2 = new Float64Array(K);
  const t1 = new Float64Array(K);
  const t2 = new Float64Array(K);
  for (let t = 0; t < n; t++) {
    const x = r[t] as number;
    const y = lv ? (lv[t] as number) : 0;
    const z = tr[t] as number;
    for (let j = 0; j < K; j++) {
      const g = gamma[t * K + j] as number;
      wk[j] = (wk[j] as number) + g;
      t1[j] = (t1[j] as number) + g * z;
      t2[j] = (t2[j] as number) + g * z * z;
      s1[j] = (s1[j] as number) + g * x;
      s2[j] = (s2[j] as number) + g * x * x;
      if (lv) {
        v1[j] = (v1[j] as number) + g * y;
        v2[j] = (v2[j] as number) + g * y * y;
      }
    }
  }
  // The volatility profile: log sd_j ≈ level + spread · SHAPE_j, fitted by weighted least squares
  // to the states' own variances (a light ridge holds the spread near 1.2 when few states are
  // populated). It is the centre each state's variance is shrunk toward, so a state cannot drift
  // into a twin of its neighbour while the profile as a whole still adapts per series.
  const ss = new Float64Array(K);
  let sw = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let j = 0; j < K; j++) {
    const sign = DRIFT_SIGN[j] as number;
    // Drift shrunk toward zero (a state with few bars cannot claim a large drift), then held to its sign.
    let m = sign === 0 ? 0 : (s1[j] as number) / ((wk[j] as number) + KAPPA_MEAN);
    if (sign * m < 0) m = 0;
    f.mu[j] = m;
    ss[j] = Math.max(0, (s2[j] as number) - 2 * m * (s1[j] as number) + m * m * (wk[j] as number));
    const wj = wk[j] as number;
    if (wj > 2 && (ss[j] as number) > 0) {
      const x = SHAPE[j] as number;
      const yv = 0.5 * Math.log((ss[j] as number) / wj);
      sw += wj;
      sx += wj * x;
      sy += wj * yv;
      sxx += wj * x * x;
      sxy += wj * x * yv;
    }
  }
  let spread = 1.2;
  let level = Math.log(f.scale * (SD_RATIO[I.sideways] as number));
  if (sw > 0) {
    // Ridge toward spread 1.2 with RIDGE pseudo-bars at unit leverage.
    const mx = sx / sw;
    const my = sy / sw;
    const vxx = sxx - sw * mx * mx;
    const vxy = sxy - sw * mx * my;
    spread = Math.min(2.5, Math.max(0.5, (vxy + RIDGE * 1.2) / (vxx + RIDGE)));
    level = my - spread * mx;
  }
  const pw = new Float64Array(K);
  for (let j = 0; j < K; j++) {
    const prior = Math.exp(2 * (level + spread * (SHAPE[j] as number)));
    f.variance[j] = ((ss[j] as number) + KAPPA_VAR * prior) / ((wk[j] as number) + KAPPA_VAR);
    pw[j] = (wk[j] as number) + KAPPA_VAR;
  }
  // Volatility order with a minimum step: on log sd less k·step along the order, isotonic, step
  // added back (so a state cannot collapse onto its calmer neighbour and go unused).
  const y = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const j = VOL_ORDER[k] as number;
    y[j] = 0.5 * Math.log(Math.max(f.variance[j] as number, 1e-4 * c2)) - k * MIN_STEP;
  }
  isotonic(y, pw, VOL_ORDER);
  for (let k = 0; k < K; k++) {
    const j = VOL_ORDER[k] as number;
    f.variance[j] = Math.exp(2 * ((y[j] as number) + k * MIN_STEP));
  }
  // Transitions: expected counts plus the prior's pseudo-counts, rows normalised.
  for (let i = 0; i < K; i++) {
    let row = 0;
    for (let j = 0; j < K; j++) row += (xi[i * K + j] as number) + KAPPA_TRANS * (PRIOR_TRANS[i * K + j] as number);
    for (let j = 0; j < K; j++) f.trans[i * K + j] = ((xi[i * K + j] as number) + KAPPA_TRANS * (PRIOR_TRANS[i * K + j] as number)) / row;
  }
  // A crash is brief: its expected stay is at most CRASH_SHARE of a bear market's (a relative
  // bound, so it holds at any bar spacing); the row's leaving probabilities are scaled up to match.
  const ic = I.crash;
  const leaveBear = 1 - (f.trans[I.bear * K + I.bear] as number);
  const leaveCrash = 1 - (f.trans[ic * K + ic] as number);
  const minLeave = Math.min(1, leaveBear / CRASH_SHARE);
  if (leaveCrash < minLeave && leaveCrash > 0) {
    const k = minLeave / leaveCrash;
    for (let j = 0; j < K; j++) if (j !== ic) f.trans[ic * K + j] = (f.trans[ic * K + j] as number) * k;
    f.trans[ic * K + ic] = 1 - minLeave;
  }
  // Trend statistic: per-state mean, shrunk toward zero and held to the drift's sign; one pooled variance.
  let tres = 0;
  let tw = 0;
  for (let j = 0; j < K; j++) {
    const sign = DRIFT_SIGN[j] as number;
    let m = sign === 0 ? 0 : (t1[j] as number) / ((wk[j] as number) + KAPPA_MEAN);
    if (sign * m < 0) m = 0;
    f.trendMean[j] = m;
    tres += Math.max(0, (t2[j] as number) - 2 * m * (t1[j] as number) + m * m * (wk[j] as number));
    tw += wk[j] as number;
  }
  f.trendVariance = Math.max(0.05, tres / tw);
  if (lv) {
    // Volume follows volatility: log volume_j = α + β · log sd_j (β ≥ 0), fitted by weighted least
    // squares of the states' mean log volumes on their log volatilities, one residual variance for
    // all. Tying volume to volatility is what makes it informative about the regime, and it stops
    // a fit from giving a calm state the volume of a rough one.
    let tw = 0;
    let tx = 0;
    let ty = 0;
    let txx = 0;
    let txy = 0;
    const lsd = new Float64Array(K);
    for (let j = 0; j < K; j++) {
      const wj = wk[j] as number;
      lsd[j] = 0.5 * Math.log(f.variance[j] as number);
      if (!(wj > 0)) continue;
      const x = lsd[j] as number;
      tw += wj;
      tx += wj * x;
      ty += v1[j] as number;
      txx += wj * x * x;
      txy += x * (v1[j] as number);
    }
    const mx = tx / tw;
    const my = ty / tw;
    const vxx = txx - tw * mx * mx;
    const beta = vxx > 0 ? Math.max(0, (txy - tw * mx * my) / vxx) : 0;
    let res = 0;
    for (let j = 0; j < K; j++) {
      const wj = wk[j] as number;
      const m = my + beta * ((lsd[j] as number) - mx);
      f.volumeMean[j] = m;
      res += Math.max(0, (v2[j] as number) - 2 * m * (v1[j] as number) + m * m * wj);
    }
    f.volumeVariance.fill(Math.max(1e-6, res / tw));
  }
}

/**
 * The trend statistic per bar: the log move over the last TREND_BARS bars (fewer at the window's
 * start) over scale × √bars, i.e. a t-statistic of the recent drift against the window's volatility.
 */
function trendStatistic(r: Float64Array, n: number, scale: number): Float64Array {
  const out = scratch(n).trend;
  let sum = 0;
  for (let t = 0; t < n; t++) {
    sum += r[t] as number;
    if (t >= TREND_BARS) sum -= r[t - TREND_BARS] as number;
    out[t] = sum / (scale * Math.sqrt(Math.min(t + 1, TREND_BARS)));
  }
  return out;
}

/**
 * Working arrays shared by every calibration (one runs at a time: calibrations are synchronous),
 * grown to the longest window asked for and then reused. A 10,000-bar window needs about 2 MB of
 * them; allocated afresh, a service calibrating each instrument every 500 bars hands the
 * allocator megabytes of short-lived large buffers a minute at the soak's speed, the kind of
 * churn that fragments its heap. Each user writes every element it reads, so nothing needs clearing.
 */
interface Scratch {
  work: Work;
  abs: Float64Array;
  trend: Float64Array;
}
let shared: Scratch | null = null;

function scratch(n: number): Scratch {
  if (shared && shared.abs.length >= n) return shared;
  // Grown by half at least: an expanding window asks for a little more at every early calibration.
  const size = Math.max(n, Math.ceil(1.5 * (shared?.abs.length ?? 0)));
  shared = {
    work: {
      logE: new Float64Array(size * K),
      alpha: new Float64Array(size * K),
      beta: new Float64Array(size * K),
      gamma: new Float64Array(size * K),
      xi: new Float64Array(K * K),
    },
    abs: new Float64Array(size),
    trend: new Float64Array(size),
  };
  return shared;
}

/** |r| of the first n returns, sorted, in the shared scratch (valid until the next call). */
function absSorted(r: Float64Array, n: number): Float64Array {
  const a = scratch(n).abs.subarray(0, n);
  for (let t = 0; t < n; t++) a[t] = Math.abs(r[t] as number);
  return a.sort();
}

/** Median absolute return of a window. */
function medianAbs(r: Float64Array, n: number): number {
  const a = absSorted(r, n);
  return n % 2 ? (a[(n - 1) >> 1] as number) : 0.5 * ((a[n / 2 - 1] as number) + (a[n / 2] as number));
}

/** Robust volatility of a window: median |r| / 0.6745 (the sd for Gaussian returns; unmoved by a few crash days). */
function robustScale(r: Float64Array, n: number): number {
  const med = medianAbs(r, n);
  if (med > 0) return med / 0.6745;
  // More than half the returns are zero (a near-constant series): the root mean square instead.
  let s = 0;
  for (let t = 0; t < n; t++) s += (r[t] as number) ** 2;
  return Math.sqrt(s / n);
}

/** A starting point from the definitions: volatilities SD_RATIO, their spread around the calmest stretched by `spread`. */
function templateFit(scale: number, spread = 1): AdaptiveFit {
  const base = SD_RATIO[I.sideways] as number;
  const sd = Float64Array.from(SD_RATIO, (x) => base * (x / base) ** spread * scale);
  return {
    mu: Float64Array.from(DRIFT_SIGN, (s, j) => s * 0.05 * (sd[j] as number)),
    variance: Float64Array.from(sd, (x) => x * x),
    trans: Float64Array.from(PRIOR_TRANS),
    volumeMean: new Float64Array(K),
    volumeVariance: new Float64Array(K).fill(1),
    trendMean: new Float64Array(K),
    trendVariance: 1,
    stationary: new Float64Array(K).fill(1 / K),
    useVolume: false,
    volumeEvidence: Number.NaN,
    scale,
    window: 0,
    at: 0,
  };
}

/** Rescales a previous fit's return parameters to a new window scale (keeps a warm start scale-free). */
function rescaled(prev: AdaptiveFit, scale: number): AdaptiveFit {
  const k = scale / prev.scale;
  return {
    ...prev,
    mu: Float64Array.from(prev.mu, (x) => x * k),
    variance: Float64Array.from(prev.variance, (x) => x * k * k),
    trans: Float64Array.from(prev.trans),
    volumeMean: Float64Array.from(prev.volumeMean),
    volumeVariance: Float64Array.from(prev.volumeVariance),
    trendMean: Float64Array.from(prev.trendMean),
    stationary: Float64Array.from(prev.stationary),
    scale,
  };
}

/**
 * Calibrates on one window: EM from each start (the previous fit, template spreads); the best
 * likelihood wins. When the window's log volume follows its returns' size (volume-evidence.ts), every start
 * runs EM with volume as a second feature and the starts are compared on the joint likelihood:
 * volume tells the calm states from the rough ones bar by bar, so it is what best tells a right
 * labelling of the window from a wrong one (choosing on the returns alone and adding volume
 * afterwards kept the returns' choice). Returns the fit and the filtered distribution at the
 * window's last bar.
 */
function calibrate(
  r: Float64Array,
  lv: Float64Array | null,
  n: number,
  starts: readonly (AdaptiveFit | number)[],
  opts: { iterations: number; volumeEvidence: number },
): { fit: AdaptiveFit; last: Float64Array; logLikelihood: number } {
  const scale = robustScale(r, n);
  const tr = trendStatistic(r, n, scale);
  const w = scratch(n).work;
  const run = (f: AdaptiveFit, vol: Float64Array | null, iterations: number): number => {
    let ll = Number.NEGATIVE_INFINITY;
    for (let it = 0; it < iterations; it++) {
      ll = emissions(f, r, vol, tr, n, w.logE);
      ll += forward(f.trans, w.logE, n, w.alpha);
      backward(f, w, n);
      mStep(f, w, r, vol, tr, n);
    }
    return ll;
  };
  const evidence = lv ? volumeEvidence(r, lv, n, scale) : Number.NaN;
  const vol = lv && evidence >= opts.volumeEvidence ? lv : null;
  // Each start (a previous fit, or a template spread) runs EM; the best likelihood wins.
  let f: AdaptiveFit | null = null;
  let best = Number.NEGATIVE_INFINITY;
  for (const s of starts) {
    const g = typeof s === 'number' ? templateFit(scale, s) : rescaled(s, scale);
    if (vol && !g.useVolume) {
      // Volume parameters from the start's states (one E-step on the returns), then EM jointly.
      emissions(g, r, null, tr, n, w.logE);
      forward(g.trans, w.logE, n, w.alpha);
      backward(g, w, n);
      mStep(g, w, r, vol, tr, n);
    }
    g.useVolume = vol !== null;
    g.volumeEvidence = evidence;
    const ll = run(g, vol, opts.iterations);
    if (ll > best || !f) {
      best = ll;
      f = g;
    }
  }
  const fit = f as AdaptiveFit;
  fit.window = n;
  longRunDistribution(fit.trans, K, fit.stationary);
  let ll = emissions(fit, r, fit.useVolume ? lv : null, tr, n, w.logE);
  ll += forward(fit.trans, w.logE, n, w.alpha);
  return { fit, last: w.alpha.slice((n - 1) * K, n * K), logLikelihood: ll };
}

/**
 * The adaptive classifier's label rule. Labels from probabilities averaged over ~3 bars; a new
 * label must lead the current one by 0.4 and the current one have lasted 5 bars: real series'
 * volatility moves continuously, and unsmoothed labels change ~24 times a year on the NYSE
 * composite. A wide margin holds that churn down where a long average would lag every change
 * (chosen on the family's development seeds: it costs the short regimes less; 0.4, not 0.5, since
 * the profile grid's mixture is less peaked than one fit's filter). Crash, high volatility and
 * recovery, the brief regimes, take the label at once when this bar's probabilities put them 0.4
 * ahead.
 */
export const ADAPTIVE_LABEL_RULE: Readonly<LabelerOptions> = {
  smoothing: 3,
  minDwell: 5,
  margin: 0.4,
  fast: ['crash', 'high_volatility', 'recovery'],
};

/** The online classifier: calibrations on a schedule, the forward filter between them, the shared labeler after. */
export class AdaptiveRegimeClassifier extends LabelledClassifier {
  /**
   * Returns and log volumes from bar `base` on: the last `windowLimit` + 20 at least, which is all
   * a calibration and the trend statistic read, so a service running for months holds a bounded
   * amount (it used to keep every return it had seen). Allocated at their bound, twice that
   * (320 KB at the defaults): grown by doubling, they made a live service's memory rise for weeks
   * of bars after each start.
   */
  private readonly ret: Float64Array<ArrayBuffer>;
  private readonly lvol: Float64Array<ArrayBuffer>;
  private base = 0;
  private n = 0;
  private prevClose = Number.NaN;
  private prevTime = Number.NaN;
  private volumeSeen = true;
  private fit: AdaptiveFit | null = null;
  /** Time-of-day profile of |r| (intraday bars only): sums and counts per bucket, and over all bars. */
  private seasonSum: Float64Array | null = null;
  private seasonCount: Float64Array | null = null;
  private seasonTotal = 0;
  private seasonN = 0;
  /** Sum of the last TREND_BARS returns. */
  private trendSum = 0;
  /** The last calibration found most bars unmoved: sideways until the next one. */
  private still = false;
  private readonly fallback: RegimeClassifier;
  private readonly opts: Required<Omit<AdaptiveRegimeOptions, keyof LabelerOptions>>;
  private readonly prior = new Float64Array(K);
  private readonly next = new Float64Array(K);
  private shortVar = Number.NaN;
  private longVar = Number.NaN;
  private nextFit: number;
  private readonly gaps: number[] = [];
  private typicalGap = Number.NaN;
  private gridFilter: ProfileGridFilter | null = null;
  /** The calibration's line of log volume on log volatility, and the fit it was read from. */
  private readonly volumeLine: VolumeLine = { alpha: 0, beta: 0, variance: 1 };
  private volumeLineFit: AdaptiveFit | null = null;
  /** The calibrated HMM's filtered distribution (what the forward step carries from bar to bar). */
  private readonly state = new Float64Array(K).fill(1 / K);
  /**
   * While true, a calibration that falls due waits (the filter goes on with the calibration in
   * force); the first update after it is cleared makes it. A warm-up from a restored checkpoint
   * replays stored bars through the filter only.
   */
  deferCalibration = false;
  /**
   * While true, returns do not reach the profile-grid filter: a restored checkpoint's grid state
   * already holds the bars up to the checkpoint, which a warm-up replays.
   */
  holdGrid = false;

  constructor(options: AdaptiveRegimeOptions = {}) {
    super({ ...ADAPTIVE_LABEL_RULE, ...options });
    this.opts = {
      minBars: MIN_CALIBRATION_BARS,
      maxWindow: 2500,
      windowChanges: 60,
      windowLimit: 10_000,
      volume: 'auto',
      volumeEvidence: 4,
      spreads: [0.8, 1.2, 1.6],
      grid: 'auto',
      gridOptions: {},
      ...options,
    };
    this.fallback = new RegimeClassifier(options);
    this.nextFit = this.opts.minBars;
    if (!(Number.isInteger(this.opts.windowLimit) && this.opts.windowLimit > 0))
      throw new RangeError(`windowLimit must be a whole number of bars, not ${this.opts.windowLimit}`);
    this.ret = new Float64Array(2 * (this.opts.windowLimit + TREND_BARS));
    this.lvol = new Float64Array(this.ret.length);
  }

  /**
   * Intraday bars: the return over the typical size of returns at this time of day (expanding mean
   * |r| per time-of-day bucket over the expanding mean |r| of all bars, from bars before this one).
   * Intraday volatility follows the clock (the open, lunch, the close, the overlap of sessions),
   * which a regime model would otherwise read as regime changes several times a day. Daily and
   * slower bars, and buckets with fewer than 20 bars, are left as they are.
   */
  private deseasonalise(r: number, time: number): number {
    const gap = this.typicalGap;
    if (!(gap > 0 && gap <= 6 * 3_600_000) || DAY_MS % gap !== 0) return r;
    const buckets = DAY_MS / gap;
    if (!this.seasonSum || this.seasonSum.length !== buckets) {
      this.seasonSum = new Float64Array(buckets);
      this.seasonCount = new Float64Array(buckets);
      this.seasonTotal = 0;
      this.seasonN = 0;
    }
    const b = Math.floor((((time % DAY_MS) + DAY_MS) % DAY_MS) / gap);
    const sum = this.seasonSum;
    const cnt = this.seasonCount as Float64Array;
    const a = Math.abs(r);
    let out = r;
    if ((cnt[b] as number) >= 20 && (sum[b] as number) > 0 && this.seasonTotal > 0)
      out = r / ((sum[b] as number) / (cnt[b] as number) / (this.seasonTotal / this.seasonN));
    sum[b] = (sum[b] as number) + a;
    cnt[b] = (cnt[b] as number) + 1;
    this.seasonTotal += a;
    this.seasonN++;
    return out;
  }

  /**
   * Bars the next calibration may use: `maxWindow`, or more where the calibration in force expects
   * fewer than `windowChanges` regime changes in it (its mean stay, 1 / Σ π_i (1 − a_ii), from the
   * series' own fit), at most `windowLimit`.
   */
  private windowCap(): number {
    const f = this.fit;
    if (!f) return this.opts.maxWindow;
    let leave = 0;
    for (let j = 0; j < K; j++) leave += (f.stationary[j] as number) * (1 - (f.trans[j * K + j] as number));
    const want = leave > 0 ? this.opts.windowChanges / leave : this.opts.windowLimit;
    return Math.round(Math.min(this.opts.windowLimit, Math.max(this.opts.maxWindow, want)));
  }

  /** True once the series' own calibration is in force (false: the fallback, ADAPTIVE_FALLBACK). */
  get calibrated(): boolean {
    return this.fit !== null;
  }

  /** The calibration in force (null before `minBars` returns). */
  get calibration(): AdaptiveFit | null {
    return this.fit;
  }

  /**
   * Probability of each regime h bars ahead (REGIMES order). Where the profile grid answers, its
   * Bayes predictive (`ProfileGridFilter.forecast`: each of its filters' distribution carried
   * through that filter's own chain, mixed by evidence). With `grid: 'never'`: today's filtered
   * distribution times the fitted transition matrix h times, mixed with the fitted chain's
   * long-run distribution (weight FORECAST_HEDGE: one fit's filter is overconfident when the
   * calibration is wrong, and a forecast that rules out what happens costs unbounded log loss).
   * Before either: today's probabilities (persistence).
   */
  forecast(h: number, out: Float64Array = new Float64Array(K)): Float64Array {
    if (this.gridFilter?.ready && !this.still) return this.gridFilter.forecast(h, out);
    out.set(this.probabilities);
    if (!this.fit) return out;
    const tmp = new Float64Array(K);
    for (let s = 0; s < h; s++) {
      for (let j = 0; j < K; j++) {
        let v = 0;
        for (let i = 0; i < K; i++) v += (out[i] as number) * (this.fit.trans[i * K + j] as number);
        tmp[j] = v;
      }
      out.set(tmp);
    }
    const st = this.fit.stationary;
    for (let j = 0; j < K; j++) out[j] = (1 - FORECAST_HEDGE) * (out[j] as number) + FORECAST_HEDGE * (st[j] as number);
    return out;
  }

  /** The calibration in force and when the next falls due (null before the first). */
  checkpoint(): AdaptiveCheckpoint | null {
    const f = this.fit;
    if (!f) return null;
    const arr = (a: Float64Array): number[] => Array.from(a);
    const grid = this.gridFilter?.state();
    return {
      fit: {
        mu: arr(f.mu),
        variance: arr(f.variance),
        trans: arr(f.trans),
        volumeMean: arr(f.volumeMean),
        volumeVariance: arr(f.volumeVariance),
        trendMean: arr(f.trendMean),
        stationary: arr(f.stationary),
        useVolume: f.useVolume,
        trendVariance: f.trendVariance,
        volumeEvidence: Number.isNaN(f.volumeEvidence) ? null : f.volumeEvidence,
        scale: f.scale,
        window: f.window,
      },
      refitAfter: this.nextFit - f.at,
      ...(grid ? { grid } : {}),
    };
  }

  /**
   * Puts a checkpoint's calibration in force (the bars that follow are filtered with it, the next
   * calibration starts from it), the next calibration `cp.refitAfter` bars from now.
   */
  restore(cp: AdaptiveCheckpoint): void {
    const f = cp.fit;
    const arr = (a: number[], n: number): Float64Array => {
      if (a.length !== n || !a.every(Number.isFinite)) throw new RangeError(`regime checkpoint: expected ${n} finite numbers`);
      return Float64Array.from(a);
    };
    // A value no calibration produces (a hand-edited or corrupted row) would give NaN probabilities
    // until the next calibration: refused, so the caller recalibrates instead.
    const refuse = (what: string): never => {
      throw new RangeError(`regime checkpoint: ${what}`);
    };
    const distribution = (a: Float64Array, what: string): void => {
      if (a.some((x) => x < 0) || Math.abs(a.reduce((s, x) => s + x, 0) - 1) > 1e-6) refuse(`${what} is not a probability distribution`);
    };
    const trans = arr(f.trans, K * K);
    for (let i = 0; i < K; i++) distribution(trans.subarray(i * K, (i + 1) * K), `transition row ${i}`);
    const stationary = arr(f.stationary, K);
    distribution(stationary, 'the stationary distribution');
    const variance = arr(f.variance, K);
    const volumeVariance = arr(f.volumeVariance, K);
    if (variance.some((x) => x < 0)) refuse('a negative return variance');
    if (volumeVariance.some((x) => !(x > 0))) refuse('a volume variance not above 0');
    if (!(f.trendVariance > 0)) refuse(`trend variance ${f.trendVariance} not above 0`);
    if (!(f.scale >= 0) || !Number.isFinite(f.scale)) refuse(`scale ${f.scale}`);
    if (!Number.isInteger(f.window) || f.window < 0) refuse(`window ${f.window}`);
    this.fit = {
      mu: arr(f.mu, K),
      variance,
      trans,
      volumeMean: arr(f.volumeMean, K),
      volumeVariance,
      trendMean: arr(f.trendMean, K),
      stationary,
      useVolume: f.useVolume,
      trendVariance: f.trendVariance,
      volumeEvidence: f.volumeEvidence ?? Number.NaN,
      scale: f.scale,
      window: f.window,
      at: this.n,
    };
    this.still = false;
    this.refitIn(cp.refitAfter);
    if (cp.grid && this.opts.grid === 'auto') this.gridFilter = ProfileGridFilter.restore(cp.grid, this.opts.gridOptions);
  }

  /** The next calibration falls due `bars` returns from now (at least one). */
  refitIn(bars: number): void {
    this.nextFit = this.n + Math.max(1, Math.round(bars));
  }

  /**
   * Labels this bar: the profile grid's probabilities once it has its anchor (until then, and
   * always with `grid: 'never'`, the EM fit's own filter's, carried in `state`).
   */
  private emit(volRatio: number): RegimeOutput {
    const g = this.gridFilter;
    if (g?.ready) this.probabilities.set(g.probabilities);
    return this.label(volRatio);
  }

  /** The line a calibration's volume levels lie on (its states' levels are fitted on it), read once per fit. */
  private volumeLineOf(f: AdaptiveFit): VolumeLine {
    if (this.volumeLineFit === f) return this.volumeLine;
    const lo = 0.5 * Math.log(f.variance[I.sideways] as number);
    const hi = 0.5 * Math.log(f.variance[I.crash] as number);
    const beta = hi > lo ? ((f.volumeMean[I.crash] as number) - (f.volumeMean[I.sideways] as number)) / (hi - lo) : 0;
    this.volumeLine.beta = beta;
    this.volumeLine.alpha = (f.volumeMean[I.sideways] as number) - beta * lo;
    this.volumeLine.variance = f.volumeVariance[I.sideways] as number;
    this.volumeLineFit = f;
    return this.volumeLine;
  }

  update(bar: { close: number; volume?: number; time?: number }): RegimeOutput {
    const fb = this.fallback.update(bar);
    const prev = this.prevClose;
    const prevTime = this.prevTime;
    this.prevClose = bar.close;
    this.prevTime = bar.time ?? Number.NaN;
    if (!(prev > 0 && bar.close > 0)) return this.hold();
    let r = Math.log(bar.close / prev);
    // Time gaps: the typical spacing is the median of the first 50 gaps; a gap over 4× it (missing
    // data, not a weekend or a holiday) has its return scaled to one typical bar's variance.
    if (bar.time !== undefined && !Number.isNaN(prevTime)) {
      const gap = bar.time - prevTime;
      if (this.gaps.length < 50) {
        this.gaps.push(gap);
        const s = [...this.gaps].sort((a, b) => a - b);
        this.typicalGap = s[s.length >> 1] as number;
      }
      if (this.typicalGap > 0 && gap > 4 * this.typicalGap) r /= Math.sqrt(gap / this.typicalGap);
      if (this.gaps.length >= 50) r = this.deseasonalise(r, bar.time);
    }
    const v = bar.volume;
    if (!(v !== undefined && v > 0 && Number.isFinite(v))) this.volumeSeen = false;
    if (this.n - this.base === this.ret.length) {
      // Full at twice what is read: move the last half to the front (amortised O(1) a bar).
      const drop = this.ret.length - (this.opts.windowLimit + TREND_BARS);
      this.ret.copyWithin(0, drop);
      this.lvol.copyWithin(0, drop);
      this.base += drop;
    }
    const at = this.n - this.base;
    this.ret[at] = r;
    this.trendSum += r - (this.n >= TREND_BARS ? (this.ret[at - TREND_BARS] as number) : 0);
    this.lvol[at] = this.volumeSeen ? Math.log(v as number) : 0;
    this.n++;
    // Volume is evidence this bar where the calibration in force uses it: the grid reads the log
    // volume with the calibration's line, the EM filter (below) its fitted density per regime.
    const fitted = this.fit;
    const volumeUsed = fitted?.useVolume === true && this.volumeSeen;
    const lv = this.lvol[this.n - 1 - this.base] as number;
    const g = this.gridFilter;
    if (g && !this.holdGrid) {
      if (fitted && volumeUsed) g.update(r, lv, this.volumeLineOf(fitted));
      else g.update(r);
    } else if (!g && this.opts.grid === 'auto' && this.n === GRID_START) {
      // Made once the spacing is known (its drift per bar depends on the bar's length), from the returns so far.
      this.gridFilter = new ProfileGridFilter({ barDays: this.typicalGap > 0 ? this.typicalGap / DAY_MS : 1, ...this.opts.gridOptions });
      for (let t = 0; t < this.n; t++) this.gridFilter.update(this.ret[t] as number);
    }
    const r2 = r * r;
    if (Number.isNaN(this.longVar)) {
      this.longVar = r2;
      this.shortVar = r2;
    } else {
      this.longVar += (1 / Math.min(this.n, 2000)) * (r2 - this.longVar);
      this.shortVar += 0.2 * (r2 - this.shortVar);
    }
    const volRatio = this.longVar > 0 ? Math.sqrt(this.shortVar / this.longVar) : 1;
    if (this.n >= this.nextFit && !this.deferCalibration) {
      const len = Math.min(this.n, this.windowCap());
      const from = this.n - len;
      const r0 = this.ret.subarray(from - this.base, this.n - this.base);
      if (!(medianAbs(r0, len) > 0)) {
        // Most bars do not move at all (a constant or near-constant series): sideways, by definition.
        this.still = true;
        this.nextFit = this.n + 50;
      } else {
        this.still = false;
        const useVol = this.volumeSeen && this.opts.volume === 'auto' ? this.lvol.subarray(from - this.base, this.n - this.base) : null;
        const { fit, last } = calibrate(r0, useVol, len, this.fit ? [this.fit, ...this.opts.spreads] : this.opts.spreads, {
          iterations: this.fit ? 15 : 30,
          volumeEvidence: this.opts.volumeEvidence,
        });
        fit.at = this.n;
        this.fit = fit;
        this.state.set(last);
        this.probabilities.set(last);
        // Refit often while the window is short (every quarter of the bars seen), then every REFIT_MAX bars.
        this.nextFit = this.n + Math.min(REFIT_MAX, Math.max(50, Math.round(0.25 * this.n)));
        return this.emit(volRatio);
      }
    }
    if (this.still) {
      this.probabilities.fill(0);
      this.probabilities[I.sideways] = 1;
      return this.label(1);
    }
    const f = this.fit;
    if (!f) {
      this.probabilities.set(fb.probabilities);
      return this.emit(volRatio);
    }
    if (f.useVolume && !this.volumeSeen) f.useVolume = false;
    // The grid's probabilities are the ones labelled once it has its anchor: the EM's own filter
    // is then not needed (only `grid: 'never'` labels it).
    if (this.gridFilter?.ready) return this.emit(volRatio);
    // Forward step with the calibration in force.
    const p = this.state;
    let max = Number.NEGATIVE_INFINITY;
    const tr = this.trendSum / (f.scale * Math.sqrt(Math.min(this.n, TREND_BARS)));
    for (let j = 0; j < K; j++) {
      const d = r - (f.mu[j] as number);
      const dt = tr - (f.trendMean[j] as number);
      let l =
        -0.5 * Math.log(f.variance[j] as number) -
        (0.5 * d * d) / (f.variance[j] as number) -
        0.5 * TREND_WEIGHT * (Math.log(f.trendVariance) + (dt * dt) / f.trendVariance);
      if (volumeUsed) {
        // The fitted density of this bar's log volume (log volume rising with the state's volatility).
        const e = lv - (f.volumeMean[j] as number);
        l += -0.5 * Math.log(f.volumeVariance[j] as number) - (0.5 * e * e) / (f.volumeVariance[j] as number);
      }
      this.prior[j] = l;
      if (l > max) max = l;
    }
    let total = 0;
    const next = this.next;
    for (let j = 0; j < K; j++) {
      let s = 0;
      for (let i = 0; i < K; i++) s += (p[i] as number) * (f.trans[i * K + j] as number);
      const a = s * Math.exp((this.prior[j] as number) - max);
      next[j] = a;
      total += a;
    }
    if (total > 0 && Number.isFinite(total)) for (let j = 0; j < K; j++) p[j] = (next[j] as number) / total;
    this.probabilities.set(p);
    return this.emit(volRatio);
  }
}
