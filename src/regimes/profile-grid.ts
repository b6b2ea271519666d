/**
 * The profile-grid filter: exact forward filters of six-regime HMMs over a grid of what a series
 * must otherwise learn — the level of its volatility, how far apart its regimes' volatilities are
 * (the spread of the README's log-linear profile) and how long its regimes last — mixed by their
 * marginal likelihoods. Bayes over that grid instead of an EM point estimate: while
 * a series has shown only one or two regimes, the posterior keeps every reading of them alive (a
 * calm regime of a rough series, a rough regime of a calm one) instead of committing to the
 * window's own spread, and it sharpens as regimes arrive. A fourth dimension scales the regimes'
 * drifts (the generic Sharpe ratios below are a daily market's; a minute's trend can be far
 * stronger for its volatility), and a fifth, optional, gives the regimes' returns Gaussian or fat
 * (Student t) tails: real returns have shocks within a regime that Gaussian regimes can only read
 * as a visit to a wilder one.
 *
 * It reads returns and, where the caller has found volume informative, log volumes: each grid
 * point then learns its own volume level per regime (a conjugate normal update weighted by the
 * point's own filtered probabilities), its prior on the caller's line of log volume on log
 * volatility read at the point's own volatilities. When the caller's line changes (a new
 * calibration), each prior moves onto it and what the point has learned stays: the line first read
 * may come from a window that has shown two regimes. A point whose reading of the regimes is right
 * learns levels that predict the volume, a wrong one does not, and the marginal likelihood tells
 * them apart: the volume model is not one calibration's labelling of the series, which early in a
 * series is often shifted by a regime.
 *
 * Each point also learns its own volatility per regime the same way (a gamma posterior on the
 * precision's ratio to the profile's, worth `volatilityPrior` bars at the profile to begin with):
 * the profile's one shape places a series' regimes only roughly (an FX rate's are concave on it).
 *
 * Scale-free: the level grid is placed around the robust volatility of the first `anchorBars`
 * returns, so multiplying every return by a constant moves the anchor with it and changes no
 * probability. Cost per bar: the return's emissions of each (level, spread, drift), shared by
 * every duration, and per grid point still in play an O(6) transition step (the transitions'
 * structure: stay, or leave uniformly to the regimes allowed) and, with volume, its own volume
 * densities and level update. A point starts from its chain's long-run distribution.
 */

import { longRunDistribution } from '../core/markov.ts';
import { REGIMES, type Regime } from '../core/regime.ts';
import { studentTLogNormalizer } from '../core/stats.ts';

const K = REGIMES.length;
const I = Object.fromEntries(REGIMES.map((r, i) => [r, i])) as Record<Regime, number>;

/** The README's template volatility ratios (also the adaptive classifier's EM starts): their logs, from 0 (calmest) to 1 (wildest), place each regime on the profile. */
export const SD_TEMPLATE: Readonly<Record<Regime, number>> = {
  sideways: 0.6,
  bull: 0.85,
  bear: 1.2,
  recovery: 1.6,
  high_volatility: 2.5,
  crash: 3.5,
};
const SHAPE = Float64Array.from(
  REGIMES,
  (r) => Math.log(SD_TEMPLATE[r] / SD_TEMPLATE.sideways) / Math.log(SD_TEMPLATE.crash / SD_TEMPLATE.sideways),
);
/**
 * Drift per regime as a Sharpe ratio per day (mean over sd of a day's return); per bar it scales
 * with √(bar length in days). Generic signs and sizes from the definitions: bull and recovery
 * rise, bear and crash fall, the rest have none.
 */
const SHARPE_PER_DAY: Record<Regime, number> = { bull: 0.1, bear: -0.1, sideways: 0, high_volatility: 0, crash: -0.3, recovery: 0.2 };
/**
 * Expected stay per regime as a share of the calm regimes' (sideways, bull, bear). Recovery and
 * high volatility are brief (a tenth); a crash is the briefest (a twentieth: the definitions say
 * at most ¼ of a bear market's). A crash as long as a high-volatility spell made the grid read
 * the longer rough stretches as crashes (README, Regimes, 2026-12-05).
 */
const STAY_SHARE = Float64Array.from(REGIMES, (r) => (r === 'crash' ? 0.05 : r === 'recovery' || r === 'high_volatility' ? 0.1 : 1));
/** A crash's chance of ending in recovery (the definitions: recovery is the rebound after a fall); the rest of its leaving mass goes uniformly to the others. */
const CRASH_TO_RECOVERY = 0.5;

/** Returns whose robust volatility places the level grid, by default (the filter answers from the last of them on). */
export const GRID_ANCHOR_BARS = 50;

