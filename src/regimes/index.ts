/** Market regimes: online classification with probabilities, transitions and alerts. Pure. */
export { DEFAULT_TEMPLATES, RegimeClassifier, type RegimeClassifierOptions, type RegimeTemplate } from './classifier.ts';
export { type LabelerOptions, type OnlineRegimeClassifier, type RegimeAlert, RegimeLabeler, type RegimeOutput } from './labeler.ts';
