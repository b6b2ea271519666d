/**
 * A whole series through an online classifier, as `emp regimes` reports it: causal labels and
 * probabilities per bar, label changes and the transition matrix; optionally relabelled by the
 * two-sided (smoothed) probabilities of an HMM; and the adaptive classifier's own state.
 */
import type { BarSeries } from '../core/market.ts';
import { REGIMES, type Regime } from '../core/regime.ts';
import { AdaptiveRegimeClassifier, GRID_ANSWERS_FROM, MIN_CALIBRATION_BARS } from './adaptive.ts';
import { RegimeClassifier } from './classifier.ts';
import { type RegimeHmm, smoothedRegimeProbabilities } from './hmm-classifier.ts';
import type { OnlineRegimeClassifier } from './labeler.ts';

export interface RegimeChange {
  time: number;
  from: Regime;
  to: Regime;
  /** The new regime's probability at the change. */
  probability: number;
}

export interface SeriesClassification {
  regime: Regime[];
  probabilities: Record<Regime, number[]>;
  changes: RegimeChange[];
  transitionMatrix: { labels: Regime[]; matrix: number[][] };
  classifier: OnlineRegimeClassifier;
}

/** Runs the online classifier over a series: causal labels, probabilities, changes, transitions. */
export function classifySeries(s: BarSeries, make: () => OnlineRegimeClassifier = () => new RegimeClassifier()): SeriesClassification {
  const c = make();
  const regime: Regime[] = [];
  const probabilities = Object.fromEntries(REGIMES.map((r) => [r, [] as number[]])) as Record<Regime, number[]>;
  const changes: RegimeChange[] = [];
  let prev: Regime | undefined;
  const bar: { close: number; high?: number; low?: number; volume?: number; time?: number } = { close: 0 };
  for (let i = 0; i < s.close.length; i++) {
    bar.close = s.close[i] as number;
    bar.time = s.time[i] as number;
    if (s.hasOhlc) {
      bar.high = s.high[i] as number;
      bar.low = s.low[i] as number;
    }
    if (s.hasVolume) bar.volume = s.volume[i] as number;
    const o = c.update(bar);
    regime.push(o.regime);
    for (const [k, r] of REGIMES.entries()) probabilities[r].push(o.probabilities[k] as number);
    if (o.changed && prev !== undefined)
      changes.push({
        time: s.time[i] as number,
        from: prev,
        to: o.regime,
        probability: o.probabilities[REGIMES.indexOf(o.regime)] as number,
      });
    prev = o.regime;
  }
  return { regime, probabilities, changes, transitionMatrix: c.transitionMatrix(), classifier: c };
}

/**
 * Two-sided relabelling, in place: each bar's probabilities become the HMM's smoothed ones given
 * the whole series (bars before the features start keep their causal values), its label the most
 * probable regime, and the changes are recounted from those labels.
 */
export function smoothClassification(r: SeriesClassification, hmm: RegimeHmm, s: BarSeries): void {
  smoothedRegimeProbabilities(hmm, s).forEach((p, i) => {
    if (Number.isNaN(p[0])) return;
    for (const [k, x] of REGIMES.entries()) (r.probabilities[x] as number[])[i] = p[k] as number;
    r.regime[i] = REGIMES[p.indexOf(Math.max(...p))] as Regime;
  });
  r.changes = [];
  for (let i = 1; i < s.close.length; i++)
    if (r.regime[i] !== r.regime[i - 1])
      r.changes.push({
        time: s.time[i] as number,
        from: r.regime[i - 1] as Regime,
        to: r.regime[i] as Regime,
        probability: r.probabilities[r.regime[i] as Regime][i] as number,
      });
}

/** Horizons (bars) of the adaptive classifier's regime forecast from the last bar. */
export const FORECAST_BARS = [1, 5, 20] as const;

export interface AdaptiveState {
  calibrated: boolean;
  /** What answered instead of a calibration (ADAPTIVE_FALLBACK), or null when calibrated. */
  fallback: string | null;
  usesVolume: boolean;
  forecast: false | { horizons: number[]; probabilities: Record<Regime, number[]> };
  fittedTransitionMatrix: { labels: Regime[]; matrix: number[][] } | null;
}

/** What answered before the adaptive classifier's first calibration: the same words in `emp regimes` JSON and the live event. */
export const ADAPTIVE_FALLBACK = `fewer than ${MIN_CALIBRATION_BARS} returns: not calibrated on this series yet (no volume, no forecast); the profile-grid filter answered from the ${GRID_ANSWERS_FROM}th return, the template filter (fixed volatility ratios) before it`;

/** The calibrated classifier's forecast from its last bar, 1, 5 and 20 bars ahead, keyed by regime (false before a calibration). */
export function regimeForecast(c: AdaptiveRegimeClassifier): false | { horizons: number[]; probabilities: Record<Regime, number[]> } {
  if (!c.calibrated) return false;
  const f = FORECAST_BARS.map((h) => c.forecast(h));
  return {
    horizons: [...FORECAST_BARS],
    probabilities: Object.fromEntries(REGIMES.map((x, k) => [x, f.map((p) => p[k] as number)])) as Record<Regime, number[]>,
  };
}

/**
 * The adaptive classifier's own state after a series: whether it is calibrated (else the
 * template filter's fallback answered), its forecast from the last bar, and its fitted
 * transition matrix. Undefined for the other classifiers.
 */
export function adaptiveState(c: OnlineRegimeClassifier): AdaptiveState | undefined {
  if (!(c instanceof AdaptiveRegimeClassifier)) return undefined;
  return {
    calibrated: c.calibrated,
    fallback: c.calibrated ? null : ADAPTIVE_FALLBACK,
    usesVolume: c.calibration?.useVolume ?? false,
    forecast: regimeForecast(c),
    fittedTransitionMatrix: c.calibration
      ? { labels: [...REGIMES], matrix: REGIMES.map((_, i) => Array.from(c.calibration?.trans.subarray(i * 6, i * 6 + 6) ?? [])) }
      : null,
  };
}
