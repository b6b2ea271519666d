/**
 * Walk-forward probability calibration of signals, purged and embargoed: the confidence of a
 * signal at bar t is fitted only on earlier signals whose outcome was known, with `embargo` more
 * bars between the end of their horizon and t (their horizon never overlaps the bar being
 * predicted, and serial correlation right after it does not leak in). Two calibrators:
 *
 * - `platt`: a logistic model of the hit on the signal's strength and side (buy/sell), ridge-
 *   penalized towards the base rate, refitted by Newton's method as outcomes arrive. The side term
 *   matters: an index that drifts up makes buys right more often than sells.
 * - `isotonic`: pool-adjacent-violators on strength (a monotone step function, no shape assumed
 *   beyond "stronger is no worse"; it ignores the side), shrunk towards the base rate.
 *
 * Both speak only as far as the evidence supports: the base rate has a Beta(5, 5) prior (a
 * direction call is right about half the time until shown otherwise), and the Platt slopes are
 * believed only by the posterior probability that they explain the outcomes better than the base
 * rate (Bayesian model averaging, BIC), so with no information the confidence collapses onto the
 * base rate. Before `minTrain` outcomes are eligible, the confidence is that base rate. `MixtureCalibrator` (the engine's default) mixes calibrators of
 * different memories by their own purged out-of-sample record. Pure: no I/O.
 */
import type { Side } from './engine.ts';

export type CalibrationMethod = 'platt' | 'isotonic';
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['platt', 'isotonic'];

export interface CalibratorOptions {
  method?: CalibrationMethod;
  /** Bars a signal is judged over. */
  horizon: number;
  /** Extra bars between the end of a training signal's horizon and the bar predicted (default: the horizon). */
  embargo?: number;
  /** Eligible outcomes needed before the model is used (default 30). */
  minTrain?: number;
  /** Ridge weight of the Platt slopes, or pseudo-count of an isotonic step (defaults below). */
  shrink?: number;
  /** Weight of an outcome halves every `halfLife` newer outcomes (default Infinity: all count alike). */
  halfLife?: number;
}

/**
 * Prior of the base rate, in pseudo-hits and pseudo-misses: Beta(5, 5), about 0.5 ± 0.15. A
 * walk-forward base rate from a handful of outcomes (the Beta(1, 1) of before) states 0.25 or 0.75
 * after four signals, and those early swings spread a short stream's confidences over several
 * bins: on streams of 150 signals with a known, constant hit rate between 0.40 and 0.65 (no
 * information in strength or side) its ECE was 0.057–0.066 against a floor of 0.051–0.053.
 * Beta(5, 5) lowers the ECE at every one of those hit rates (0.047–0.056, floor 0.046–0.048);
 * Beta(10, 10) helped more near 0.5 but made a 0.65 stream worse than no prior, so 5 was chosen on
 * those synthetic streams. (The simulator's dev seeds, whose true hit rates are all 0.5, favour
 * ever stronger priors: a property of the simulator, not of markets, so not followed.)
 */
export const BASE_PRIOR = 5;

/**
 * Shrinkage, tuned on simulator seeds 11–20 only (never on the real series or the reported seed).
 * Platt: ridge weight of the slopes, in pseudo-observations (strength lies in [0, 1], so a unit
 * slope moves the log-odds by at most ½). Before the evidence gate (fitPlatt), weak shrinkage
 * (ridge 5) fitted noise (mean ECE 0.064 against a sampling floor of 0.047 there) and ridge 200
 * was used (0.047 against 0.041); with the gate deciding whether the slopes count at all, the
 * ridge only keeps a fitted slope modest, and 50 is used: on seeds 11–20 it is alike to 200 and 20
 * (mean ECE 0.039 against a floor of 0.038), while on known-probability streams with information
 * it earns 0.6–0.8 of the oracle's Brier skill where 200 earned 0.3–0.5. Isotonic (not gated):
 * the evidence (in signals) at which half the fitted curve's departure from the base rate is
 * believed, and the pseudo-count of one step; (300, 20) gave 0.050 against 0.042. Tests check the
 * other side: where strength does carry information, both still earn at least half the oracle's
 * Brier skill.
 */
