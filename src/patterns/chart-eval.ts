/** Precision and recall of chart-pattern detection on planted patterns (see README). */
import { CHART_PATTERNS, type ChartPatternKind, detectChartPatterns } from './chart.ts';
import { plantPattern } from './generator.ts';

export interface PatternScore {
  pattern: ChartPatternKind;
  planted: number;
  found: number;
  falseHits: number;
  precision: number;
  recall: number;
}

/**
 * Protocol: for each kind, `perKind` series with that pattern planted, plus `perKind` pure random
 * walks. A detection of kind K is a true positive when K was planted and the hit overlaps at least
 * half of the planted span; any other detection of kind K (other series, other places) is false.
 */
export function scoreChartPatterns(perKind = 40, seed0 = 1, confirmedOnly = true): PatternScore[] {
  const found = new Map<ChartPatternKind, number>();
  const falseHits = new Map<ChartPatternKind, number>();
  const samples = [...CHART_PATTERNS.map((k) => k as ChartPatternKind | null), null];
  let seed = seed0;
  for (const kind of samples) {
    for (let r = 0; r < perKind; r++) {
      const p = plantPattern(kind, seed++);
      let hitPlanted = false;
      for (const h of detectChartPatterns(p.series).filter((x) => !confirmedOnly || x.breakout !== null)) {
        const overlap = Math.min(h.endIndex, p.end) - Math.max(h.startIndex, p.start);
        const ok = kind === h.pattern && overlap >= 0.5 * (p.end - p.start);
        if (ok && !hitPlanted) {
          hitPlanted = true;
          found.set(h.pattern, (found.get(h.pattern) ?? 0) + 1);
        } else if (!ok) falseHits.set(h.pattern, (falseHits.get(h.pattern) ?? 0) + 1);
      }
    }
  }
  return CHART_PATTERNS.map((pattern) => {
    const tp = found.get(pattern) ?? 0;
    const fp = falseHits.get(pattern) ?? 0;
    return { pattern, planted: perKind, found: tp, falseHits: fp, precision: tp + fp ? tp / (tp + fp) : Number.NaN, recall: tp / perKind };
  });
}
