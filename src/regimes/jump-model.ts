/**
 * Statistical jump model (Nystrup, Lindström & Madsen 2020): K centroids in feature space and a
 * state sequence minimising Σ ‖x_t − θ_{s_t}‖² + λ·#switches, fitted by alternating a dynamic
 * programme for the states (given the centroids) and centroid means (given the states), from
 * several k-means++ starts. The penalty λ is what keeps states persistent where an HMM flickers.
 * Online inference is the same programme run forward: the state with the lowest cost so far.
 * Features are standardised with the training mean and deviation. Pure.
 */
import { Rng } from '../core/random.ts';
import { REGIMES, type Regime } from '../core/regime.ts';
import { FEATURE_COUNT, featureMatrix, RegimeFeatures } from './features.ts';
import { moments } from './hmm.ts';
import { type LabelerOptions, LabelledClassifier, type RegimeOutput } from './labeler.ts';
import { labelStates as labelByTemplate, labelStatesByTruth, regimeProbabilities } from './state-labels.ts';

export interface JumpModel {
  k: number;
  d: number;
  lambda: number;
  /** Standardisation of the features (d each). */
  center: Float64Array;
  scale: Float64Array;
  /** Centroids in standardised units (k × d). */
  centroids: Float64Array;
  stateLabels: Regime[];
  objective: number;
}

function sqDist(x: ArrayLike<number>, xo: number, c: Float64Array, co: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += ((x[xo + j] as number) - (c[co + j] as number)) ** 2;
  return s;
}

/** Optimal states for fixed centroids (Viterbi with a switch penalty); returns the objective. */
function bestStates(z: Float64Array, n: number, d: number, c: Float64Array, k: number, lambda: number, states: Int32Array): number {
  const cost = new Float64Array(n * k);
  const from = new Int32Array(n * k);
  for (let s = 0; s < k; s++) cost[s] = sqDist(z, 0, c, s * d, d);
  for (let t = 1; t < n; t++) {
    let min = 0;
    for (let s = 1; s < k; s++) if ((cost[(t - 1) * k + s] as number) < (cost[(t - 1) * k + min] as number)) min = s;
    const jump = (cost[(t - 1) * k + min] as number) + lambda;
    for (let s = 0; s < k; s++) {
      const stay = cost[(t - 1) * k + s] as number;
      const prev = stay <= jump ? s : min;
      from[t * k + s] = prev;
      cost[t * k + s] = Math.min(stay, jump) + sqDist(z, t * d, c, s * d, d);
    }
  }
  let last = 0;
  for (let s = 1; s < k; s++) if ((cost[(n - 1) * k + s] as number) < (cost[(n - 1) * k + last] as number)) last = s;
  const objective = cost[(n - 1) * k + last] as number;
  for (let t = n - 1; t >= 0; t--) {
    states[t] = last;
    last = from[t * k + last] as number;
  }
  return objective;
}

export interface JumpFitOptions {
  states?: number;
  lambda?: number;
  restarts?: number;
  seed?: number;
  /** Names states by the planted regime they overlap most (bar by bar, on the training series). */
  truth?: readonly Regime[];
}

