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

export interface RegimeAlert {
  kind: 'regime_change' | 'volatility_spike' | 'crash_onset';
  severity: 'info' | 'warning' | 'critical';
  message: string;
}

export interface RegimeOutput {
  regime: Regime;
  /** Filtered probability per regime, REGIMES order. */
  probabilities: Float64Array;
  changed: boolean;
  alerts: RegimeAlert[];
}

export interface RegimeClassifierOptions {
  templates?: Record<Regime, RegimeTemplate>;
  /** Bars of the long-run volatility average (EWMA span). */
  longSpan?: number;
  /** A new label needs this much more probability than the current one… */
  margin?: number;
  /** …and the current one must have lasted this many bars. */
  minDwell?: number;
  /** Short-run / long-run volatility ratio that raises a volatility alert. */
  spikeRatio?: number;
}

const K = REGIMES.length;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export class RegimeClassifier {
  private readonly mu = new Float64Array(K);
  private readonly sigma = new Float64Array(K);
  private readonly logTrans = new Float64Array(K * K);
  private readonly trans = new Float64Array(K * K);
  readonly probabilities = new Float64Array(K).fill(1 / K);
  private readonly prior = new Float64Array(K);
  private readonly counts = new Float64Array(K * K).fill(1);
  private prevClose = Number.NaN;
  private longVar = Number.NaN;
  private shortVar = Number.NaN;
  private n = 0;
  private label: Regime = 'sideways';
  private dwell = 0;
  private spiking = false;
  private readonly longAlpha: number;
  private readonly opts: Required<Omit<RegimeClassifierOptions, 'templates'>>;

  constructor(options: RegimeClassifierOptions = {}) {
    const t = options.templates ?? DEFAULT_TEMPLATES;
    this.opts = { longSpan: 2000, margin: 0.15, minDwell: 2, spikeRatio: 2.5, ...options };
    this.longAlpha = 2 / (this.opts.longSpan + 1);
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
    const alerts: RegimeAlert[] = [];
    const prev = this.prevClose;
    this.prevClose = bar.close;
    this.n++;
    if (!(prev > 0 && bar.close > 0)) return { regime: this.label, probabilities: this.probabilities, changed: false, alerts };
    const r = Math.log(bar.close / prev);
    // Long-run variance: seeded by the first returns, then a slow EWMA (it lags regime changes,
    // which is what makes a regime's volatility stand out against it).
    const r2 = r * r;
    if (Number.isNaN(this.longVar)) {
      this.longVar = r2;
      this.shortVar = r2;
    } else {
      const a = this.n < this.opts.longSpan ? 1 / this.n : this.longAlpha;
      this.longVar += a * (r2 - this.longVar);
      this.shortVar += 0.2 * (r2 - this.shortVar);
    }
    const sd = Math.sqrt(this.longVar);
    if (this.n < 20 || !(sd > 0)) return { regime: this.label, probabilities: this.probabilities, changed: false, alerts };
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
    // Label with hysteresis.
    let best = 0;
    for (let j = 1; j < K; j++) if ((p[j] as number) > (p[best] as number)) best = j;
    const cur = REGIMES.indexOf(this.label);
    this.dwell++;
    let changed = false;
    if (best !== cur && (p[best] as number) >= (p[cur] as number) + this.opts.margin && this.dwell >= this.opts.minDwell) {
      const from = this.label;
      this.label = REGIMES[best] as Regime;
      this.dwell = 0;
      changed = true;
      if (this.label === 'crash')
        alerts.push({
          kind: 'crash_onset',
          severity: 'critical',
          message: `crash regime (p=${(p[best] as number).toFixed(2)}), from ${from}`,
        });
      else
        alerts.push({
          kind: 'regime_change',
          severity: this.label === 'bear' || this.label === 'high_volatility' ? 'warning' : 'info',
          message: `${from} → ${this.label} (p=${(p[best] as number).toFixed(2)})`,
        });
    }
    this.counts[cur * K + REGIMES.indexOf(this.label)] = (this.counts[cur * K + REGIMES.indexOf(this.label)] as number) + 1;
    const ratio = Math.sqrt(this.shortVar / this.longVar);
    if (!this.spiking && ratio >= this.opts.spikeRatio) {
      this.spiking = true;
      alerts.push({
        kind: 'volatility_spike',
        severity: 'warning',
        message: `short-run volatility ${ratio.toFixed(1)}× its long-run level`,
      });
    } else if (this.spiking && ratio < this.opts.spikeRatio / 1.5) this.spiking = false;
    return { regime: this.label, probabilities: p, changed, alerts };
  }

  get regime(): Regime {
    return this.label;
  }

  /** Transition probabilities between reported labels, bar to bar (counts with a +1 prior). */
  transitionMatrix(): { labels: Regime[]; matrix: number[][] } {
    const matrix: number[][] = [];
    for (let i = 0; i < K; i++) {
      let row = 0;
      for (let j = 0; j < K; j++) row += this.counts[i * K + j] as number;
      matrix.push(Array.from({ length: K }, (_, j) => (this.counts[i * K + j] as number) / row));
    }
    return { labels: [...REGIMES], matrix };
  }

  /** Expected stay per regime in bars, from the matrix: 1 / (1 − p_ii). */
  expectedDurations(): Record<Regime, number> {
    const m = this.transitionMatrix().matrix;
    return Object.fromEntries(REGIMES.map((r, i) => [r, 1 / (1 - ((m[i] as number[])[i] as number))])) as Record<Regime, number>;
  }
}
