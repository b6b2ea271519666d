/**
 * Client-side analytics for the dashboard: the project's pure indicator and level code, run in
 * the browser on the bars in view (the server sends bars; overlays are computed here).
 */
import type { BarSeries } from '../../src/core/market.ts';
import { computeIndicator, type IndicatorInfo } from '../../src/indicators/index.ts';
import { scanCandlesticks } from '../../src/patterns/candlestick.ts';
import { type ChartPatternHit, detectChartPatterns } from '../../src/patterns/chart.ts';
import { findLevels, type Level } from '../../src/patterns/levels.ts';

export type Catalogue = IndicatorInfo[];

export interface OverlayResult {
  outputs: { name: string; values: Float64Array }[];
}

export interface Annotations {
  patterns: { ts: number; direction: number; name: string }[];
  levels: Level[];
  /** Chart patterns with a confirmed breakout, latest last, each line as a segment over its span. */
  chart: { hit: ChartPatternHit; segments: { from: number; to: number; a: number; b: number }[] }[];
}

export function computeOverlay(name: string, series: BarSeries): OverlayResult | undefined {
  try {
    const out = computeIndicator(name, series);
    return { outputs: Object.entries(out).map(([n, values]) => ({ name: n, values })) };
  } catch {
    // Too few bars for the indicator's parameters, or an unknown name: nothing to draw.
    return undefined;
  }
}

/** Candlestick patterns (TA-Lib's, on the bars in view), chart patterns and support/resistance levels. */
export function annotate(series: BarSeries, maxChart = 3): Annotations {
  const patterns: Annotations['patterns'] = [];
  for (const [name, hits] of Object.entries(scanCandlesticks(series))) {
    hits.forEach((v, i) => {
      if (v !== 0) patterns.push({ ts: series.time[i] as number, direction: v, name: name.replace(/^CDL/, '') });
    });
  }
  patterns.sort((a, b) => a.ts - b.ts);
  const chart = detectChartPatterns(series)
    .filter((h) => h.breakoutIndex !== null)
    .slice(-maxChart)
    .map((hit) => ({
      hit,
      // Each line from the pattern's first pivot to its breakout, in bar indices (price = a + b·index).
      segments: hit.lines.map(({ line }) => ({ from: hit.startIndex, to: hit.breakoutIndex as number, a: line.a, b: line.b })),
    }));
  return { patterns, levels: findLevels(series), chart };
}
