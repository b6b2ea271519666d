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
  slope: 4.90161,
  intercept: {
    double_top: -0.30434,
    double_bottom: -0.55579,
    triple_top: 0.80629,
    triple_bottom: 1.59811,
    head_and_shoulders: 2.21977,
    inverse_head_and_shoulders: 1.49206,
    ascending_triangle: 2.31216,
    descending_triangle: 1.78103,
    symmetrical_triangle: 0.46102,
    rising_wedge: 0.3828,
    falling_wedge: 0.12377,
    channel_up: 2.42643,
    channel_down: 1.55433,
    bull_flag: 0.69299,
    bear_flag: 0.2573,
    bull_pennant: 2.8165,
    bear_pennant: 2.74657,
  },
};

export function hitConfidence(kind: ChartPatternKind, geometry: number, model: HitConfidenceModel = HIT_CONFIDENCE): number {
  return 1 / (1 + Math.exp(-(model.intercept[kind] + model.slope * (geometry - 0.5))));
}
