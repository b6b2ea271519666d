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
  slope: 7.67458,
  intercept: {
    double_top: 0.91913,
    double_bottom: 0.42892,
    triple_top: 0.32616,
    triple_bottom: 1.15648,
    head_and_shoulders: 1.52063,
    inverse_head_and_shoulders: 0.75133,
    ascending_triangle: 1.69945,
    descending_triangle: 1.26641,
    symmetrical_triangle: -0.29945,
    rising_wedge: 0.3981,
    falling_wedge: -0.04248,
    channel_up: 1.93389,
    channel_down: 1.09179,
    bull_flag: 0.4481,
    bear_flag: -0.01358,
    bull_pennant: 2.86771,
    bear_pennant: 2.80387,
  },
};

export function hitConfidence(kind: ChartPatternKind, geometry: number, model: HitConfidenceModel = HIT_CONFIDENCE): number {
  return 1 / (1 + Math.exp(-(model.intercept[kind] + model.slope * (geometry - 0.5))));
}
