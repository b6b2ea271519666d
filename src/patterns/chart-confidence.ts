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
  slope: 6.42502,
  intercept: {
    double_top: 1.09441,
    double_bottom: 0.61,
    triple_top: 0.53722,
    triple_bottom: 1.34662,
    head_and_shoulders: 1.81908,
    inverse_head_and_shoulders: 1.07406,
    ascending_triangle: 1.96012,
    descending_triangle: 1.48292,
    symmetrical_triangle: 0.03875,
    rising_wedge: 0.09114,
    falling_wedge: -0.14064,
    channel_up: 2.13957,
    channel_down: 1.28857,
    bull_flag: 0.55703,
    bear_flag: 0.10766,
    bull_pennant: 2.8439,
    bear_pennant: 2.7766,
  },
};

export function hitConfidence(kind: ChartPatternKind, geometry: number, model: HitConfidenceModel = HIT_CONFIDENCE): number {
  return 1 / (1 + Math.exp(-(model.intercept[kind] + model.slope * (geometry - 0.5))));
}
