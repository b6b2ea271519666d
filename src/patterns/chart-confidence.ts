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
  slope: 4.9136,
  intercept: {
    double_top: -0.3066,
    double_bottom: -0.5581,
    triple_top: 0.8041,
    triple_bottom: 1.596,
    head_and_shoulders: 2.2165,
    inverse_head_and_shoulders: 1.4887,
    ascending_triangle: 2.3092,
    descending_triangle: 1.7785,
    symmetrical_triangle: -0.6222,
    rising_wedge: 0.3804,
    falling_wedge: 0.1216,
    channel_up: 2.424,
    channel_down: 1.5521,
    bull_flag: 0.6919,
    bear_flag: 0.2561,
    bull_pennant: 2.8167,
    bear_pennant: 2.7468,
  },
};

export function hitConfidence(kind: ChartPatternKind, geometry: number, model: HitConfidenceModel = HIT_CONFIDENCE): number {
  return 1 / (1 + Math.exp(-(model.intercept[kind] + model.slope * (geometry - 0.5))));
}
