/** Precision and recall of chart-pattern detection on planted patterns (see README). */
import { CHART_PATTERNS, type ChartPatternHit, type ChartPatternKind, detectChartPatterns } from './chart.ts';
import { plantPattern } from './generator.ts';

export interface PatternScore {
  pattern: ChartPatternKind;
  planted: number;
  found: number;
  /** Every hit of this kind that is not the first match of a planted pattern (duplicates included). */
  falseHits: number;
  /** Of `falseHits`: further hits of this kind on a pattern already found (a second copy of one formation). */
  duplicates: number;
  precision: number;
  recall: number;
}

/** One scored detection, for calibrating a hit's confidence against its measured precision. */
export interface ScoredHit {
  pattern: ChartPatternKind;
  confidence: number;
  right: boolean;
}

/**
 * Protocol: for each kind, `perKind` series with that pattern planted, plus `perKind` pure random
 * walks. A detection of kind K is a true positive when K was planted and the hit overlaps at least
 * half of the planted span — once per planted pattern: a second hit on the same planted pattern is
 * a false positive (a user shown two formations where there is one is misled). Any other detection
 * of kind K (other series, other places) is false.
 */
export function scoreChartPatterns(
  perKind = 40,
  seed0 = 1,
  confirmedOnly = true,
  detect: (p: ReturnType<typeof plantPattern>) => ChartPatternHit[] = (p) => detectChartPatterns(p.series),
  hitsOut?: ScoredHit[],
): PatternScore[] {
  const found = new Map<ChartPatternKind, number>();
  const falseHits = new Map<ChartPatternKind, number>();
  const dups = new Map<ChartPatternKind, number>();
  const inc = (m: Map<ChartPatternKind, number>, k: ChartPatternKind): void => {
    m.set(k, (m.get(k) ?? 0) + 1);
  };
  const samples = [...CHART_PATTERNS.map((k) => k as ChartPatternKind | null), null];
  let seed = seed0;
  for (const kind of samples) {
    for (let r = 0; r < perKind; r++) {
      const p = plantPattern(kind, seed++);
      let hitPlanted = false;
      for (const h of detect(p).filter((x) => !confirmedOnly || x.breakout !== null)) {
        const overlap = Math.min(h.endIndex, p.end) - Math.max(h.startIndex, p.start);
        const ok = kind === h.pattern && overlap >= 0.5 * (p.end - p.start);
        const first = ok && !hitPlanted;
        if (first) {
          hitPlanted = true;
          inc(found, h.pattern);
        } else {
          inc(falseHits, h.pattern);
          if (ok) inc(dups, h.pattern);
        }
        hitsOut?.push({ pattern: h.pattern, confidence: h.confidence, right: first });
      }
    }
  }
  return CHART_PATTERNS.map((pattern) => {
    const tp = found.get(pattern) ?? 0;
    const fp = falseHits.get(pattern) ?? 0;
    return {
      pattern,
      planted: perKind,
      found: tp,
      falseHits: fp,
      duplicates: dups.get(pattern) ?? 0,
      precision: tp + fp ? tp / (tp + fp) : Number.NaN,
      recall: tp / perKind,
    };
  });
}
