/**
 * Regimes from a Gaussian HMM over the causal features of features.ts: Baum-Welch on a training
 * series, states named by their fitted mean and volatility (state-labels.ts), then an online
 * filter (causal given the fitted parameters) feeding the shared labeler.
 */
import { REGIMES, type Regime } from '../core/regime.ts';
import { FEATURE_COUNT, RegimeFeatures, regimeFeatureMatrix } from './features.ts';
import { filterHmm, fitGaussianHmm, type GaussianHmm, HmmFilter, smoothHmm } from './hmm.ts';
import { type LabelerOptions, type OnlineRegimeClassifier, type RegimeAlert, RegimeLabeler, type RegimeOutput } from './labeler.ts';
import { labelStates, regimeProbabilities } from './state-labels.ts';

export interface RegimeHmm {
  model: GaussianHmm;
  stateLabels: Regime[];
  logLikelihood: number;
}

/** Fits a `states`-state HMM to a series of closes and names its states. */
export function trainRegimeHmm(close: ArrayLike<number>, opts: { states?: number; seed?: number; restarts?: number } = {}): RegimeHmm {
  const { x } = regimeFeatureMatrix(close);
  const fit = fitGaussianHmm(x, FEATURE_COUNT, {
    states: opts.states ?? 6,
    seed: opts.seed ?? 1,
    restarts: opts.restarts ?? 4,
    maxIterations: 100,
  });
  return { model: fit.model, stateLabels: labelStates(fit.model.mean, fit.model.k, FEATURE_COUNT), logLikelihood: fit.logLikelihood };
}

export class HmmRegimeClassifier implements OnlineRegimeClassifier {
  private readonly features: RegimeFeatures;
  private readonly filter: HmmFilter;
  private readonly labeler: RegimeLabeler;
  readonly probabilities = new Float64Array(6).fill(1 / 6);

  constructor(
    readonly hmm: RegimeHmm,
    options: LabelerOptions = {},
  ) {
    this.features = new RegimeFeatures();
    this.filter = new HmmFilter(hmm.model);
    this.labeler = new RegimeLabeler(options);
  }

  update(bar: { close: number }): RegimeOutput {
    const alerts: RegimeAlert[] = [];
    if (!this.features.update(bar.close)) return { regime: this.labeler.regime, probabilities: this.probabilities, changed: false, alerts };
    regimeProbabilities(this.filter.update(this.features.values), this.hmm.stateLabels, this.probabilities);
    const { regime, changed } = this.labeler.step(this.probabilities, this.features.volRatio, alerts);
    return { regime, probabilities: this.probabilities, changed, alerts };
  }

  get regime(): Regime {
    return this.labeler.regime;
  }

  transitionMatrix(): { labels: Regime[]; matrix: number[][] } {
    return this.labeler.transitionMatrix();
  }

  expectedDurations(): Record<Regime, number> {
    return this.labeler.expectedDurations();
  }
}

/** Smoothed (two-sided, not causal) regime probabilities per bar; NaN rows before the features start. */
export function smoothedRegimeProbabilities(hmm: RegimeHmm, close: ArrayLike<number>): Float64Array[] {
  const { x, index } = regimeFeatureMatrix(close);
  const gamma = smoothHmm(hmm.model, x);
  const out = Array.from({ length: close.length }, () => new Float64Array(6).fill(Number.NaN));
  const k = hmm.model.k;
  for (let r = 0; r < index.length; r++)
    regimeProbabilities(gamma.subarray(r * k, (r + 1) * k), hmm.stateLabels, out[index[r] as number] as Float64Array);
  return out;
}

/**
 * The supervised variant: one state per regime, its emission mean and variance and the
 * transition matrix estimated directly from a series whose regime is known bar by bar (the
 * simulator's planted regimes). Maximum likelihood with the states observed is just counting.
 */
export function trainLabelledRegimeHmm(close: ArrayLike<number>, truth: readonly Regime[]): RegimeHmm {
  const { x, index } = regimeFeatureMatrix(close);
  const k = REGIMES.length;
  const d = FEATURE_COUNT;
  const n = index.length;
  const w = new Float64Array(k);
  const mean = new Float64Array(k * d);
  const variance = new Float64Array(k * d);
  const counts = new Float64Array(k * k).fill(1);
  const stateOf = (r: number): number => REGIMES.indexOf(truth[index[r] as number] as Regime);
  for (let r = 0; r < n; r++) {
    const s = stateOf(r);
    w[s] = (w[s] as number) + 1;
    for (let j = 0; j < d; j++) mean[s * d + j] = (mean[s * d + j] as number) + (x[r * d + j] as number);
    if (r > 0) counts[stateOf(r - 1) * k + s] = (counts[stateOf(r - 1) * k + s] as number) + 1;
  }
  for (let s = 0; s < k; s++)
    for (let j = 0; j < d; j++) mean[s * d + j] = (w[s] as number) > 0 ? (mean[s * d + j] as number) / (w[s] as number) : 0;
  for (let r = 0; r < n; r++) {
    const s = stateOf(r);
    for (let j = 0; j < d; j++)
      variance[s * d + j] = (variance[s * d + j] as number) + ((x[r * d + j] as number) - (mean[s * d + j] as number)) ** 2;
  }
  for (let s = 0; s < k; s++)
    for (let j = 0; j < d; j++)
      variance[s * d + j] = (w[s] as number) > 1 ? Math.max(1e-6, (variance[s * d + j] as number) / (w[s] as number)) : 1;
  const trans = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    let row = 0;
    for (let j = 0; j < k; j++) row += counts[i * k + j] as number;
    for (let j = 0; j < k; j++) trans[i * k + j] = (counts[i * k + j] as number) / row;
  }
  const initial = Float64Array.from(w, (v) => v / n);
  const model: GaussianHmm = { k, d, initial, trans, mean, variance };
  return { model, stateLabels: [...REGIMES], logLikelihood: filterHmm(model, x).logLikelihood };
}
