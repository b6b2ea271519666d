/**
 * The engine's goals on the scenario family (issue 14): an RMSE at most 0.9× the plain median's,
 * 1.25× the oracle's and 1.1× the best single source's (chosen after the fact per feed), and a
 * 95 % interval that covers 92–97 % of the scored seconds.
 */
import type { FamilyRow } from './family-eval.ts';

export const ENGINE_GOALS = { median: 0.9, oracle: 1.25, bestSingle: 1.1, coverage: [0.92, 0.97] } as const;

/** The RMSE (bps) of the references a scenario's methods are divided by; absent when not scored. */
export function referenceRmse(row: FamilyRow): { oracle?: number; median?: number; best?: number } {
  const by = (m: string) => row.scores.find((x) => x.method === m)?.rmseBps;
  return { oracle: by('oracle'), median: by('median'), best: by('best single source') };
}

export type GoalMiss =
  | { goal: 'median' | 'oracle' | 'best single'; ratio: number; limit: number }
  | { goal: 'coverage'; coverage: number; limits: readonly [number, number] };

/** The goals the engine misses on a scenario ([] for none), or undefined when the engine or a reference was not scored. */
export function engineGoalMisses(row: FamilyRow): GoalMiss[] | undefined {
  const e = row.scores.find((x) => x.method === 'engine');
  const { oracle, median, best } = referenceRmse(row);
  if (!(e && oracle && median && best)) return undefined;
  const misses: GoalMiss[] = [];
  if (e.rmseBps > ENGINE_GOALS.median * median) misses.push({ goal: 'median', ratio: e.rmseBps / median, limit: ENGINE_GOALS.median });
  if (e.rmseBps > ENGINE_GOALS.oracle * oracle) misses.push({ goal: 'oracle', ratio: e.rmseBps / oracle, limit: ENGINE_GOALS.oracle });
  if (e.rmseBps > ENGINE_GOALS.bestSingle * best)
    misses.push({ goal: 'best single', ratio: e.rmseBps / best, limit: ENGINE_GOALS.bestSingle });
  const [low, high] = ENGINE_GOALS.coverage;
  if (e.coverage !== null && (e.coverage < low || e.coverage > high))
    misses.push({ goal: 'coverage', coverage: e.coverage, limits: [low, high] });
  return misses;
}