export interface ProfileGridOptions {
  /** Returns whose robust volatility places the level grid (default 50). */
  anchorBars?: number;
  /** Log volatility of the calmest regime relative to the anchor: from, to, step (default −3.2 … 1.0 by 0.1). */
  levels?: readonly [number, number, number];
  /** Wildest over calmest volatility (default 2.5 … 14). */
  spreads?: readonly number[];
  /** Expected stay of the calm regimes, in bars (default 10 … 2,560, doubling; recovery's and high volatility's a tenth, a crash's a twentieth). */
  stays?: readonly number[];
  /** Bar length in days (drift per bar scales with its square root; default 1). */
  barDays?: number;
  /** Multipliers of the generic drifts (default 1, 4, 16). */
  drifts?: readonly number[];
  /**
   * Tails of each regime's returns: the degrees of freedom of a Student t with the regime's
   * volatility as its standard deviation, Infinity for Gaussian (default: Gaussian alone). Real
   * returns are fat-tailed within a regime (a single day's shock in a calm market), which Gaussian
   * regimes can only explain as a visit to a wilder one; with [Infinity, 5] both readings are grid
   * points, weighed by evidence like the rest. Not the default: at twice the points it nearly
   * doubles the cost of a series' first few thousand bars, and on real history it helped some
   * episodes and hurt others (README, Regimes).
   */
  tails?: readonly number[];
  /** Prior sd of a grid point's volume level per regime around the caller's latest line, in log volume (default 0.1). */
  volumeLevelSd?: number;
  /**
   * Weight, in bars, of each grid point's prior that its regimes' volatilities sit on the profile
   * (default 100). Each point learns a volatility per regime from the returns in proportion to its
   * own belief in the regime (a gamma posterior on the precision's ratio to the profile's), so a
   * series whose regimes lie off the one log-linear shape is still read in its own terms.
   * Infinity: the volatilities stay on the profile.
   */
  volatilityPrior?: number;
  /**
   * Discount of the grid points' log likelihoods per bar (default 1: none, exact Bayes). Below 1,
   * the evidence of the last 1/(1 − forget) bars decides, for a series whose character changes
   * (1 − 1/5000 cost 0.2 points on the family's development seeds and did not help the NYSE).
   */
  forget?: number;
  /**
   * A grid point whose log likelihood falls this many nats behind the best is dropped for good
   * (default 100: its weight is below e^−100, and the mixture already leaves out weights below
   * e^−27.6). Once a series has shown a few regimes most points are that far behind (0.3–5.5 % of
   * them remain at the end of the held-out family's 4,000–8,000-bar series, seeds 1001–1002), so
   * the filter's cost and its saved state shrink with them. Infinity keeps every point (exact Bayes
   * over the grid; with `forget` below 1 a point can come back from further behind).
   */
  prune?: number;
}

/**
 * What a restarted process needs to go on exactly where a filter left off (JSON-safe: a grid
 * point ruled out, log likelihood −∞, is null).
 */
export interface ProfileGridState {
  barDays: number;
  /** The drift multipliers of the grid (absent: 1 alone, as written before they were a dimension). */
  drifts?: number[];
  /** The tails of the grid, degrees of freedom, null for Gaussian (absent: Gaussian alone, as written before they were a dimension). */
  tails?: (number | null)[];
  scale: number;
  /** The grid points still in play, by index (absent: every point, in order, as written before pruning). */
  points?: number[];
  /** Per point listed, the filtered distribution (6 numbers each). */
  p: number[];
  /** Per point listed, its log marginal likelihood (null: ruled out). */
  logLik: (number | null)[];
  /**
   * Once volume has been read: per point listed, its volume level per regime and that level's
   * precision (6 numbers each), and the line their priors lie on (absent: written before the
   * priors followed the line; the next line read is taken as theirs).
   */
  volume?: { mean: number[]; precision: number[]; line?: { alpha: number; beta: number } };
  /**
   * Per point listed, the gamma posterior of each regime's precision over the profile's (6 shapes,
   * 6 rates); absent: volatilities on the profile (as written before they were learned).
   */
  volatility?: { shape: number[]; rate: number[] };
}

/**
 * Log volume against log volatility, as the caller has fitted it: level α + β · log sd (sd of a
 * bar's return, in the returns' own units), residual variance `variance`.
 */
export interface VolumeLine {
  alpha: number;
  beta: number;
  variance: number;
}

