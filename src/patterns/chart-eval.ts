/** Precision and recall of chart-pattern detection on planted patterns (see README). */
import { CHART_PATTERNS, type ChartPatternHit, type ChartPatternKind, detectChartPatterns } from './chart.ts';
import type { HitConfidenceModel } from './chart-confidence.ts';
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
  geometry: number;
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
        hitsOut?.push({ pattern: h.pattern, confidence: h.confidence, geometry: h.geometry, right: first });
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

/**
 * Fits the hit-confidence model (chart-confidence.ts) on the confirmed hits of planted seeds from
 * `seed0`: logistic regression of "right" on one intercept per kind and a common slope on the
 * geometric score, by alternating one-dimensional Newton steps. Each kind carries a pseudo-pair
 * (one right, one wrong hit at geometry ½) so a kind that was always right does not get certainty.
 */
export function fitHitConfidence(perKind = 40, seed0 = 1): HitConfidenceModel {
  const hits: ScoredHit[] = [];
  scoreChartPatterns(perKind, seed0, true, undefined, hits);
  const rows = [
    ...hits.map((h) => ({ k: h.pattern, x: h.geometry - 0.5, y: h.right ? 1 : 0 })),
    ...CHART_PATTERNS.flatMap((k) => [
      { k, x: 0, y: 1 },
      { k, x: 0, y: 0 },
    ]),
  ];
  const a = new Map<ChartPatternKind, number>(CHART_PATTERNS.map((k) => [k, 0]));
  let b = 0;
  const p = (r: { k: ChartPatternKind; x: number }): number => 1 / (1 + Math.exp(-((a.get(r.k) as number) + b * r.x)));
  for (let iter = 0; iter < 200; iter++) {
    let moved = 0;
    for (const k of CHART_PATTERNS) {
      let g = 0;
      let h = 0;
      for (const r of rows) {
        if (r.k !== k) continue;
        const q = p(r);
        g += q - r.y;
        h += q * (1 - q);
      }
      const step = g / h;
      a.set(k, (a.get(k) as number) - step);
      moved = Math.max(moved, Math.abs(step));
    }
    let g = 0;
    let h = 0;
    for (const r of rows) {
      const q = p(r);
      g += (q - r.y) * r.x;
      h += q * (1 - q) * r.x * r.x;
    }
    const step = h > 0 ? g / h : 0;
    b -= step;
    moved = Math.max(moved, Math.abs(step));
    if (moved < 1e-10) break;
  }
  return {
    slope: b,
    intercept: Object.fromEntries(CHART_PATTERNS.map((k) => [k, a.get(k) as number])) as Record<ChartPatternKind, number>,
  };
}