const RIDGE = 50;
const ISO_PSEUDO = 300;
const ISO_STEP = 20;

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * Eligible outcomes a calibrator keeps for its fits: the last 10,000 to 20,000, so that a service
 * running for years holds a bounded amount (the most any real series in ../shared/data gives one
 * strategy is 4,928, so no evaluation figure depends on it). With a finite memory an outcome
 * 10,000 signals old weighs 2^-33 at most (half-lives of 300 and 100).
 */
const KEEP_OUTCOMES = 10_000;

/**
 * The outcomes a calibrator fits on, oldest kept first, in columns rather than an object each (a
 * live service keeps up to 20,000 per strategy and instrument), with the purge and embargo that
 * make them usable. A mixture's members share one: they see the same outcomes at the same bars.
 */
class OutcomeLog {
  private index = new Float64Array(256);
  private strength = new Float64Array(256);
  private side = new Int8Array(256);
  private hit = new Uint8Array(256);
  /** Kept outcomes sit in slots [start, end). */
  private start = 0;
  private end = 0;
  /** Outcomes usable so far (of all ever added), the hits among them, and how many of those were let go. */
  eligible = 0;
  hits = 0;
  dropped = 0;

  constructor(
    private readonly horizon: number,
    private readonly embargo: number,
  ) {}

  /** Outcomes kept, usable or not yet. */
  get kept(): number {
    return this.end - this.start;
  }

  /** Usable outcomes still kept: `x(k)`, `sideOf(k)` and `hitOf(k)` read the k-th, 0 the oldest. */
  get usable(): number {
    return this.eligible - this.dropped;
  }

  x(k: number): number {
    return this.strength[this.start + k] as number;
  }

  sideOf(k: number): number {
    return this.side[this.start + k] as number;
  }

  hitOf(k: number): number {
    return this.hit[this.start + k] as number;
  }

  add(index: number, side: Side, strength: number, hit: boolean): void {
    if (this.end === this.index.length) this.makeRoom();
    const i = this.end++;
    this.index[i] = index;
    this.strength[i] = strength;
    this.side[i] = side === 'buy' ? 1 : -1;
    this.hit[i] = hit ? 1 : 0;
  }

  /** Purge and embargo: an outcome is usable at bar t when index + horizon + embargo ≤ t. */
  advance(t: number): void {
    const limit = t - this.horizon - this.embargo;
    while (this.start + this.usable < this.end && (this.index[this.start + this.usable] as number) <= limit) {
      this.hits += this.hit[this.start + this.usable] as number;
      this.eligible++;
    }
    if (this.usable > 2 * KEEP_OUTCOMES) {
      const drop = this.usable - KEEP_OUTCOMES;
      this.start += drop;
      this.dropped += drop;
    }
  }

  /** Moves the kept outcomes to the front, into columns twice as long when they fill more than half. */
  private makeRoom(): void {
    const kept = this.end - this.start;
    const size = kept > this.index.length / 2 ? 2 * this.index.length : this.index.length;
    const move = <A extends Float64Array | Int8Array | Uint8Array>(a: A, fresh: A): A => {
      fresh.set(a.subarray(this.start, this.end));
      return fresh;
    };
    this.index = move(this.index, new Float64Array(size));
    this.strength = move(this.strength, new Float64Array(size));
    this.side = move(this.side, new Int8Array(size));
    this.hit = move(this.hit, new Uint8Array(size));
    this.start = 0;
    this.end = kept;
  }
}