export class ProfileGridFilter {
  /** Probability per regime (REGIMES order), filtered: returns up to this one. */
  readonly probabilities = new Float64Array(K).fill(1 / K);
  private readonly opts: Required<ProfileGridOptions>;
  private readonly buffer: number[] = [];
  private scale = Number.NaN;
  /** Per (level, spread, drift, tail) and regime: mean, 1/sd and log sd of the return in units of the anchor; the bar's emission densities. */
  private readonly mu: Float64Array;
  private readonly invSd: Float64Array;
  private readonly logSd: Float64Array;
  private readonly emit: Float64Array;
  private readonly emitMax: Float64Array;
  /** Per duration and regime: the stay probability, and the leaving mass per allowed destination. */
  private readonly stay: Float64Array;
  private readonly leave: Float64Array;
  private readonly leaveRec: Float64Array;
  /** Per grid point (level, spread, drift, duration): filtered distribution and discounted log marginal likelihood. */
  private readonly p: Float64Array;
  private readonly logLik: Float64Array;
  /** Per grid point and regime, once volume has been read: its volume level and that level's precision. */
  private vMean: Float64Array | null = null;
  private vPrec: Float64Array | null = null;
  /** The line the volume levels' priors lie on (NaN: none yet). */
  private lineAlpha = Number.NaN;
  private lineBeta = Number.NaN;
  private readonly next = new Float64Array(K);
  private readonly fcCur = new Float64Array(K);
  /** Per duration, the grid points' distributions weighted as in the last mixture, and their total weight (what `forecast` carries forward). */
  private readonly fcByStay: Float64Array;
  private mixWeight = 1;
  private readonly fcNext = new Float64Array(K);
  private readonly pointEmit = new Float64Array(K);
  /** Per (level, spread, drift, tail) and regime: this bar's squared standardized return on the profile. */
  private readonly dev2: Float64Array;
  /**
   * Per (level, spread, drift, tail): the t's degrees of freedom ν (Infinity: Gaussian), its log
   * density's constant over the Gaussian's, and 1 / (ν − 2) (a t whose sd is the regime's has
   * scale² = sd² (ν − 2) / ν, so its log density is that constant − log sd − (ν + 1)/2 · log(1 + d² / (ν − 2)),
   * d the return's deviation in sd).
   */
  private readonly nu: Float64Array;
  private readonly tailConst: Float64Array;
  private readonly tailInv: Float64Array;
  /** Per grid point and regime, when volatilities are learned: gamma shape and rate of the precision's ratio to the profile's. */
  private tauA: Float64Array | null = null;
  private tauB: Float64Array | null = null;
  /** (level, spread, drift, tail) tuples ("triples", as they were before the tails); each has `nStay` grid points. */
  private readonly triples: number;
  private readonly nStay: number;
  /** The grid points in play (the first `live` entries), and how many of each triple's are. */
  private readonly alive: Int32Array;
  private live: number;
  private readonly tripleLive: Int32Array;

