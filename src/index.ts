/**
 * emp-market-data: the library's front door. The most used pieces by name; every layer has its
 * own entry too (`emp-market-data/indicators`, `/patterns`, `/regimes`, `/signals`, `/fusion`,
 * `/sources`, `/stream`, `/server`). Everything exported here runs in the browser as well.
 */
export * from './core/index.ts';
export { DEFAULT_FUSION, type FusionConfig, FusionEngine } from './fusion/index.ts';
export { computeIndicator, computeIndicatorStreaming, createIndicator, listIndicators } from './indicators/index.ts';
export { detectChartPatterns, findLevels, scanCandlesticks } from './patterns/index.ts';
export { RegimeClassifier } from './regimes/index.ts';
export { generateSignals } from './signals/index.ts';
export { MarketSimulator, simulateBars } from './sources/simulator/index.ts';
