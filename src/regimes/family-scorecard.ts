/**
 * `emp evaluate regimes --family`: the per-seed scores of family-eval.ts gathered per
 * parameterisation (means over seeds, crash delays and catches) and over the whole family (means
 * per method, pooled regime-forecast scores).
 */
import type { AdaptiveRegimeOptions } from './adaptive.ts';
import type { FamilyCase } from './family.ts';
import {
  FAMILY_METHODS,
  type FamilyMethod,
  type FamilyScore,
  FORECAST_HORIZONS,
  FORECAST_METHODS,
  type ForecastMethod,
  scoreFamilyCase,
} from './family-eval.ts';

export interface FamilyCaseResult {
  case: FamilyCase;
  /** Balanced accuracy per method (FAMILY_METHODS order), mean over seeds. */
  balancedAccuracy: number[];
  /** Per seed: median bars to the adaptive classifier's first crash label (seeds that caught none left out). */
  crashDelays: number[];
  crashes: number;
  crashesCaught: number;
}

export interface FamilyForecastResult {
  h: number;
  /** Mean over all series and calibrated bars. */
  logLoss: Record<ForecastMethod, number>;
  brier: Record<ForecastMethod, number>;
  /** Series where the adaptive forecast's log loss beats climatology's. */
  wins: number;
}

export interface FamilyScorecard {
  cases: FamilyCaseResult[];
  /** Mean over the parameterisations of each method's balanced accuracy. */
  means: Record<FamilyMethod, number>;
  /** All the per-seed crash delays of every parameterisation. */
  crashDelays: number[];
  forecast: FamilyForecastResult[];
  /** Series scored (parameterisations × seeds). */
  series: number;
}

/** Scores every case on every seed; `onCase` after each case (they take seconds). */
export function scoreFamily(
  cases: readonly FamilyCase[],
  seeds: readonly number[],
  onCase?: (c: FamilyCase) => void,
  options: AdaptiveRegimeOptions = {},
): FamilyScorecard {
  const perMethod: Record<string, number[]> = {};
  const crashDelays: number[] = [];
  const sums = FORECAST_HORIZONS.map(() => ({
    logLoss: { adaptive: 0, climatology: 0, persistence: 0 },
    brier: { adaptive: 0, climatology: 0, persistence: 0 },
    wins: 0,
  }));
  let series = 0;
  const results = cases.map((c): FamilyCaseResult => {
    const scores: FamilyScore[] = seeds.map((seed) => scoreFamilyCase(c, seed, c.bars, options));
    const mean = (f: (x: FamilyScore) => number): number => scores.reduce((a, x) => a + f(x), 0) / scores.length;
    const ba = FAMILY_METHODS.map((m) => mean((x) => x.balancedAccuracy[m]));
    FAMILY_METHODS.forEach((m, i) => {
      (perMethod[m] ??= []).push(ba[i] as number);
    });
    for (const sc of scores) {
      series++;
      sc.forecast.forEach((f, k) => {
        const acc = sums[k] as (typeof sums)[number];
        for (const m of FORECAST_METHODS) {
          acc.logLoss[m] += f.logLoss[m];
          acc.brier[m] += f.brier[m];
        }
        if (f.logLoss.adaptive < f.logLoss.climatology) acc.wins++;
      });
    }
    const delays = scores.map((x) => x.crashDelay).filter((x) => !Number.isNaN(x));
    crashDelays.push(...delays);
    onCase?.(c);
    return {
      case: c,
      balancedAccuracy: ba,
      crashDelays: delays,
      crashes: scores.reduce((a, x) => a + x.crashes, 0),
      crashesCaught: scores.reduce((a, x) => a + x.crashesCaught, 0),
    };
  });
  const means = Object.fromEntries(
    FAMILY_METHODS.map((m) => [m, (perMethod[m] as number[]).reduce((a, b) => a + b, 0) / (perMethod[m] as number[]).length]),
  ) as Record<FamilyMethod, number>;
  const forecast = FORECAST_HORIZONS.map((h, k): FamilyForecastResult => {
    const a = sums[k] as (typeof sums)[number];
    const per = (x: Record<ForecastMethod, number>) =>
      Object.fromEntries(FORECAST_METHODS.map((m) => [m, x[m] / series])) as Record<ForecastMethod, number>;
    return { h, logLoss: per(a.logLoss), brier: per(a.brier), wins: a.wins };
  });
  return { cases: results, means, crashDelays, forecast, series };
}