  constructor(options: ProfileGridOptions = {}) {
    this.opts = {
      anchorBars: GRID_ANCHOR_BARS,
      levels: [-3.2, 1.0, 0.1],
      spreads: [2.5, 3.5, 5, 7, 10, 14],
      stays: [10, 20, 40, 80, 160, 320, 640, 1280, 2560],
      barDays: 1,
      drifts: [1, 4, 16],
      tails: [Number.POSITIVE_INFINITY],
      volumeLevelSd: 0.1,
      volatilityPrior: 100,
      forget: 1,
      prune: 100,
      ...options,
    };
    const [from, to, step] = this.opts.levels;
    const nLevel = Math.round((to - from) / step) + 1;
    const { spreads, drifts, tails } = this.opts;
    if (tails.length === 0 || !tails.every((v) => v > 2))
      throw new RangeError(`tails must be degrees of freedom above 2 (Infinity: Gaussian), not ${tails.join(', ')}`);
    const nDrift = drifts.length;
    const nTail = tails.length;
    this.triples = nLevel * spreads.length * nDrift * nTail;
    this.nStay = this.opts.stays.length;
    this.mu = new Float64Array(this.triples * K);
    this.invSd = new Float64Array(this.triples * K);
    this.logSd = new Float64Array(this.triples * K);
    this.emit = new Float64Array(this.triples * K);
    this.emitMax = new Float64Array(this.triples);
    this.dev2 = new Float64Array(this.triples * K);
    this.nu = new Float64Array(this.triples);
    this.tailConst = new Float64Array(this.triples);
    this.tailInv = new Float64Array(this.triples);
    const sqrtDays = Math.sqrt(this.opts.barDays);
    for (let a = 0; a < nLevel; a++)
      for (let b = 0; b < spreads.length; b++)
        for (let c = 0; c < nDrift; c++)
          for (let u = 0; u < nTail; u++) {
            const ls = ((a * spreads.length + b) * nDrift + c) * nTail + u;
            const v = tails[u] as number;
            this.nu[ls] = v;
            if (Number.isFinite(v)) {
              // Over the Gaussian's (whose −½ log 2π the grid leaves out), at scale √((ν − 2) / ν).
              this.tailConst[ls] = studentTLogNormalizer(v) + 0.5 * Math.log((2 * Math.PI * v) / (v - 2));
              this.tailInv[ls] = 1 / (v - 2);
            }
            const o = ls * K;
            for (let j = 0; j < K; j++) {
              const lsd = from + a * step + Math.log(spreads[b] as number) * (SHAPE[j] as number);
              this.logSd[o + j] = lsd;
              this.invSd[o + j] = Math.exp(-lsd);
              this.mu[o + j] = SHARPE_PER_DAY[REGIMES[j] as Regime] * (drifts[c] as number) * sqrtDays * Math.exp(lsd);
            }
          }
    this.stay = new Float64Array(this.nStay * K);
    this.leave = new Float64Array(this.nStay * K);
    this.leaveRec = new Float64Array(this.nStay * K);
    this.opts.stays.forEach((D, d) => {
      for (let i = 0; i < K; i++) {
        const s = 1 - 1 / Math.max(2, D * (STAY_SHARE[i] as number));
        this.stay[d * K + i] = s;
        // Leaving uniformly to the regimes allowed (every other, but recovery only from crash or
        // high volatility), except that a crash leaves for recovery with CRASH_TO_RECOVERY.
        const fall = i === I.crash || i === I.high_volatility;
        const w = i === I.crash ? CRASH_TO_RECOVERY : i === I.high_volatility ? 1 / (K - 1) : 0;
        this.leave[d * K + i] = fall ? ((1 - s) * (1 - w)) / (K - 2) : (1 - s) / (i === I.recovery ? K - 1 : K - 2);
        this.leaveRec[d * K + i] = (1 - s) * w;
      }
    });
    this.p = new Float64Array(this.triples * this.nStay * K);
    this.fcByStay = new Float64Array(this.nStay * K);
    // A point starts from its chain's long-run distribution: with no history, the calm regimes,
    // which last ten times longer, are the likelier ones.
    for (let d = 0; d < this.nStay; d++) {
      const start = this.longRun(d);
      for (let g = d; g < this.p.length / K; g += this.nStay) this.p.set(start, g * K);
    }
    this.logLik = new Float64Array(this.triples * this.nStay);
    this.alive = Int32Array.from({ length: this.triples * this.nStay }, (_, g) => g);
    this.live = this.alive.length;
    this.tripleLive = new Int32Array(this.triples).fill(this.nStay);
    const a0 = this.opts.volatilityPrior;
    if (a0 > 0 && Number.isFinite(a0)) {
      this.tauA = new Float64Array(this.p.length).fill(a0);
      this.tauB = new Float64Array(this.p.length).fill(a0);
    }
  }

  /** The long-run distribution of duration `d`'s chain (its dense matrix, solved exactly). */
  private longRun(d: number): Float64Array {
    const t = d * K;
    const trans = new Float64Array(K * K);
    for (let i = 0; i < K; i++)
      for (let j = 0; j < K; j++)
        trans[i * K + j] =
          i === j ? (this.stay[t + i] as number) : j === I.recovery ? (this.leaveRec[t + i] as number) : (this.leave[t + i] as number);
    return longRunDistribution(trans, K);
  }

  /** The filter's state once anchored (null before). */
  state(): ProfileGridState | null {
    if (!this.ready) return null;
    const points = Array.from(this.alive.subarray(0, this.live));
    const perPoint = (x: Float64Array): number[] => points.flatMap((g) => Array.from(x.subarray(g * K, g * K + K)));
    const { vMean, vPrec, tauA, tauB } = this;
    return {
      barDays: this.opts.barDays,
      drifts: [...this.opts.drifts],
      tails: this.opts.tails.map((v) => (Number.isFinite(v) ? v : null)),
      scale: this.scale,
      points,
      p: perPoint(this.p),
      logLik: points.map((g) => this.logLik[g] as number),
      ...(vMean && vPrec
        ? {
            volume: {
              mean: perPoint(vMean),
              precision: perPoint(vPrec),
              ...(Number.isFinite(this.lineAlpha) ? { line: { alpha: this.lineAlpha, beta: this.lineBeta } } : {}),
            },
          }
        : {}),
      ...(tauA && tauB ? { volatility: { shape: perPoint(tauA), rate: perPoint(tauB) } } : {}),
    };
  }