export class WalkForwardCalibrator {
  private readonly log: OutcomeLog;
  private fittedOn = -1;
  private w: [number, number, number] = [0, 0, 0];
  private iso: { x: number; p: number }[] = [];
  /** Posterior weight of the slopes against the base rate alone, and the base rate (BASE_PRIOR). */
  private gate = { slopes: 0, base: 0.5 };
  readonly method: CalibrationMethod;
  private readonly minTrain: number;
  private readonly shrink: number;
  private readonly decay: number;

  /** `log`: outcomes shared with other calibrators (a mixture's members), added to it by its owner. */
  constructor(opts: CalibratorOptions, log?: OutcomeLog) {
    this.method = opts.method ?? 'platt';
    this.log = log ?? new OutcomeLog(opts.horizon, opts.embargo ?? opts.horizon);
    this.minTrain = opts.minTrain ?? 30;
    this.decay = opts.halfLife === undefined || !Number.isFinite(opts.halfLife) ? 1 : 0.5 ** (1 / opts.halfLife);
    this.shrink = opts.shrink ?? (this.method === 'platt' ? RIDGE : ISO_PSEUDO);
  }

  /** Outcomes held for the fits (shared with the other members of a mixture). */
  get keptOutcomes(): number {
    return this.log.kept;
  }

  /** A signal's outcome, once its horizon has passed (signals must arrive in index order). */
  add(index: number, side: Side, strength: number, hit: boolean): void {
    this.log.add(index, side, strength, hit);
  }

  /** The plain walk-forward hit rate of eligible outcomes at bar t (Beta(1, 1) prior), no calibration. */
  baseRate(t: number): number {
    this.log.advance(t);
    return (this.log.hits + 1) / (this.log.eligible + 2);
  }

  /** Probability that a signal at bar t with this side and strength is right at its horizon. */
  predict(t: number, side: Side, strength: number): number {
    const log = this.log;
    log.advance(t);
    if (log.eligible < this.minTrain) return (log.hits + BASE_PRIOR) / (log.eligible + 2 * BASE_PRIOR);
    // Refit once the eligible history has grown by 2 % (every new outcome early on): a fit on
    // thousands of signals barely moves with one more, and refitting each time is quadratic.
    if (log.eligible >= this.fittedOn + Math.max(1, Math.floor(this.fittedOn / 50))) {
      if (this.method === 'platt') this.fitPlatt();
      else this.fitIsotonic();
      this.fittedOn = log.eligible;
    }
    if (this.method === 'platt') {
      const [a, b, c] = this.w;
      const full = sigmoid(a + b * (strength - 0.5) + c * (side === 'buy' ? 1 : -1));
      return this.gate.slopes * full + (1 - this.gate.slopes) * this.gate.base;
    }
    // Step function: the last step starting at or below this strength (the first below the lowest).
    let p = (this.iso[0] as { p: number }).p;
    for (const s of this.iso) {
      if (s.x > strength) break;
      p = s.p;
    }
    return p;
  }

