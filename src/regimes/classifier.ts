/**
 * Online market-regime classifier: a causal forward filter over the six regimes, each a
 * Gaussian template for the bar's log return in units of the instrument's own long-run
 * volatility (so one set of templates serves daily and intraday bars, any asset), with sticky
 * transitions. O(36) work per bar. Probabilities use data up to the bar only (filtered, never
 * smoothed), and the reported label changes with hysteresis (a probability margin and a minimum
 * dwell), so noise does not flip it.
 */
import type { Ohlcv } from '../core/market.ts';
import { REGIMES, type Regime } from '../core/regime.ts';
import { type LabelerOptions, LabelledClassifier, type RegimeOutput } from './labeler.ts';

export interface RegimeTemplate {
  /** Mean log return per bar, in long-run standard deviations. */
  mu: number;
  /** Standard deviation per bar, in long-run standard deviations. */
  sigma: number;
  /** Expected stay in bars (sets the sticky transition probability). */
  duration: number;
}

/**
 * Documented templates (REGIMES order). Ratios chosen from what the regimes mean: sideways is
 * quiet and driftless, bull quiet with positive drift, bear more volatile with negative drift,
 * high volatility wild without drift, crash very volatile with a large negative drift and short,
 * recovery volatile with a positive drift.
 */
export const DEFAULT_TEMPLATES: Record<Regime, RegimeTemplate> = {
  bull: { mu: 0.1, sigma: 0.6, duration: 60 },
  bear: { mu: -0.1, sigma: 0.95, duration: 40 },
  sideways: { mu: 0, sigma: 0.4, duration: 40 },
  high_volatility: { mu: 0, sigma: 2.3, duration: 15 },
  crash: { mu: -0.8, sigma: 3.5, duration: 5 },
  recovery: { mu: 0.3, sigma: 1.3, duration: 15 },
};

export interface RegimeClassifierOptions extends LabelerOptions {
  templates?: Record<Regime, RegimeTemplate>;
  /** Bars of the long-run volatility average (EWMA span). */
  longSpan?: number;
}

const K = REGIMES.length;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export class RegimeClassifier extends LabelledClassifier {
  private readonly mu = new Float64Array(K);
  private readonly sigma = new Float64Array(K);
  private readonly logTrans = new Float64Array(K * K);
  private readonly trans = new Float64Array(K * K);
  private readonly prior = new Float64Array(K);
  private prevClose = Number.NaN;
  private longVar = Number.NaN;
  private shortVar = Number.NaN;
  private n = 0;
  private readonly longAlpha: number;
  private readonly longSpan: number;

  constructor(options: RegimeClassifierOptions = {}) {
    super(options);
    const t = options.templates ?? DEFAULT_TEMPLATES;
    this.longSpan = options.longSpan ?? 2000;
    this.longAlpha = 2 / (this.longSpan + 1);
    REGIMES.forEach((r, i) => {
      const x = t[r];
      this.mu[i] = x.mu;
      this.sigma[i] = x.sigma;
    });
    // Sticky transitions: stay with 1 − 1/duration, leave uniformly to the others.
    for (let i = 0; i < K; i++) {
      const stay = 1 - 1 / (t[REGIMES[i] as Regime].duration as number);
      for (let j = 0; j < K; j++) this.trans[i * K + j] = i === j ? stay : (1 - stay) / (K - 1);
    }
    for (let i = 0; i < K * K; i++) this.logTrans[i] = Math.log(this.trans[i] as number);
  }

  /** One bar (closes are what matter; open/high/low are accepted for a uniform interface). */
  update(bar: Pick<Ohlcv, 'close'>): RegimeOutput {
    const prev = this.prevClose;
    this.prevClose = bar.close;
    this.n++;
    if (!(prev > 0 && bar.close > 0)) return this.hold();
    const r = Math.log(bar.close / prev);
    // Long-run variance: seeded by the first returns, then a slow EWMA (it lags regime changes,
    // which is what makes a regime's volatility stand out against it).
    const r2 = r * r;
    if (Number.isNaN(this.longVar)) {
      this.longVar = r2;
      this.shortVar = r2;
    } else {
      const a = this.n < this.longSpan ? 1 / this.n : this.longAlpha;
      this.longVar += a * (r2 - this.longVar);
      this.shortVar += 0.2 * (r2 - this.shortVar);
    }
    const sd = Math.sqrt(this.longVar);
    if (this.n < 20 || !(sd > 0)) return this.hold();
    const z = r / sd;
    // Forward step: prior = Tᵀ p, posterior ∝ prior × likelihood.
    const p = this.probabilities;
    let total = 0;
    for (let j = 0; j < K; j++) {
      let s = 0;
      for (let i = 0; i < K; i++) s += (p[i] as number) * (this.trans[i * K + j] as number);
      const sg = this.sigma[j] as number;
      const d = (z - (this.mu[j] as number)) / sg;
      const lik = Math.exp(-0.5 * d * d - Math.log(sg) - LOG_SQRT_2PI);
      const v = s * lik;
      this.prior[j] = v;
      total += v;
    }
    if (total > 0 && Number.isFinite(total)) for (let j = 0; j < K; j++) p[j] = (this.prior[j] as number) / total;
    else p.fill(1 / K);
    return this.label(Math.sqrt(this.shortVar / this.longVar));
  }
}