  /** A filter that goes on from `state` (made with the same grid options); a state that does not fit the grid is refused. */
  static restore(state: ProfileGridState, options: Omit<ProfileGridOptions, 'barDays' | 'drifts' | 'tails'> = {}): ProfileGridFilter {
    const drifts = state.drifts ?? [1];
    if (drifts.length === 0 || !drifts.every(Number.isFinite))
      throw new RangeError('profile-grid state: drift multipliers not finite numbers');
    const tails = (state.tails ?? [null]).map((v) => v ?? Number.POSITIVE_INFINITY);
    if (tails.length === 0 || !tails.every((v) => v > 2))
      throw new RangeError('profile-grid state: tails not degrees of freedom above 2 (null: Gaussian)');
    // A state without learned volatilities (written before they were) goes on with them on the profile.
    const f = new ProfileGridFilter({
      ...options,
      barDays: state.barDays,
      drifts,
      tails,
      ...(state.volatility ? {} : { volatilityPrior: Number.POSITIVE_INFINITY }),
    });
    const G = f.logLik.length;
    const points = state.points ?? Array.from({ length: G }, (_, g) => g);
    if (state.logLik.length !== points.length || state.p.length !== points.length * K || points.length > G)
      throw new RangeError(`profile-grid state: ${state.logLik.length} grid points, this grid has ${G}`);
    if (!points.every((g, i) => Number.isInteger(g) && g >= 0 && g < G && (i === 0 || g > (points[i - 1] as number))))
      throw new RangeError('profile-grid state: grid point indices not increasing within the grid');
    if (!(state.scale > 0 && Number.isFinite(state.scale))) throw new RangeError(`profile-grid state: scale ${state.scale}`);
    if (!state.p.every((x) => x >= 0 && x <= 1)) throw new RangeError('profile-grid state: a probability outside 0..1');
    const v = state.volume;
    if (v) {
      if (v.mean.length !== state.p.length || v.precision.length !== state.p.length)
        throw new RangeError('profile-grid state: volume levels not 6 per grid point');
      if (!v.mean.every(Number.isFinite) || !v.precision.every((x) => x > 0 && Number.isFinite(x)))
        throw new RangeError('profile-grid state: a volume level not finite or a precision not above 0');
      if (v.line && !(Number.isFinite(v.line.alpha) && Number.isFinite(v.line.beta)))
        throw new RangeError('profile-grid state: volume line not finite');
      f.vMean = new Float64Array(f.p.length);
      f.vPrec = new Float64Array(f.p.length).fill(1);
      if (v.line) {
        f.lineAlpha = v.line.alpha;
        f.lineBeta = v.line.beta;
      }
    }
    const vol = state.volatility;
    if (vol) {
      if (!f.tauA) throw new RangeError('profile-grid state: learned volatilities, but this grid keeps them on the profile');
      if (vol.shape.length !== state.p.length || vol.rate.length !== state.p.length)
        throw new RangeError('profile-grid state: volatilities not 6 per grid point');
      if (!vol.shape.every((x) => x > 0 && Number.isFinite(x)) || !vol.rate.every((x) => x > 0 && Number.isFinite(x)))
        throw new RangeError('profile-grid state: a volatility shape or rate not finite and above 0');
    }
    f.logLik.fill(Number.NEGATIVE_INFINITY);
    points.forEach((g, i) => {
      f.p.set(state.p.slice(i * K, i * K + K), g * K);
      f.logLik[g] = state.logLik[i] ?? Number.NEGATIVE_INFINITY;
      if (v) {
        f.vMean?.set(v.mean.slice(i * K, i * K + K), g * K);
        f.vPrec?.set(v.precision.slice(i * K, i * K + K), g * K);
      }
      if (vol) {
        f.tauA?.set(vol.shape.slice(i * K, i * K + K), g * K);
        f.tauB?.set(vol.rate.slice(i * K, i * K + K), g * K);
      }
    });
    f.scale = state.scale;
    let best = Number.NEGATIVE_INFINITY;
    for (const x of f.logLik) if (x > best) best = x;
    if (best === Number.NEGATIVE_INFINITY) throw new RangeError('profile-grid state: every grid point ruled out');
    f.keep(best);
    f.mixed(best);
    return f;
  }

  /** True once the anchor is placed (before: equal probabilities). */
  get ready(): boolean {
    return this.scale > 0;
  }

