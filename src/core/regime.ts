/** The six market regimes, in a fixed order used by every probability vector. */
export const REGIMES = ['bull', 'bear', 'sideways', 'high_volatility', 'crash', 'recovery'] as const;
export type Regime = (typeof REGIMES)[number];

export function isRegime(s: string): s is Regime {
  return (REGIMES as readonly string[]).includes(s);
}

export function regimeIndex(r: Regime): number {
  return REGIMES.indexOf(r);
}
