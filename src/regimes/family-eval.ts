/**
 * Scoring classifiers on the planted-regime family (family.ts): per parameterisation and seed,
 * balanced accuracy of the causal labels against the planted regimes, beside the oracle (the
 * true model's forward filter) and the baselines. Pure: callers print.
 */
import type { BarSeries } from '../core/market.ts';
import { REGIMES, type Regime } from '../core/regime.ts';
import { ADAPTIVE_LABEL_RULE, AdaptiveRegimeClassifier, type AdaptiveRegimeOptions } from './adaptive.ts';
import { volatilityRule } from './baseline.ts';
import { RegimeClassifier } from './classifier.ts';
import { scoreRegimes } from './evaluate.ts';
import { FAMILY, type FamilyCase, oracleFilter, plantedSeries, scaleFreeOracleFilter } from './family.ts';
import { labelSeries, type OnlineRegimeClassifier } from './labeler.ts';

/** Causal labels of an online classifier over a series (bar times passed so that gaps are seen). */
export function runClassifier(s: BarSeries, c: OnlineRegimeClassifier): Regime[] {
  const out: Regime[] = new Array(s.close.length);
  const bar: { close: number; volume?: number; time?: number } = { close: 0 };
  for (let i = 0; i < s.close.length; i++) {
    bar.close = s.close[i] as number;
    bar.time = s.time[i] as number;
    if (s.hasVolume) bar.volume = s.volume[i] as number;
    c.update(bar);
    out[i] = c.regime;
  }
  return out;
}

/**
 * `adaptive, argmax`: the same probabilities labelled by their maximum, without the labeler's
 * smoothing and dwell (what the oracle's labels are). `scale-free oracle`: the oracle without the
 * scale of returns, the level of volume or the starting regime (family.ts); `, labelled`: its
 * probabilities through the adaptive classifier's label rule, the ceiling of a classifier that
 * must keep the label changes down as the adaptive one does.
 */
export const FAMILY_METHODS = [
  'adaptive',
  'oracle',
  'volatility rule',
  'template filter',
  'adaptive, argmax',
  'scale-free oracle',
  'scale-free oracle, labelled',
] as const;
export type FamilyMethod = (typeof FAMILY_METHODS)[number];

export interface FamilyScore {
  caseId: string;
  seed: number;
  /** Balanced accuracy per method. */
  balancedAccuracy: Record<FamilyMethod, number>;
  /** Median bars from a planted crash's start to the adaptive classifier's first crash label (NaN if none caught). */
  crashDelay: number;
  /** Crashes planted, and caught by the adaptive classifier before they ended. */
  crashes: number;
  crashesCaught: number;
  /**
   * The adaptive classifier's forecast of the planted regime h bars ahead (h = FORECAST_HORIZONS),
   * scored on every calibrated bar: mean log loss and Brier score, beside climatology (each
   * regime's share of the series' planted bars: it knows the whole series' mix, an optimistic
   * baseline) and persistence (today's filtered probabilities, unchanged).
   */
  forecast: { h: number; logLoss: Record<ForecastMethod, number>; brier: Record<ForecastMethod, number> }[];
}

export const FORECAST_HORIZONS = [1, 5, 20] as const;
export const FORECAST_METHODS = ['adaptive', 'climatology', 'persistence'] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];

