/** Market regimes: online classification with probabilities, transitions and alerts. Pure. */
export {
  DEFAULT_TEMPLATES,
  type RegimeAlert,
  RegimeClassifier,
  type RegimeClassifierOptions,
  type RegimeOutput,
  type RegimeTemplate,
} from './classifier.ts';