  /**
   * Ridge logistic regression by Newton's method on (1, strength − ½, side); the intercept carries
   * the base rate's prior as pseudo-observations. Then the evidence gate: the slopes model against
   * the base rate alone, equal prior odds, by BIC on the (memory-weighted) outcomes — two slopes
   * must buy ln n of log-likelihood. With no information the log-likelihood ratio is about
   * χ²(2) / 2 ≈ 1 and the slopes' weight ≈ e / n; where strength or side do carry information it
   * grows with n and the weight goes to 1.
   */
  private fitPlatt(): void {
    const w = this.w;
    const log = this.log;
    for (let iter = 0; iter < 25; iter++) {
      // Gradient g and Hessian H of the penalized negative log-likelihood, features (1, x, side).
      let [g0, g1, g2] = [0, 0, 0];
      let [h00, h01, h02, h11, h12, h22] = [0, 0, 0, 0, 0, 0];
      const acc = (x: number, side: number, y: number, wt: number): void => {
        const p = sigmoid(w[0] + w[1] * x + w[2] * side);
        const r = (p - y) * wt;
        const v = p * (1 - p) * wt;
        g0 += r;
        g1 += r * x;
        g2 += r * side;
        h00 += v;
        h01 += v * x;
        h02 += v * side;
        h11 += v * x * x;
        h12 += v * x * side;
        h22 += v * side * side;
      };
      let wt = 1;
      for (let k = log.usable - 1; k >= 0; k--) {
        acc(log.x(k) - 0.5, log.sideOf(k), log.hitOf(k), wt);
        wt *= this.decay;
      }
      acc(0, 0, 1, BASE_PRIOR);
      acc(0, 0, 0, BASE_PRIOR);
      g1 += this.shrink * w[1];
      g2 += this.shrink * w[2];
      h11 += this.shrink;
      h22 += this.shrink;
      const step = solve3([h00, h01, h02, h01, h11, h12, h02, h12, h22], [g0, g1, g2]);
      if (!step) break;
      const [d0, d1, d2] = step as [number, number, number];
      w[0] -= d0;
      w[1] -= d1;
      w[2] -= d2;
      if (Math.max(Math.abs(d0), Math.abs(d1), Math.abs(d2)) < 1e-9) break;
    }
    let n = 0;
    let h = 0;
    let llSlopes = 0;
    let wt = 1;
    for (let k = log.usable - 1; k >= 0; k--) {
      const hit = log.hitOf(k);
      const p = sigmoid(w[0] + w[1] * (log.x(k) - 0.5) + w[2] * log.sideOf(k));
      llSlopes += wt * (hit ? Math.log(p) : Math.log(1 - p));
      n += wt;
      h += wt * hit;
      wt *= this.decay;
    }
    const q = Math.min(1 - 1e-12, Math.max(1e-12, h / n));
    const llBase = h * Math.log(q) + (n - h) * Math.log(1 - q);
    const lnOdds = llSlopes - llBase - Math.log(n);
    this.gate = { slopes: 1 / (1 + Math.exp(-lnOdds)), base: (h + BASE_PRIOR) / (n + 2 * BASE_PRIOR) };
  }

  /** Pool adjacent violators on strength (non-decreasing), each block shrunk towards the base rate. */
  private fitIsotonic(): void {
    // Weights: older outcomes count for less with a finite memory (all 1 otherwise).
    const pts: { x: number; hit: number; wt: number }[] = [];
    let wt = 1;
    let wsum = 0;
    let hsum = 0;
    const log = this.log;
    for (let k = log.usable - 1; k >= 0; k--) {
      const hit = log.hitOf(k);
      pts.push({ x: log.x(k), hit, wt });
      wsum += wt;
      hsum += wt * hit;
      wt *= this.decay;
    }
    pts.sort((p, q) => p.x - q.x);
    const base = (hsum + 1) / (wsum + 2);
    const blocks: { x: number; n: number; s: number }[] = [];
    for (const o of pts) {
      blocks.push({ x: o.x, n: o.wt, s: o.wt * o.hit });
      // Merge while the previous block's rate exceeds the last one's.
      while (blocks.length > 1) {
        const b = blocks[blocks.length - 1] as { x: number; n: number; s: number };
        const a = blocks[blocks.length - 2] as { x: number; n: number; s: number };
        if (a.s / a.n <= b.s / b.n) break;
        a.n += b.n;
        a.s += b.s;
        blocks.pop();
      }
    }
    // A step of few signals is noise: shrink each by a small pseudo-count, and the whole curve by
    // how much evidence there is in all (a flat curve at the base rate until it is earned).
    const earned = wsum / (wsum + this.shrink);
    this.iso = blocks.map((b) => ({ x: b.x, p: base + earned * ((b.s + ISO_STEP * base) / (b.n + ISO_STEP) - base) }));
  }
}

