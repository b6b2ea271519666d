/** Market regimes: online classification with probabilities, transitions and alerts. Pure. */

export { type AdaptiveFit, AdaptiveRegimeClassifier, type AdaptiveRegimeOptions } from './adaptive.ts';
export { DEFAULT_TEMPLATES, RegimeClassifier, type RegimeClassifierOptions, type RegimeTemplate } from './classifier.ts';
export {
  FAMILY,
  FAMILY_HELDOUT_SEEDS,
  FAMILY_TUNING_SEEDS,
  type FamilyCase,
  oracleFilter,
  type PlantedModel,
  plantedSeries,
} from './family.ts';
export { type LabelerOptions, type OnlineRegimeClassifier, type RegimeAlert, RegimeLabeler, type RegimeOutput } from './labeler.ts';
export { trendAndVolatility, type VolatilityRegime } from './trend.ts';
