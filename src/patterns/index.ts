/** Candlestick patterns (TA-Lib's), chart patterns and support/resistance. Pure: runs in the browser. */
export { CANDLESTICK_PATTERNS, CandlestickScanner, scanCandlesticks } from './candlestick.ts';
export {
  CHART_PATTERNS,
  type ChartPatternHit,
  type ChartPatternKind,
  type ChartPatternOptions,
  detectChartPatterns,
  type Line,
} from './chart.ts';
export { findLevels, findPivots, type Level, type Pivot } from './levels.ts';
