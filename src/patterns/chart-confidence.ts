/**
 * A chart-pattern hit's confidence: the probability that it is a real formation of its kind,
 * calibrated against measured precision. A logistic model on the kind (one intercept each: a
 * double top is right far less often than a pennant) and the hit's geometric score (one slope),
 * fitted by `fitHitConfidence` (chart-eval.ts) on the planted patterns of seeds 1… (the tuning
 * seeds; the README's figures are on seeds 1001…). What it means: the precision of such hits where
 * half the series carry a planted pattern; on real prices, where patterns are rarer, it is an
 * upper bound. Regenerate with `fitHitConfidence()` after changing the detector (a test checks the
 * committed values are what it gives).
 */
import type { ChartPatternKind } from './chart.ts';

export interface HitConfidenceModel {
  slope: number;
  intercept: Record<ChartPatternKind, number>;
}

export const HIT_CONFIDENCE: HitConfidenceModel = {
  slope: 4.321,
  intercept: {
    double_top: -0.6119,
    double_bottom: -0.7457,
    triple_top: 1.2845,
    triple_bottom: 2.0426,
    head_and_shoulders: 1.6816,
    inverse_head_and_shoulders: 0.7275,
    ascending_triangle: 2.4558,
    descending_triangle: 1.9048,
    symmetrical_triangle: -0.4429,
    rising_wedge: 0.4976,
    falling_wedge: 0.2279,
    channel_up: 2.5464,
    channel_down: 1.6635,
    bull_flag: 0.7458,
    bear_flag: 0.3149,
    bull_pennant: 2.8065,
    bear_pennant: 2.7361,
  },
};

export function hitConfidence(kind: ChartPatternKind, geometry: number, model: HitConfidenceModel = HIT_CONFIDENCE): number {
  return 1 / (1 + Math.exp(-(model.intercept[kind] + model.slope * (geometry - 0.5))));
}
