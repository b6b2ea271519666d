/**
 * Scoring classifiers on the planted-regime family (family.ts): per parameterisation and seed,
 * balanced accuracy of the causal labels against the planted regimes, beside the oracle (the
 * true model's forward filter) and the baselines. Pure: callers print.
 */
import type { BarSeries } from '../core/market.ts';
import type { Regime } from '../core/regime.ts';
import { AdaptiveRegimeClassifier } from './adaptive.ts';
import { volatilityRule } from './baseline.ts';
import { RegimeClassifier } from './classifier.ts';
import { scoreRegimes } from './evaluate.ts';
import { FAMILY, type FamilyCase, oracleFilter, plantedSeries } from './family.ts';
import type { OnlineRegimeClassifier } from './labeler.ts';

/** Causal labels of an online classifier over a series (bar times passed so that gaps are seen). */
export function runClassifier(s: BarSeries, c: OnlineRegimeClassifier): Regime[] {
  const out: Regime[] = new Array(s.close.length);
  const bar: { close: number; volume?: number; time?: number } = { close: 0 };
  for (let i = 0; i < s.close.length; i++) {
    bar.close = s.close[i] as number;
    bar.time = s.time[i] as number;
    if (s.hasVolume) bar.volume = s.volume[i] as number;
    c.update(bar);
    out[i] = c.regime;
  }
  return out;
}

export const FAMILY_METHODS = ['adaptive', 'oracle', 'volatility rule', 'template filter'] as const;
export type FamilyMethod = (typeof FAMILY_METHODS)[number];

export interface FamilyScore {
  caseId: string;
  seed: number;
  /** Balanced accuracy per method. */
  balancedAccuracy: Record<FamilyMethod, number>;
  /** Median bars from a planted crash's start to the adaptive classifier's first crash label (NaN if none caught). */
  crashDelay: number;
  /** Crashes planted, and caught by the adaptive classifier before they ended. */
  crashes: number;
  crashesCaught: number;
}

/** Scores one parameterisation on one seed. `bars` overrides the case's length (shorter runs for tests). */
export function scoreFamilyCase(c: FamilyCase, seed: number, bars = c.bars): FamilyScore {
  const { bars: s, regime: truth } = plantedSeries(c.model, bars, seed);
  const labels: Record<FamilyMethod, Regime[]> = {
    adaptive: runClassifier(s, new AdaptiveRegimeClassifier()),
    oracle: oracleFilter(c.model, s).regime,
    'volatility rule': volatilityRule(s.close),
    'template filter': runClassifier(s, new RegimeClassifier()),
  };
  const balancedAccuracy = {} as Record<FamilyMethod, number>;
  for (const m of FAMILY_METHODS) balancedAccuracy[m] = scoreRegimes(truth, labels[m]).balancedAccuracy;
  const delays: number[] = [];
  let crashes = 0;
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] !== 'crash' || truth[i - 1] === 'crash') continue;
    crashes++;
    for (let j = i; j < truth.length && truth[j] === 'crash'; j++)
      if (labels.adaptive[j] === 'crash') {
        delays.push(j - i);
        break;
      }
  }
  delays.sort((a, b) => a - b);
  return {
    caseId: c.id,
    seed,
    balancedAccuracy,
    crashDelay: delays.length ? (delays[delays.length >> 1] as number) : Number.NaN,
    crashes,
    crashesCaught: delays.length,
  };
}

export function familyCase(id: string): FamilyCase {
  const c = FAMILY.find((x) => x.id === id);
  if (!c) throw new RangeError(`no family case "${id}"`);
  return c;
}