/** Scores one parameterisation on one seed. `bars` overrides the case's length (shorter runs for tests); `options`, the adaptive classifier's. */
export function scoreFamilyCase(c: FamilyCase, seed: number, bars = c.bars, options: AdaptiveRegimeOptions = {}): FamilyScore {
  const { bars: s, regime: truth } = plantedSeries(c.model, bars, seed);
  const adaptive = new AdaptiveRegimeClassifier(options);
  const horizons = FORECAST_HORIZONS.length;
  const K = REGIMES.length;
  const n = s.close.length;
  // Forecasts and filtered probabilities per bar (NaN before the calibration), for the scoring below.
  const fc = new Float64Array(n * horizons * K).fill(Number.NaN);
  const filtered = new Float64Array(n * K).fill(Number.NaN);
  const adaptiveLabels: Regime[] = new Array(n);
  const argmaxLabels: Regime[] = new Array(n);
  const tmp = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    const bar: { close: number; time: number; volume?: number } = { close: s.close[i] as number, time: s.time[i] as number };
    if (s.hasVolume) bar.volume = s.volume[i] as number;
    const o = adaptive.update(bar);
    adaptiveLabels[i] = o.regime;
    let best = 0;
    for (let j = 1; j < K; j++) if ((o.probabilities[j] as number) > (o.probabilities[best] as number)) best = j;
    argmaxLabels[i] = REGIMES[best] as Regime;
    if (!adaptive.calibrated) continue;
    filtered.set(o.probabilities, i * K);
    FORECAST_HORIZONS.forEach((h, k) => {
      fc.set(adaptive.forecast(h, tmp), (i * horizons + k) * K);
    });
  }
  const freq = new Float64Array(K);
  for (const r of truth) freq[REGIMES.indexOf(r)] = (freq[REGIMES.indexOf(r)] as number) + 1 / n;
  const forecast = FORECAST_HORIZONS.map((h, k) => {
    const ll = { adaptive: 0, climatology: 0, persistence: 0 };
    const br = { adaptive: 0, climatology: 0, persistence: 0 };
    let count = 0;
    for (let i = 0; i + h < n; i++) {
      if (Number.isNaN(filtered[i * K] as number)) continue;
      const y = REGIMES.indexOf(truth[i + h] as Regime);
      const score = (p: (j: number) => number, m: ForecastMethod): void => {
        ll[m] -= Math.log(Math.max(1e-12, p(y)));
        let b = 0;
        for (let j = 0; j < K; j++) b += (p(j) - (j === y ? 1 : 0)) ** 2;
        br[m] += b;
      };
      score((j) => fc[(i * horizons + k) * K + j] as number, 'adaptive');
      score((j) => freq[j] as number, 'climatology');
      score((j) => filtered[i * K + j] as number, 'persistence');
      count++;
    }
    for (const m of FORECAST_METHODS) {
      ll[m] /= count;
      br[m] /= count;
    }
    return { h, logLoss: ll, brier: br };
  });
  const free = scaleFreeOracleFilter(c.model, s);
  const labels: Record<FamilyMethod, Regime[]> = {
    adaptive: adaptiveLabels,
    oracle: oracleFilter(c.model, s).regime,
    'volatility rule': volatilityRule(s.close),
    'template filter': runClassifier(s, new RegimeClassifier()),
    'adaptive, argmax': argmaxLabels,
    'scale-free oracle': free.regime,
    'scale-free oracle, labelled': labelSeries(free.probabilities, ADAPTIVE_LABEL_RULE),
  };
  const balancedAccuracy = {} as Record<FamilyMethod, number>;
  for (const m of FAMILY_METHODS) balancedAccuracy[m] = scoreRegimes(truth, labels[m]).balancedAccuracy;
  const delays: number[] = [];
  let crashes = 0;
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] !== 'crash' || truth[i - 1] === 'crash') continue;
    crashes++;
    for (let j = i; j < truth.length && truth[j] === 'crash'; j++)
      if (labels.adaptive[j] === 'crash') {
        delays.push(j - i);
        break;
      }
  }
  delays.sort((a, b) => a - b);
  return {
    caseId: c.id,
    seed,
    balancedAccuracy,
    crashDelay: delays.length ? (delays[delays.length >> 1] as number) : Number.NaN,
    crashes,
    crashesCaught: delays.length,
    forecast,
  };
}

export function familyCase(id: string): FamilyCase {
  const c = FAMILY.find((x) => x.id === id);
  if (!c) throw new RangeError(`no family case "${id}"`);
  return c;
}