  /**
   * One log return (gap- and season-adjusted by the caller) and, where volume is informative, the
   * bar's log volume with the caller's current line of log volume on log volatility. The first
   * volume read places every grid point's levels on that line at the point's own volatilities;
   * from then on each point learns its own, and the line gives only the residual variance.
   */
  update(r: number, logVolume = Number.NaN, line?: VolumeLine): Float64Array {
    // A return that is not a number says nothing about the regime (the caller's bad price): skipped.
    if (!Number.isFinite(r)) return this.probabilities;
    if (this.ready) {
      const withVolume = line !== undefined && Number.isFinite(logVolume) && line.variance > 0;
      if (withVolume && !this.vMean) this.placeVolume(line);
      else if (withVolume && (line.alpha !== this.lineAlpha || line.beta !== this.lineBeta)) this.followLine(line);
      this.step(r / this.scale, withVolume ? logVolume : Number.NaN, line?.variance ?? 1);
      return this.probabilities;
    }
    this.buffer.push(r);
    if (this.buffer.length < this.opts.anchorBars) return this.probabilities;
    const abs = this.buffer.map(Math.abs).sort((x, y) => x - y);
    const med = abs[abs.length >> 1] as number;
    const rms = Math.sqrt(this.buffer.reduce((s, x) => s + x * x, 0) / this.buffer.length);
    // A series that has not moved at all yet: equal probabilities until it does.
    const scale = med > 0 ? med / 0.6745 : rms;
    if (!(scale > 0)) {
      this.buffer.length = 0;
      return this.probabilities;
    }
    this.scale = scale;
    for (const x of this.buffer) this.step(x / scale, Number.NaN, 1);
    this.buffer.length = 0;
    return this.probabilities;
  }

  /** Every grid point's volume level per regime on `line` at the point's own volatilities, with the prior precision. */
  private placeVolume(line: VolumeLine): void {
    const vMean = new Float64Array(this.p.length);
    const logScale = Math.log(this.scale);
    for (let g = 0; g < this.logLik.length; g++) {
      const o = ((g / this.nStay) | 0) * K;
      for (let j = 0; j < K; j++) vMean[g * K + j] = line.alpha + line.beta * (logScale + (this.logSd[o + j] as number));
    }
    this.vMean = vMean;
    this.vPrec = new Float64Array(this.p.length).fill(1 / this.opts.volumeLevelSd ** 2);
    this.lineAlpha = line.alpha;
    this.lineBeta = line.beta;
  }

  /**
   * Moves every level's prior onto `line`, keeping what the point has learned: the posterior mean
   * is (p0 · prior + the data's weighted sum) / precision, so it moves by p0 / precision times the
   * prior's move (p0 the prior precision), and the precision stays.
   */
  private followLine(line: VolumeLine): void {
    const { vMean, vPrec, alive, logSd } = this;
    if (!vMean || !vPrec) return;
    if (Number.isFinite(this.lineAlpha)) {
      const p0 = 1 / this.opts.volumeLevelSd ** 2;
      const logScale = Math.log(this.scale);
      const dAlpha = line.alpha - this.lineAlpha;
      const dBeta = line.beta - this.lineBeta;
      for (let a = 0; a < this.live; a++) {
        const g = alive[a] as number;
        const o = ((g / this.nStay) | 0) * K;
        for (let j = 0; j < K; j++) {
          const move = dAlpha + dBeta * (logScale + (logSd[o + j] as number));
          vMean[g * K + j] = (vMean[g * K + j] as number) + (p0 / (vPrec[g * K + j] as number)) * move;
        }
      }
    }
    this.lineAlpha = line.alpha;
    this.lineBeta = line.beta;
  }

