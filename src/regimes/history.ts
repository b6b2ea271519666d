/**
 * Real history as a check on the classifiers: what each labels a series' known episodes as, how
 * often its label changes, and the share of each label over a series without dated episodes.
 */
import type { BarSeries } from '../core/market.ts';
import { REGIMES, type Regime } from '../core/regime.ts';
import { classifySeries } from './classify-series.ts';
import { changesPerYear, type Episode, type EpisodeShare, episodeShares } from './episodes.ts';
import type { OnlineRegimeClassifier } from './labeler.ts';

export interface EpisodeCheck {
  classifier: string;
  episodes: EpisodeShare[];
  changesPerYear: number;
}

/** Each named classifier over the series: its labels' shares in each episode, and its label changes a year. */
export function checkEpisodes(
  s: BarSeries,
  episodes: readonly Episode[],
  classifiers: readonly (readonly [name: string, make: () => OnlineRegimeClassifier])[],
): EpisodeCheck[] {
  return classifiers.map(([classifier, make]) => {
    const labels = classifySeries(s, make).regime;
    return { classifier, episodes: episodeShares(s.time, labels, episodes), changesPerYear: changesPerYear(s.time, labels) };
  });
}

/** The share of the bars given each label (REGIMES order). */
export function labelShares(labels: readonly Regime[]): Record<Regime, number> {
  return Object.fromEntries(REGIMES.map((r) => [r, labels.filter((x) => x === r).length / labels.length])) as Record<Regime, number>;
}
