/**
 * Real history as a check: well-known episodes of a series, the regimes that fit each, and the
 * share of its bars a classifier labels as fits; label changes per year. Pure.
 */
import { REGIMES, type Regime } from '../core/regime.ts';

export interface Episode {
  name: string;
  /** ISO dates, inclusive. */
  from: string;
  to: string;
  kind: 'bull' | 'bear' | 'crash';
}

/** Which labels fit an episode: a bull market is rising (bull, or recovery early on), a bear market falling or in turmoil, a crash a crash or wild turmoil. */
export const FITS: Record<Episode['kind'], readonly Regime[]> = {
  bull: ['bull', 'recovery'],
  bear: ['bear', 'crash', 'high_volatility'],
  crash: ['crash', 'high_volatility'],
};

/** NYSE composite episodes (dates of the index's turning points, NBER-style market datings). */
export const NYSE_EPISODES: readonly Episode[] = [
  { name: '1973-74 bear market', from: '1973-01-11', to: '1974-10-03', kind: 'bear' },
  { name: '1982-87 bull market', from: '1982-08-13', to: '1987-08-25', kind: 'bull' },
  { name: 'October 1987 crash', from: '1987-10-14', to: '1987-10-26', kind: 'crash' },
  { name: '1990-98 bull market', from: '1990-10-12', to: '1998-07-17', kind: 'bull' },
  { name: '1995-99 bull market', from: '1995-01-03', to: '1999-12-31', kind: 'bull' },
  { name: '2000-02 bear market', from: '2000-09-01', to: '2002-10-09', kind: 'bear' },
];

/**
 * The NYSE episodes of the short `emp evaluate regimes` summary (without --family), as it has
 * always printed them: the October 1987 crash to the end of the month, the 1995-99 bull market as
 * the contrast where bear, crash and high_volatility should be rare.
 */
export const NYSE_SUMMARY_EPISODES: readonly Episode[] = [
  { name: '1973-74 bear market', from: '1973-01-11', to: '1974-10-03', kind: 'bear' },
  { name: 'October 1987 crash', from: '1987-10-14', to: '1987-10-30', kind: 'crash' },
  { name: '2000-02 bear market', from: '2000-09-01', to: '2002-10-09', kind: 'bear' },
  { name: '1995-99 bull market (contrast)', from: '1995-01-03', to: '1999-12-31', kind: 'bull' },
];

/**
 * EuStockMarkets episodes (the same dates for each index; the data end in late August 1998): the
 * 1995-98 bull market and the summer 1998 fall (Russia). The dataset has no dates, only business
 * time, so a few-day episode (the October 1997 sell-off) cannot be placed reliably and is left out.
 */
export const EUSTOCK_EPISODES: readonly Episode[] = [
  { name: '1995-98 bull market', from: '1995-03-01', to: '1998-07-17', kind: 'bull' },
  { name: 'summer 1998 fall', from: '1998-07-20', to: '1998-08-24', kind: 'bear' },
];

export interface EpisodeShare {
  episode: Episode;
  bars: number;
  /** Share of the episode's bars labelled as fits. */
  fits: number;
  /** Share per label (REGIMES order). */
  shares: Record<Regime, number>;
  /** Bars per label. */
  counts: Record<Regime, number>;
}

export function episodeShares(time: ArrayLike<number>, labels: readonly Regime[], episodes: readonly Episode[]): EpisodeShare[] {
  return episodes.map((episode) => {
    const a = Date.parse(episode.from);
    const b = Date.parse(episode.to) + 86_399_999;
    const counts = Object.fromEntries(REGIMES.map((r) => [r, 0])) as Record<Regime, number>;
    let n = 0;
    for (let i = 0; i < labels.length; i++) {
      const t = time[i] as number;
      if (t < a || t > b) continue;
      counts[labels[i] as Regime]++;
      n++;
    }
    const shares = Object.fromEntries(REGIMES.map((r) => [r, n ? counts[r] / n : Number.NaN])) as Record<Regime, number>;
    const fits = FITS[episode.kind].reduce((s, r) => s + shares[r], 0);
    return { episode, bars: n, fits, shares, counts };
  });
}

/** Label changes per year of calendar time. */
export function changesPerYear(time: ArrayLike<number>, labels: readonly Regime[]): number {
  let changes = 0;
  for (let i = 1; i < labels.length; i++) if (labels[i] !== labels[i - 1]) changes++;
  const years = ((time[labels.length - 1] as number) - (time[0] as number)) / (365.25 * 86_400_000);
  return years > 0 ? changes / years : Number.NaN;
}
