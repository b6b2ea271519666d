/** The six market regimes, in a fixed order used by every probability vector. */
export const REGIMES = ['bull', 'bear', 'sideways', 'high_volatility', 'crash', 'recovery'] as const;
export type Regime = (typeof REGIMES)[number];

export function isRegime(s: string): s is Regime {
  return (REGIMES as readonly string[]).includes(s);
}

export function regimeIndex(r: Regime): number {
  return REGIMES.indexOf(r);
}

/** Where the short-run volatility sits in the instrument's own history (below its 25th percentile, above its 75th, between). */
export type VolatilityRegime = 'low' | 'normal' | 'high';

/**
 * Why a reported regime label differs from the regime the bar's probabilities favour (hysteresis):
 * 'smoothing', the probabilities averaged over the last bars still favour the label; 'margin', the
 * new regime leads by less than the margin; 'dwell', the label has not yet lasted its minimum dwell.
 */
export type RegimeHoldReason = 'smoothing' | 'margin' | 'dwell';