  private step(x: number, lv: number, tau2: number): void {
    const { mu, invSd, logSd, emit, emitMax, p, logLik, nu, tailConst, tailInv } = this;
    const { alive, tripleLive, pointEmit, dev2, tauA, tauB } = this;
    const withVolume = !Number.isNaN(lv);
    const { vMean, vPrec } = this;
    for (let ls = 0; ls < this.triples; ls++) {
      if (tripleLive[ls] === 0) continue;
      const o = ls * K;
      for (let j = 0; j < K; j++) {
        const d = (x - (mu[o + j] as number)) * (invSd[o + j] as number);
        dev2[o + j] = d * d;
      }
      // With learned volatilities each point computes its own densities from `dev2`.
      if (tauA) continue;
      const gauss = nu[ls] === Number.POSITIVE_INFINITY;
      const c0 = tailConst[ls] as number;
      const half = 0.5 * ((nu[ls] as number) + 1);
      const inv = tailInv[ls] as number;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < K; j++) {
        const d2 = dev2[o + j] as number;
        const l = (gauss ? -0.5 * d2 : c0 - half * Math.log1p(d2 * inv)) - (logSd[o + j] as number);
        emit[o + j] = l;
        if (l > max) max = l;
      }
      emitMax[ls] = max;
      for (let j = 0; j < K; j++) emit[o + j] = Math.exp((emit[o + j] as number) - max);
    }
    const forget = this.opts.forget;
    let best = Number.NEGATIVE_INFINITY;
    for (let a = 0; a < this.live; a++) {
      const g = alive[a] as number;
      const ls = (g / this.nStay) | 0;
      const d = g - ls * this.nStay;
      const o = g * K;
      const t = d * K;
      const e = ls * K;
      let em = emit;
      let emMax = emitMax[ls] as number;
      const gauss = nu[ls] === Number.POSITIVE_INFINITY;
      const inv = tailInv[ls] as number;
      if (tauA && tauB) {
        // The return's density with this point's own volatility per regime: the profile's sd
        // over √(posterior mean of the precision ratio).
        const c0 = tailConst[ls] as number;
        const half = 0.5 * ((nu[ls] as number) + 1);
        let mx = Number.NEGATIVE_INFINITY;
        // The Gaussian and the t in separate loops: the default (Gaussian) pays no branch per regime.
        if (gauss)
          for (let j = 0; j < K; j++) {
            const ratio = (tauA[o + j] as number) / (tauB[o + j] as number);
            const l = -0.5 * (dev2[e + j] as number) * ratio + 0.5 * Math.log(ratio) - (logSd[e + j] as number);
            pointEmit[j] = l;
            if (l > mx) mx = l;
          }
        else
          for (let j = 0; j < K; j++) {
            const ratio = (tauA[o + j] as number) / (tauB[o + j] as number);
            const l = c0 - half * Math.log1p((dev2[e + j] as number) * ratio * inv) + 0.5 * Math.log(ratio) - (logSd[e + j] as number);
            pointEmit[j] = l;
            if (l > mx) mx = l;
          }
        for (let j = 0; j < K; j++) pointEmit[j] = Math.exp((pointEmit[j] as number) - mx);
        emMax = mx;
        em = pointEmit;
      }
      if (withVolume && vMean && vPrec) {
        // The return's density (relative to the triple's best) times the predictive density of
        // this point's volume level per regime. A volume more than 10 sd from every level (a bad
        // print) is as far from all of them, not a reason to rule every point out.
        for (let j = 0; j < K; j++) {
          const v = tau2 + 1 / (vPrec[o + j] as number);
          const dv = lv - (vMean[o + j] as number);
          pointEmit[j] =
            (em === pointEmit ? (pointEmit[j] as number) : (emit[e + j] as number)) *
            (Math.exp(-0.5 * Math.min((dv * dv) / v, 100)) / Math.sqrt(v));
        }
        em = pointEmit;
      }
      const eo = em === pointEmit ? 0 : e;
      const next = this.next;
      this.transit(p, o, t, next);
      let total = 0;
      for (let j = 0; j < K; j++) {
        const v = (next[j] as number) * (em[eo + j] as number);
        next[j] = v;
        total += v;
      }
      if (!(total > 0)) {
        // Nothing at this grid point explains the bar (every density underflowed): it is out.
        logLik[g] = Number.NEGATIVE_INFINITY;
        continue;
      }
      for (let j = 0; j < K; j++) p[o + j] = (this.next[j] as number) / total;
      if (withVolume && vMean && vPrec)
        // Each regime's level learns from the bar in proportion to this point's belief in it.
        for (let j = 0; j < K; j++) {
          const w = (p[o + j] as number) / tau2;
          const prec = (vPrec[o + j] as number) + w;
          vPrec[o + j] = prec;
          vMean[o + j] = (vMean[o + j] as number) + (w * (lv - (vMean[o + j] as number))) / prec;
        }
      if (tauA && tauB)
        // Each regime's volatility learns from the bar in proportion to this point's belief in it.
        // A t is a Gaussian whose precision is scaled by a latent gamma draw: its expectation given
        // the bar, (ν + 1) / (ν − 2 + d²) in the sd's units, weighs the bar's squared deviation, so
        // one wild bar in a fat-tailed regime moves its volatility less (1 for the Gaussian).
        for (let j = 0; j < K; j++) {
          const w = p[o + j] as number;
          const d2 = dev2[e + j] as number;
          const a = tauA[o + j] as number;
          const b = tauB[o + j] as number;
          tauA[o + j] = a + 0.5 * w;
          tauB[o + j] = gauss ? b + 0.5 * w * d2 : b + 0.5 * w * ((((nu[ls] as number) + 1) * inv) / (1 + d2 * (a / b) * inv)) * d2;
        }
      const ll = forget * (logLik[g] as number) + emMax + Math.log(total);
      logLik[g] = ll;
      if (ll > best) best = ll;
    }
    this.keep(best);
    this.mixed(best);
  }

  /**
   * One bar of duration `t / K`'s chain: `dst` = the distribution `src[o..o+6]` one bar on. Into j:
   * what stays, and the mass leaving every other regime (each leaves uniformly to the regimes it
   * may enter), but into recovery only from crash and high volatility.
   */
  private transit(src: Float64Array, o: number, t: number, dst: Float64Array): void {
    const { stay, leave, leaveRec } = this;
    let out = 0;
    for (let i = 0; i < K; i++) out += (src[o + i] as number) * (leave[t + i] as number);
    const intoRec =
      (src[o + I.crash] as number) * (leaveRec[t + I.crash] as number) +
      (src[o + I.high_volatility] as number) * (leaveRec[t + I.high_volatility] as number);
    for (let j = 0; j < K; j++) {
      const pj = src[o + j] as number;
      dst[j] = pj * (stay[t + j] as number) + (j === I.recovery ? intoRec : out - pj * (leave[t + j] as number));
    }
  }

  /**
   * Probability of each regime `h` bars ahead (REGIMES order): each grid point's filtered
   * distribution carried `h` bars through its own chain, mixed by the points' marginal likelihoods
   * as the probabilities are (the grid's Bayes predictive: what a point expects of its regimes'
   * stays is weighed by how well it has explained the series). A point's chain depends only on its
   * duration, so the mixture sums the weighted distributions per duration (`mixed`, once a bar) and
   * only those (9 by default) are carried forward here: O(6 h) per duration, nothing per point.
   * Before the anchor: the probabilities as they are.
   */
  forecast(h: number, out: Float64Array = new Float64Array(K)): Float64Array {
    if (!this.ready || !(h >= 1)) {
      out.set(this.probabilities);
      return out;
    }
    // The probabilities' mixture left the weighted distributions summed per duration.
    const byStay = this.fcByStay;
    const w = this.mixWeight;
    out.fill(0);
    const cur = this.fcCur;
    const nxt = this.fcNext;
    for (let d = 0; d < this.nStay; d++) {
      this.transit(byStay, d * K, d * K, cur);
      for (let s = 1; s < h; s++) {
        this.transit(cur, 0, d * K, nxt);
        cur.set(nxt);
      }
      for (let j = 0; j < K; j++) out[j] = (out[j] as number) + (cur[j] as number) / w;
    }
    return out;
  }

  /** Drops for good the points `prune` nats or more behind the best (and those ruled out). */
  private keep(best: number): void {
    const { alive, tripleLive, logLik } = this;
    const floor = best - this.opts.prune;
    let n = 0;
    for (let a = 0; a < this.live; a++) {
      const g = alive[a] as number;
      if ((logLik[g] as number) > floor) alive[n++] = g;
      else {
        logLik[g] = Number.NEGATIVE_INFINITY;
        const ls = (g / this.nStay) | 0;
        tripleLive[ls] = (tripleLive[ls] as number) - 1;
      }
    }
    this.live = n;
  }

  /**
   * The probabilities: every grid point's distribution weighted by its marginal likelihood relative
   * to the best (`best` its log likelihood). Summed per duration first (kept, with the total
   * weight, for `forecast`), then over durations. Weights below e^−27.6 ≈ 1e-12 are left out (and
   * their exp not taken).
   */
  private mixed(best: number): void {
    const { p, logLik, alive, nStay } = this;
    const byStay = this.fcByStay;
    byStay.fill(0);
    let w = 0;
    for (let a = 0; a < this.live; a++) {
      const g = alive[a] as number;
      const d = (logLik[g] as number) - best;
      if (!(d > -27.6)) continue;
      const wg = Math.exp(d);
      w += wg;
      const o = g * K;
      const t = (g % nStay) * K;
      for (let j = 0; j < K; j++) byStay[t + j] = (byStay[t + j] as number) + wg * (p[o + j] as number);
    }
    this.mixWeight = w;
    const post = this.probabilities;
    post.fill(0);
    for (let t = 0; t < byStay.length; t += K) for (let j = 0; j < K; j++) post[j] = (post[j] as number) + (byStay[t + j] as number);
    for (let j = 0; j < K; j++) post[j] = (post[j] as number) / w;
  }
}
