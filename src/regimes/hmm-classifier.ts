/**
 * Regimes from a Gaussian HMM over causal features (features.ts): either counted from a series
 * whose regimes are known (`trainLabelledRegimeHmm`, one state per regime) or fitted by
 * Baum-Welch (`trainRegimeHmm`, states named by template), then filtered online (causal given
 * the parameters) into the shared labeler. Smoothed (two-sided) probabilities on request.
 */
import type { BarSeries } from '../core/market.ts';
import { REGIMES, type Regime } from '../core/regime.ts';
import { type FeatureExtractor, type FeatureSet, featureCount, featureExtractor, featureMatrix, type RegimeBar } from './features.ts';
import { filterHmm, fitGaussianHmm, type GaussianHmm, HmmFilter, rowStochastic, smoothHmm } from './hmm.ts';
import { type LabelerOptions, LabelledClassifier, type RegimeOutput } from './labeler.ts';
import { labelStates, regimeProbabilities } from './state-labels.ts';

export interface RegimeHmm {
  model: GaussianHmm;
  features: FeatureSet;
  stateLabels: Regime[];
  logLikelihood: number;
}

type Series = Pick<BarSeries, 'close'> & Partial<Pick<BarSeries, 'high' | 'low' | 'volume'>>;

/** Baum-Welch on a series of closes (close features); states named by template. */
export function trainRegimeHmm(close: ArrayLike<number>, opts: { states?: number; seed?: number; restarts?: number } = {}): RegimeHmm {
  const { x } = featureMatrix('close', { close });
  const d = featureCount('close');
  const fit = fitGaussianHmm(x, d, { states: opts.states ?? 6, seed: opts.seed ?? 1, restarts: opts.restarts ?? 4, maxIterations: 100 });
  return {
    model: fit.model,
    features: 'close',
    stateLabels: labelStates(fit.model.mean, fit.model.k, d),
    logLikelihood: fit.logLikelihood,
  };
}

/**
 * The supervised variant: one state per regime, its emission mean and variance and the
 * transition matrix counted from a series whose regime is known bar by bar (the simulator's
 * planted regimes). Maximum likelihood with the states observed is just counting.
 */
export function trainLabelledRegimeHmm(s: Series, truth: readonly Regime[], features: FeatureSet = 'close'): RegimeHmm {
  const { x, index } = featureMatrix(features, s);
  const k = REGIMES.length;
  const d = featureCount(features);
  const n = index.length;
  const w = new Float64Array(k);
  const mean = new Float64Array(k * d);
  const variance = new Float64Array(k * d);
  // Transitions counted with a +1 prior, so that no regime is impossible to enter.
  const counts = new Float64Array(k * k).fill(1);
  const state = Int32Array.from(index, (i) => REGIMES.indexOf(truth[i] as Regime));
  for (let r = 0; r < n; r++) {
    const st = state[r] as number;
    w[st] = (w[st] as number) + 1;
    for (let j = 0; j < d; j++) mean[st * d + j] = (mean[st * d + j] as number) + (x[r * d + j] as number);
    if (r > 0) counts[(state[r - 1] as number) * k + st] = (counts[(state[r - 1] as number) * k + st] as number) + 1;
  }
  for (let st = 0; st < k; st++)
    for (let j = 0; j < d; j++) mean[st * d + j] = (w[st] as number) > 0 ? (mean[st * d + j] as number) / (w[st] as number) : 0;
  for (let r = 0; r < n; r++) {
    const st = state[r] as number;
    for (let j = 0; j < d; j++)
      variance[st * d + j] = (variance[st * d + j] as number) + ((x[r * d + j] as number) - (mean[st * d + j] as number)) ** 2;
  }
  for (let st = 0; st < k; st++)
    for (let j = 0; j < d; j++)
      variance[st * d + j] = (w[st] as number) > 1 ? Math.max(1e-6, (variance[st * d + j] as number) / (w[st] as number)) : 1;
  const trans = rowStochastic(counts, k);
  const initial = Float64Array.from(w, (v) => v / n);
  const model: GaussianHmm = { k, d, initial, trans, mean, variance };
  return { model, features, stateLabels: [...REGIMES], logLikelihood: filterHmm(model, x).logLikelihood };
}

export class HmmRegimeClassifier extends LabelledClassifier {
  private readonly features: FeatureExtractor;
  private readonly filter: HmmFilter;

  constructor(
    readonly hmm: RegimeHmm,
    options: LabelerOptions = {},
  ) {
    super(options);
    this.features = featureExtractor(hmm.features);
    this.filter = new HmmFilter(hmm.model);
  }

  update(bar: RegimeBar): RegimeOutput {
    if (!this.features.update(bar)) return this.hold();
    regimeProbabilities(this.filter.update(this.features.values), this.hmm.stateLabels, this.probabilities);
    return this.label(this.features.volRatio);
  }
}

/** Smoothed (two-sided, not causal) regime probabilities per bar; NaN rows before the features start. */
export function smoothedRegimeProbabilities(hmm: RegimeHmm, s: Series): Float64Array[] {
  const { x, index } = featureMatrix(hmm.features, s);
  const gamma = smoothHmm(hmm.model, x);
  const out = Array.from({ length: s.close.length }, () => new Float64Array(REGIMES.length).fill(Number.NaN));
  const k = hmm.model.k;
  for (let r = 0; r < index.length; r++)
    regimeProbabilities(gamma.subarray(r * k, (r + 1) * k), hmm.stateLabels, out[index[r] as number] as Float64Array);
  return out;
}
