/** The dashboard's client-side annotations (run in the browser; pure, so tested here directly). */
import { describe, expect, it } from 'vitest';
import { plantPattern } from '../../src/patterns/generator.ts';
import { annotate } from '../../web/src/analytics.ts';

describe('dashboard annotations', () => {
  it('include the latest confirmed chart patterns with their lines as drawable segments', () => {
    const p = plantPattern('head_and_shoulders', 7);
    const notes = annotate(p.series);
    const hs = notes.chart.find((c) => c.hit.pattern === 'head_and_shoulders');
    expect(hs).toBeDefined();
    if (!hs) return;
    expect(notes.chart.length).toBeLessThanOrEqual(3);
    for (const c of notes.chart) expect(c.hit.breakoutIndex).not.toBeNull();
    // The neckline segment runs from the first pivot to the breakout and passes through both troughs.
    const [seg] = hs.segments;
    expect(seg?.from).toBe(hs.hit.startIndex);
    expect(seg?.to).toBe(hs.hit.breakoutIndex);
    for (const trough of [hs.hit.pivots[1], hs.hit.pivots[3]])
      expect((seg?.a ?? 0) + (seg?.b ?? 0) * (trough?.index ?? 0)).toBeCloseTo(trough?.price ?? 0, 9);
  });
});
