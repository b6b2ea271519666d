import { describe, expect, it } from 'vitest';
import type { BarSeries } from '../core/market.ts';
import { CHART_PATTERNS, type ChartPatternHit, detectChartPatterns } from './chart.ts';
import { scoreChartPatterns } from './chart-eval.ts';
import { plantPattern } from './generator.ts';
import type { Pivot } from './levels.ts';

describe('chart patterns', () => {
  // Thresholds were tuned on seeds from 1; this checks seeds from 1001, which the tuning never saw.
  it('on held-out planted patterns in noise: mean recall ≥ 0.8 and mean precision ≥ 0.6 (confirmed breakouts; see README for the table)', () => {
    const scores = scoreChartPatterns(40, 1001);
    expect(scores.map((s) => s.pattern)).toEqual([...CHART_PATTERNS]);
    const recall = scores.reduce((a, s) => a + s.recall, 0) / scores.length;
    const precision = scores.reduce((a, s) => a + (Number.isNaN(s.precision) ? 0 : s.precision), 0) / scores.length;
    expect(recall).toBeGreaterThanOrEqual(0.8);
    expect(precision).toBeGreaterThanOrEqual(0.6);
    // Every kind is found at least sometimes.
    for (const s of scores) expect(s.found).toBeGreaterThan(0);
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
    const quiet = find()?.confidence as number;
    vol[bo] = 3 * avg;
    const loud = find()?.confidence as number;
    // A fifth of the confidence: ratio 1 gives 0.1, ratio >= 2 gives 0.2.
    expect(loud - quiet).toBeCloseTo(0.1, 9);
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
