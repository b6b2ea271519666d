/** Market regimes: online classification with probabilities, transitions and alerts. Pure. */

export {
  type AdaptiveCheckpoint,
  type AdaptiveFit,
  AdaptiveRegimeClassifier,
  type AdaptiveRegimeOptions,
  fatTailed,
} from './adaptive.ts';
export { volatilityRule } from './baseline.ts';
export { type ChangePoint, returnChangePoints } from './bocpd.ts';
export { DEFAULT_TEMPLATES, RegimeClassifier, type RegimeClassifierOptions, type RegimeTemplate } from './classifier.ts';
export {
  ADAPTIVE_FALLBACK,
  type AdaptiveState,
  adaptiveState,
  classifySeries,
  FORECAST_BARS,
  type RegimeChange,
  regimeForecast,
  type SeriesClassification,
  smoothClassification,
} from './classify-series.ts';
export {
  changesPerYear,
  type Episode,
  type EpisodeShare,
  EUSTOCK_EPISODES,
  episodeShares,
  FITS,
  NYSE_EPISODES,
  NYSE_SUMMARY_EPISODES,
} from './episodes.ts';
export { type RegimeScore, scoreRegimes } from './evaluate.ts';
export {
  FAMILY,
  FAMILY_HELDOUT_SEEDS,
  FAMILY_TUNING_SEEDS,
  type FamilyCase,
  oracleFilter,
  type PlantedModel,
  plantedSeries,
  scaleFreeOracleFilter,
} from './family.ts';
export {
  FAMILY_METHODS,
  type FamilyMethod,
  type FamilyScore,
  FORECAST_HORIZONS,
  FORECAST_METHODS,
  type ForecastMethod,
  scoreFamilyCase,
} from './family-eval.ts';
export { type FamilyCaseResult, type FamilyForecastResult, type FamilyScorecard, scoreFamily } from './family-scorecard.ts';
export { checkEpisodes, type EpisodeCheck, labelShares } from './history.ts';
export { type LabelerOptions, type OnlineRegimeClassifier, type RegimeAlert, RegimeLabeler, type RegimeOutput } from './labeler.ts';
export {
  type PlantedBarSimulator,
  type PlantedBars,
  REGIME_METHODS,
  type RegimeMethod,
  type RegimeModel,
  regimeModel,
  TRAINING_SEED,
  trainingTimeframe,
} from './model-choice.ts';
export { ProfileGridFilter, type ProfileGridOptions, type ProfileGridState } from './profile-grid.ts';
export {
  type ChangePointScore,
  SIMULATION_METHODS,
  type SimulationScorecard,
  scoreChangePoints,
  scoreOnSimulation,
} from './scorecard.ts';
export { TrendVolatility, trendAndVolatility, type VolatilityRegime } from './trend.ts';
