/** Fusion: harmonizing many sources and fusing them into one price with an interval. Pure: no I/O. */
export { meanAggregate, medianAggregate, type Observation, pythAggregate } from './baselines.ts';
export { DEFAULT_FUSION, type FusionConfig, FusionEngine, type FusionResult, weightedMedian } from './engine.ts';
export {
  DEV_SEEDS,
  FAMILY_SCENARIOS,
  type FamilyFeed,
  type FamilyOptions,
  type FamilyScenario,
  familyFeed,
  HELD_OUT_SEEDS,
} from './family.ts';
export { evaluateFamily, evaluateScenario, type FamilyRow, type FamilyScore, scoreFeed } from './family-eval.ts';
export { ENGINE_GOALS, engineGoalMisses, type GoalMiss, referenceRmse } from './family-goals.ts';
export {
  ClockSkewEstimator,
  type HarmonizedQuote,
  type HarmonizedTrade,
  Harmonizer,
  type HarmonizerOptions,
  ImpliedRateEstimator,
  type SourceScale,
  timestampToMs,
  USD_STABLECOINS,
} from './harmonizer.ts';
export { ConsensusHistory, LAG_STEP_MS, LAG_STEPS, LeadLag, SourceTrace } from './lead-lag.ts';
export { DEFAULT_QUALITY, type QualityConfig, SourceQuality } from './quality.ts';
export {
  type FusedInstrument,
  type FusedRow,
  FusionReplay,
  fusedInstrument,
  type ReplayOptions,
  type ReplayRow,
  UNNAMED_SERIES,
} from './replay.ts';
export {
  exclusionReasons,
  type InstrumentReplaySummary,
  instrumentReplaySummary,
  medianQuoteInterval,
  unpricedRows,
} from './replay-summary.ts';
export {
  type FusionEvaluation,
  type MarketFault,
  type MethodScore,
  type SimulatedMarket,
  scoreContributorQuotes,
  scoreSimulatedMarket,
} from './scorecard.ts';
export { isV1Method, V1_METHODS, V1Fuser, type V1Method, type V1Options } from './strategies.ts';
