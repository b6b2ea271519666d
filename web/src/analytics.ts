/**
 * Client-side analytics for the dashboard: the project's pure indicator and level code, run in
 * the browser on the bars in view (the server sends bars; overlays are computed here).
 */
import type { BarSeries } from '../../src/core/market.ts';
import { computeIndicator, type IndicatorInfo } from '../../src/indicators/index.ts';
import { scanCandlesticks } from '../../src/patterns/candlestick.ts';
import { findLevels, type Level } from '../../src/patterns/levels.ts';

export type Catalogue = IndicatorInfo[];

export interface OverlayResult {
  outputs: { name: string; values: Float64Array }[];
}

export interface Annotations {
  patterns: { ts: number; direction: number; name: string }[];
  levels: Level[];
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

/** Candlestick patterns (TA-Lib's, on the bars in view) and support/resistance levels. */
export function annotate(series: BarSeries): Annotations {
  const patterns: Annotations['patterns'] = [];
  for (const [name, hits] of Object.entries(scanCandlesticks(series))) {
    hits.forEach((v, i) => {
      if (v !== 0) patterns.push({ ts: series.time[i] as number, direction: v, name: name.replace(/^CDL/, '') });
    });
  }
  patterns.sort((a, b) => a.ts - b.ts);
  return { patterns, levels: findLevels(series) };
}
