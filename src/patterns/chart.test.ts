import { describe, expect, it } from 'vitest';
import type { BarSeries } from '../core/market.ts';
import { Rng } from '../core/random.ts';
import { CHART_PATTERNS, type ChartPatternHit, type ChartPatternKind, detectChartPatterns } from './chart.ts';
import { HIT_CONFIDENCE } from './chart-confidence.ts';
import { fitHitConfidence, type ScoredHit, scoreChartPatterns } from './chart-eval.ts';
import { plantPattern } from './generator.ts';
import type { Pivot } from './levels.ts';

describe('chart patterns', () => {
  // Thresholds were tuned on seeds from 1; this checks seeds from 1001, never tuned on (they were
  // scored after earlier tuning rounds; the double tops' rule was then scored once on fresh seeds
  // 20001… and 30001…, see README).
  // The floors are the targets (#20: ≥ 80 % precision at ≥ 85 % recall, wedges ≥ 70 %),
  // set before measuring, not the measured figures; a second hit on a planted pattern counts as false.
  const held = scoreChartPatterns(40, 1001);
  const mean = (f: (s: (typeof held)[number]) => number): number => held.reduce((a, s) => a + f(s), 0) / held.length;

  it('on held-out planted patterns in noise: mean recall ≥ 0.85 and mean precision ≥ 0.8, duplicates counted as false (see README)', () => {
    expect(held.map((s) => s.pattern)).toEqual([...CHART_PATTERNS]);
    expect(mean((s) => s.recall)).toBeGreaterThanOrEqual(0.85);
    expect(mean((s) => (Number.isNaN(s.precision) ? 0 : s.precision))).toBeGreaterThanOrEqual(0.8);
    // Every kind is found at least sometimes.
    for (const s of held) expect(s.found).toBeGreaterThan(0);
  });

  it('wedges, double tops and bottoms: precision and recall ≥ 0.7 on two held-out seed sets (the weakest kinds, duplicates counted)', () => {
    // Seeds 30001… are the set where wedges fell furthest (recall 65 and 60 % before the finer
    // zig-zag for wedges).
    for (const set of [held, scoreChartPatterns(40, 30001)]) {
      const weak = set.filter((x) => x.pattern.endsWith('wedge') || x.pattern.startsWith('double'));
      expect(weak).toHaveLength(4);
      for (const s of weak) {
        expect(s.precision, s.pattern).toBeGreaterThanOrEqual(0.7);
        expect(s.recall, s.pattern).toBeGreaterThanOrEqual(0.7);
      }
    }
  });

  it('one hit per formation: no two hits of one kind share two pivots or half their span; merging loses no planted pattern', () => {
    for (let seed = 5001; seed < 5001 + 17 * 6; seed++) {
      const kind = CHART_PATTERNS[seed % CHART_PATTERNS.length] as ChartPatternKind;
      const hits = detectChartPatterns(plantPattern(kind, seed).series);
      for (let i = 0; i < hits.length; i++)
        for (let j = i + 1; j < hits.length; j++) {
          const [x, y] = [hits[i], hits[j]] as [ChartPatternHit, ChartPatternHit];
          if (x.pattern !== y.pattern) continue;
          const shared = x.pivots.filter((p) => y.pivots.some((q) => q.index === p.index)).length;
          const overlap = Math.min(x.endIndex, y.endIndex) - Math.max(x.startIndex, y.startIndex);
          const shorter = Math.min(x.endIndex - x.startIndex, y.endIndex - y.startIndex);
          expect(shared).toBeLessThan(2);
          expect(overlap).toBeLessThan(0.5 * shorter);
        }
    }
    // The same held-out seeds without merging: every planted pattern found either way, and the
    // extra copies are exactly what merging removes.
    const unmerged = scoreChartPatterns(40, 1001, true, (p) => detectChartPatterns(p.series, { merge: false }));
    expect(held.map((s) => s.found)).toEqual(unmerged.map((s) => s.found));
    expect(held.reduce((a, s) => a + s.duplicates, 0)).toBe(0);
    expect(unmerged.reduce((a, s) => a + s.duplicates, 0)).toBeGreaterThan(0);
  });

  it('the protocol counts a second hit on one planted pattern as a false positive', () => {
    // A detector that reports every hit twice finds the same patterns and loses precision.
    const twice = scoreChartPatterns(10, 1001, true, (p) => detectChartPatterns(p.series).flatMap((h) => [h, h]));
    const once = scoreChartPatterns(10, 1001);
    for (const [k, s] of twice.entries()) {
      const o = once[k] as (typeof once)[number];
      expect(s.found).toBe(o.found);
      expect(s.duplicates).toBe(o.found);
      expect(s.falseHits).toBe(2 * o.falseHits + o.found);
    }
  });

  it('confidence is calibrated: the committed model is what fitting on the tuning seeds gives, and on held-out seeds its ECE is within sampling noise and below the raw geometry’s', () => {
    const fitted = fitHitConfidence();
    expect(HIT_CONFIDENCE.slope).toBeCloseTo(fitted.slope, 3);
    for (const k of CHART_PATTERNS) expect(HIT_CONFIDENCE.intercept[k]).toBeCloseTo(fitted.intercept[k], 3);
    const hits: ScoredHit[] = [];
    scoreChartPatterns(40, 1001, true, undefined, hits);
    const ece = (p: number[], y: number[]): number => {
      const bins = Array.from({ length: 10 }, () => ({ n: 0, p: 0, y: 0 }));
      p.forEach((q, i) => {
        const b = bins[Math.min(9, Math.floor(q * 10))] as { n: number; p: number; y: number };
        b.n++;
        b.p += q;
        b.y += y[i] as number;
      });
      return bins.reduce((a, b) => (b.n ? a + (b.n / p.length) * Math.abs(b.p / b.n - b.y / b.n) : a), 0);
    };
    const conf = hits.map((h) => h.confidence);
    const right = hits.map((h) => (h.right ? 1 : 0));
    // Sampling floor: the ECE of outcomes drawn from the stated confidences themselves.
    const rng = new Rng(5);
    let floor = 0;
    for (let d = 0; d < 100; d++)
      floor +=
        ece(
          conf,
          conf.map((q) => (rng.next() < q ? 1 : 0)),
        ) / 100;
    expect(ece(conf, right)).toBeLessThan(floor + 0.03);
    expect(ece(conf, right)).toBeLessThan(
      ece(
        hits.map((h) => h.geometry),
        right,
      ),
    );
  });

  it('head and shoulders: neckline through the two troughs, breakout at the first close below it, measured-move target', () => {
    const p = plantPattern('head_and_shoulders', 7);
    const hit = detectChartPatterns(p.series).find((h) => h.pattern === 'head_and_shoulders' && h.breakout !== null);
    expect(hit).toBeDefined();
    if (!hit) return;
    const [ls, t1, head, t2, rs] = hit.pivots;
    expect([ls?.kind, t1?.kind, head?.kind, t2?.kind, rs?.kind]).toEqual(['high', 'low', 'high', 'low', 'high']);
    expect(head?.price).toBeGreaterThan(Math.max(ls?.price ?? 0, rs?.price ?? 0));
    const neck = hit.lines[0]?.line as { a: number; b: number };
    const at = (i: number): number => neck.a + neck.b * i;
    expect(at(t1?.index as number)).toBeCloseTo(t1?.price as number, 9);
    expect(at(t2?.index as number)).toBeCloseTo(t2?.price as number, 9);
    const bo = hit.breakoutIndex as number;
    expect(p.series.close[bo] as number).toBeLessThan(at(bo));
    for (let i = (rs?.index as number) + 1; i < bo; i++) expect(p.series.close[i] as number).toBeGreaterThanOrEqual(at(i));
    const height = (head?.price as number) - at(head?.index as number);
    expect(hit.target).toBeCloseTo(at(bo) - height, 9);
    expect(hit.direction).toBe('bearish');
  });

  it('pennant: two narrowing swings after a steep pole; volume on the breakout raises confidence', () => {
    const p = plantPattern('bull_pennant', 11);
    const find = (): ChartPatternHit | undefined =>
      detectChartPatterns(p.series).find((h) => h.pattern === 'bull_pennant' && h.breakout !== null);
    const hit = find();
    expect(hit).toBeDefined();
    if (!hit) return;
    const [p0, p1, p2, p3, p4] = hit.pivots as [Pivot, Pivot, Pivot, Pivot, Pivot];
    expect(p1.price - p0.price).toBeGreaterThan(0);
    expect(p3.price).toBeLessThan(p1.price);
    expect(p4.price).toBeGreaterThan(p2.price);
    const bo = hit.breakoutIndex as number;
    const vol = p.series.volume;
    let avg = 0;
    for (let i = hit.startIndex; i <= hit.endIndex; i++) avg += (vol[i] as number) / (hit.endIndex - hit.startIndex + 1);
    vol[bo] = avg;
    const quiet = find() as ChartPatternHit;
    vol[bo] = 3 * avg;
    const loud = find() as ChartPatternHit;
    // A fifth of the geometric score: ratio 1 gives 0.1, ratio >= 2 gives 0.2; the calibrated
    // confidence rises with it.
    expect(loud.geometry - quiet.geometry).toBeCloseTo(0.1, 9);
    expect(loud.confidence).toBeGreaterThan(quiet.confidence);
  });

  it('too short a series: no hits, no error', () => {
    const p = plantPattern(null, 3);
    const s: BarSeries = {
      ...p.series,
      close: p.series.close.subarray(0, 10),
      open: p.series.open.subarray(0, 10),
      high: p.series.high.subarray(0, 10),
      low: p.series.low.subarray(0, 10),
      time: p.series.time.subarray(0, 10),
      volume: p.series.volume.subarray(0, 10),
    };
    expect(detectChartPatterns(s)).toEqual([]);
  });
});
