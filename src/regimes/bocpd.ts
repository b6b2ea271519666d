/**
 * Bayesian online change-point detection (Adams & MacKay 2007) on a stream of values with unknown
 * mean and variance: a Normal-Gamma prior per run, Student-t predictive, constant hazard. The
 * run-length distribution is kept over at most `maxRun` lengths (the longest runs merge), so each
 * update is O(maxRun) with no allocation.
 *
 * P(run length = 0) always equals the hazard under a constant hazard, so it cannot signal
 * anything. The signal is the posterior probability that the current segment began after the
 * last reported start (by more than `shortRun` observations); a change point is reported when it
 * reaches `threshold` (default 0.99: on 10,000 stationary Gaussian draws no false alarm), placed
 * at the most probable segment start.
 */
import { studentTLogNormalizer } from '../core/stats.ts';
import { RegimeFeatures } from './features.ts';

export interface BocpdOptions {
  /** Expected observations between changes (hazard = 1 / this). Default 100. */
  expectedRun?: number;
  /** Run lengths kept (the longest merge). Default 400. */
  maxRun?: number;
  /** A new segment must start this many observations after the last reported one. Default 5. */
  shortRun?: number;
  /** Probability of a new segment that reports it. Default 0.99. */
  threshold?: number;
  /** Normal-Gamma prior: mean, pseudo-count, shape, rate (prior variance ≈ rate / shape). */
  prior?: { mu: number; kappa: number; alpha: number; beta: number };
}

export interface ChangePoint {
  /** Observation index (0-based count of updates) at which the change was detected. */
  detectedAt: number;
  /** Estimated first observation of the new segment. */
  start: number;
  /** P(a new segment began since the last reported one) when it fired. */
  probability: number;
}

export class BocpdDetector {
  /** P(run length = r | data so far), r = 0 … maxRun − 1. */
  readonly runProbabilities: Float64Array;
  private readonly mu: Float64Array;
  private readonly kappa: Float64Array;
  private readonly alpha: Float64Array;
  private readonly beta: Float64Array;
  private readonly next: Float64Array;
  /** ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln(νπ) per run length: ν = 2α depends on the run length only. */
  private readonly tConst: Float64Array;
  private readonly hazard: number;
  private readonly maxRun: number;
  private readonly shortRun: number;
  private readonly threshold: number;
  private readonly prior: { mu: number; kappa: number; alpha: number; beta: number };
  private len = 1;
  private n = 0;
  private lastStart = 0;
  /** Most probable run length after the last update. */
  mapRun = 0;
  /** P(a new segment began since the last reported one) after the last update. */
  changeProbability = 0;

  constructor(opts: BocpdOptions = {}) {
    this.hazard = 1 / (opts.expectedRun ?? 100);
    this.maxRun = opts.maxRun ?? 400;
    this.shortRun = opts.shortRun ?? 5;
    this.threshold = opts.threshold ?? 0.99;
    this.prior = opts.prior ?? { mu: 0, kappa: 1, alpha: 1, beta: 1 };
    const m = this.maxRun;
    this.runProbabilities = new Float64Array(m);
    this.mu = new Float64Array(m);
    this.kappa = new Float64Array(m);
    this.alpha = new Float64Array(m);
    this.beta = new Float64Array(m);
    this.next = new Float64Array(m);
    this.tConst = Float64Array.from({ length: m }, (_, r) => {
      return studentTLogNormalizer(2 * (this.prior.alpha + r / 2));
    });
    this.runProbabilities[0] = 1;
    this.setPrior(0);
  }

  private setPrior(r: number): void {
    this.mu[r] = this.prior.mu;
    this.kappa[r] = this.prior.kappa;
    this.alpha[r] = this.prior.alpha;
    this.beta[r] = this.prior.beta;
  }

  /** One observation; returns a change point when one is detected at this observation. */
  update(x: number): ChangePoint | null {
    const p = this.runProbabilities;
    const nx = this.next;
    const h = this.hazard;
    let cp = 0;
    let total = 0;
    // Growth probabilities into next[r + 1]; change mass into next[0].
    for (let r = 0; r < this.len; r++) {
      const a = this.alpha[r] as number;
      const k = this.kappa[r] as number;
      const scale2 = ((this.beta[r] as number) * (k + 1)) / (a * k);
      const nu = 2 * a;
      const d = x - (this.mu[r] as number);
      const logPred = (this.tConst[r] as number) - 0.5 * Math.log(scale2) - ((nu + 1) / 2) * Math.log1p((d * d) / (nu * scale2));
      const w = (p[r] as number) * Math.exp(logPred);
      cp += w * h;
      const grow = w * (1 - h);
      if (r + 1 < this.maxRun) nx[r + 1] = grow;
      else nx[r] = (nx[r] as number) + grow; // the longest run absorbs what would fall off
      total += w;
    }
    nx[0] = cp;
    if (!(total > 0) || !Number.isFinite(total)) {
      // An observation no run can explain (numerically): start afresh.
      nx.fill(0);
      nx[0] = 1;
      total = 1;
      cp = 1;
    }
    // Parameters for run r + 1 come from run r updated with x (walk down so nothing is overwritten;
    // the merged longest slot takes the statistics of the run just below it).
    const newLen = Math.min(this.len + 1, this.maxRun);
    for (let r = newLen - 1; r >= 1; r--) {
      const from = r - 1;
      const k = this.kappa[from] as number;
      const m = this.mu[from] as number;
      const d = x - m;
      this.mu[r] = (k * m + x) / (k + 1);
      this.kappa[r] = k + 1;
      this.alpha[r] = (this.alpha[from] as number) + 0.5;
      this.beta[r] = (this.beta[from] as number) + (k * d * d) / (2 * (k + 1));
    }
    this.setPrior(0);
    this.len = newLen;
    let norm = 0;
    for (let r = 0; r < this.len; r++) norm += nx[r] as number;
    const i = this.n++;
    // P(the current segment began after the last reported start, by more than shortRun).
    const horizon = i - this.lastStart - this.shortRun;
    // The last slot, once full, stands for every run at least that long: never "since".
    const upto = Math.min(horizon, this.len === this.maxRun ? this.maxRun - 1 : this.len);
    let since = 0;
    let best = 0;
    for (let r = 0; r < this.len; r++) {
      const v = (nx[r] as number) / norm;
      p[r] = v;
      if (r < upto) since += v;
      if (v > (p[best] as number)) best = r;
    }
    this.mapRun = best;
    this.changeProbability = since;
    // Run length r after this observation means the segment's first observation was i − r + 1
    // (r = 0: the change falls right after this one).
    const start = i - best + 1;
    if (horizon > 0 && since >= this.threshold && start > this.lastStart) {
      this.lastStart = start;
      return { detectedAt: i, start, probability: since };
    }
    return null;
  }
}

/**
 * Change points of a price series: BOCPD on its returns in units of the long-run volatility
 * (features.ts), so one prior serves any asset and bar size. Indices are bar indices.
 */
export function returnChangePoints(close: ArrayLike<number>, opts: BocpdOptions = {}): ChangePoint[] {
  const features = new RegimeFeatures();
  const detector = new BocpdDetector(opts);
  const bars: number[] = [];
  const out: ChangePoint[] = [];
  for (let i = 0; i < close.length; i++) {
    if (!features.update(close[i] as number)) continue;
    bars.push(i);
    const c = detector.update(features.values[0] as number);
    if (c) out.push({ detectedAt: i, start: bars[Math.max(0, c.start)] as number, probability: c.probability });
  }
  return out;
}