/** Fits the jump model to a series of closes. */
export function fitJumpModel(close: ArrayLike<number>, opts: JumpFitOptions = {}): JumpModel {
  const { x, index } = featureMatrix('close', { close });
  const d = FEATURE_COUNT;
  const n = index.length;
  const k = opts.states ?? REGIMES.length;
  const lambda = opts.lambda ?? 20;
  if (n < 10 * k) throw new RangeError(`fitJumpModel: ${n} bars of features are too few for ${k} states`);
  const { mean: center, variance } = moments(x, n, d);
  const scale = variance.map((v) => Math.sqrt(v) || 1);
  const z = Float64Array.from(x, (v, i) => (v - (center[i % d] as number)) / (scale[i % d] as number));
  const rng = new Rng(opts.seed ?? 1);
  const states = new Int32Array(n);
  let best: { c: Float64Array; obj: number; s: Int32Array } | null = null;
  for (let r = 0; r < (opts.restarts ?? 5); r++) {
    // k-means++ seeding.
    const c = new Float64Array(k * d);
    const first = rng.int(n);
    c.set(z.subarray(first * d, first * d + d), 0);
    for (let s = 1; s < k; s++) {
      const dist = new Float64Array(n);
      let total = 0;
      for (let t = 0; t < n; t++) {
        let m = Number.POSITIVE_INFINITY;
        for (let q = 0; q < s; q++) m = Math.min(m, sqDist(z, t * d, c, q * d, d));
        dist[t] = m;
        total += m;
      }
      let u = rng.next() * total;
      let pick = n - 1;
      for (let t = 0; t < n; t++) {
        u -= dist[t] as number;
        if (u <= 0) {
          pick = t;
          break;
        }
      }
      c.set(z.subarray(pick * d, pick * d + d), s * d);
    }
    let obj = Number.POSITIVE_INFINITY;
    for (let it = 0; it < 50; it++) {
      const next = bestStates(z, n, d, c, k, lambda, states);
      const sums = new Float64Array(k * d);
      const counts = new Float64Array(k);
      for (let t = 0; t < n; t++) {
        const s = states[t] as number;
        counts[s] = (counts[s] as number) + 1;
        for (let j = 0; j < d; j++) sums[s * d + j] = (sums[s * d + j] as number) + (z[t * d + j] as number);
      }
      for (let s = 0; s < k; s++)
        if ((counts[s] as number) > 0) for (let j = 0; j < d; j++) c[s * d + j] = (sums[s * d + j] as number) / (counts[s] as number);
      if (next >= obj - 1e-9) break;
      obj = next;
    }
    obj = bestStates(z, n, d, c, k, lambda, states);
    if (!best || obj < best.obj) best = { c: Float64Array.from(c), obj, s: Int32Array.from(states) };
  }
  const b = best as { c: Float64Array; obj: number; s: Int32Array };
  return {
    k,
    d,
    lambda,
    center,
    scale,
    centroids: b.c,
    objective: b.obj,
    stateLabels: nameStates(b, k, d, center, scale, index, opts.truth),
  };
}

function nameStates(
  b: { c: Float64Array; s: Int32Array },
  k: number,
  d: number,
  center: Float64Array,
  scale: Float64Array,
  index: Int32Array,
  truth?: readonly Regime[],
): Regime[] {
  if (truth)
    return labelStatesByTruth(
      b.s,
      Array.from(index, (i) => truth[i] as Regime),
      k,
    );
  // No truth: by template, on the centroids in feature units.
  const means = Float64Array.from(b.c, (v, i) => v * (scale[i % d] as number) + (center[i % d] as number));
  return labelByTemplate(means, k, d);
}

/** Online: the forward programme's cost per state; the cheapest is the current state. O(k·d) per bar. */
export class JumpRegimeClassifier extends LabelledClassifier {
  private readonly features = new RegimeFeatures();
  private readonly cost: Float64Array;
  private readonly z: Float64Array;
  private readonly stateProbs: Float64Array;
  private started = false;

  constructor(
    readonly model: JumpModel,
    options: LabelerOptions = {},
  ) {
    super(options);
    this.cost = new Float64Array(model.k);
    this.z = new Float64Array(model.d);
    this.stateProbs = new Float64Array(model.k);
  }

  update(bar: { close: number }): RegimeOutput {
    if (!this.features.update(bar.close)) return this.hold();
    const { k, d, lambda, centroids } = this.model;
    for (let j = 0; j < d; j++)
      this.z[j] = ((this.features.values[j] as number) - (this.model.center[j] as number)) / (this.model.scale[j] as number);
    let min = Number.POSITIVE_INFINITY;
    for (let s = 0; s < k; s++) min = Math.min(min, this.cost[s] as number);
    let newMin = Number.POSITIVE_INFINITY;
    for (let s = 0; s < k; s++) {
      const carry = this.started ? Math.min(this.cost[s] as number, min + lambda) - min : 0;
      const v = carry + sqDist(this.z, 0, centroids, s * d, d);
      this.cost[s] = v;
      newMin = Math.min(newMin, v);
    }
    this.started = true;
    // Costs are squared distances, i.e. −2 × log-likelihood of a unit Gaussian: probabilities
    // ∝ exp(−Δcost / 2).
    let total = 0;
    for (let s = 0; s < k; s++) {
      const p = Math.exp(-0.5 * ((this.cost[s] as number) - newMin));
      this.stateProbs[s] = p;
      total += p;
    }
    for (let s = 0; s < k; s++) this.stateProbs[s] = (this.stateProbs[s] as number) / total;
    regimeProbabilities(this.stateProbs, this.model.stateLabels, this.probabilities);
    return this.label(this.features.volRatio);
  }
}