/** Solves the 3×3 system H x = g (Gaussian elimination with partial pivoting); null when singular. */
function solve3(H: number[], g: number[]): number[] | null {
  const m = [0, 1, 2].map((i) => [H[i * 3] as number, H[i * 3 + 1] as number, H[i * 3 + 2] as number, g[i] as number]);
  for (let c = 0; c < 3; c++) {
    let piv = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs((m[r] as number[])[c] as number) > Math.abs((m[piv] as number[])[c] as number)) piv = r;
    [m[c], m[piv]] = [m[piv] as number[], m[c] as number[]];
    const row = m[c] as number[];
    const d = row[c] as number;
    if (Math.abs(d) < 1e-12) return null;
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const other = m[r] as number[];
      const f = (other[c] as number) / d;
      for (let k = c; k < 4; k++) other[k] = (other[k] as number) - f * (row[k] as number);
    }
  }
  return m.map((row, i) => (row[3] as number) / (row[i] as number));
}

/**
 * Memories a `MixtureCalibrator` weighs, in signals (half-lives): all the past, or mostly the
 * latest few hundred. Fixed before any evaluation.
 */
const MEMORIES = [Number.POSITIVE_INFINITY, 300, 100];

/**
 * Calibrators with different memories, mixed by their own out-of-sample record (Bayesian model
 * averaging: each weighted by its likelihood on the outcomes that have become eligible, purged
 * and embargoed like the fits). A market whose base rate drifts (momentum that fades) favours a
 * short memory; a stable one keeps the whole past. No member sees an outcome before the
 * embargo, and neither do the weights.
 */
export class MixtureCalibrator {
  private readonly members: WalkForwardCalibrator[];
  private readonly log: OutcomeLog;
  /** Log-likelihood of each member on scored outcomes. */
  private readonly loglik: number[];
  /** Each member's prediction for the signal at a bar, until its outcome is eligible. */
  private readonly stated = new Map<number, number[]>();
  private readonly queue: { index: number; hit: number }[] = [];
  private readonly horizon: number;
  private readonly embargo: number;
  readonly method: CalibrationMethod;

  constructor(opts: CalibratorOptions) {
    this.method = opts.method ?? 'platt';
    this.horizon = opts.horizon;
    this.embargo = opts.embargo ?? opts.horizon;
    this.log = new OutcomeLog(this.horizon, this.embargo);
    this.members = MEMORIES.map((halfLife) => new WalkForwardCalibrator({ ...opts, halfLife }, this.log));
    this.loglik = MEMORIES.map(() => 0);
  }

  add(index: number, side: Side, strength: number, hit: boolean): void {
    this.log.add(index, side, strength, hit);
    this.queue.push({ index, hit: hit ? 1 : 0 });
  }

  baseRate(t: number): number {
    return (this.members[0] as WalkForwardCalibrator).baseRate(t);
  }

  predict(t: number, side: Side, strength: number): number {
    // Score the members on outcomes that have become eligible at t.
    const limit = t - this.horizon - this.embargo;
    while (this.queue.length && (this.queue[0] as { index: number }).index <= limit) {
      const o = this.queue.shift() as { index: number; hit: number };
      const ps = this.stated.get(o.index);
      this.stated.delete(o.index);
      if (!ps) continue;
      ps.forEach((p, k) => {
        this.loglik[k] = (this.loglik[k] as number) + Math.log(o.hit ? p : 1 - p);
      });
    }
    // Predictions for signals that were never taken (suppressed, below the minimum) are dropped
    // once they are as old as a scored one would be, so a long live run does not accumulate them.
    for (const index of this.stated.keys()) {
      if (index > limit) break;
      this.stated.delete(index);
    }
    const ps = this.members.map((m) => m.predict(t, side, strength));
    this.stated.set(t, ps);
    const best = Math.max(...this.loglik);
    const w = this.loglik.map((l) => Math.exp(l - best));
    const total = w.reduce((a, b) => a + b, 0);
    return ps.reduce((a, p, k) => a + (p * (w[k] as number)) / total, 0);
  }
}
