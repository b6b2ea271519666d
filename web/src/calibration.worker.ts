/**
 * The signals scorecard of the bars in view, off the page's thread: evaluateSeries runs every
 * strategy bar by bar with walk-forward calibration (a second or so on a few thousand bars), which
 * would freeze the chart if it ran beside the live ticks.
 */
import type { BarSeries } from '../../src/core/market.ts';
import { evaluateSeries, type SeriesReport, type SeriesReportOptions } from '../../src/signals/report.ts';

export interface CalibrationRequest {
  id: number;
  series: BarSeries;
  opts: SeriesReportOptions;
}

export type CalibrationResponse = { id: number; report: SeriesReport; ms: number } | { id: number; error: string };

self.onmessage = (e: MessageEvent<CalibrationRequest>) => {
  const { id, series, opts } = e.data;
  const t0 = performance.now();
  let out: CalibrationResponse;
  try {
    out = { id, report: evaluateSeries(series, opts), ms: performance.now() - t0 };
  } catch (err) {
    out = { id, error: String((err as Error).message ?? err) };
  }
  self.postMessage(out);
};
