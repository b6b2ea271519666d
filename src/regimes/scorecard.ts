/**
 * `emp evaluate regimes` without --family: each method scored on simulated bars with planted
 * regimes (daily and 1-minute), beside the volatility-rule baseline, and BOCPD's change points
 * against the planted changes. The trained methods learn from another simulation of the same
 * timeframe (seed + 100), never the one scored.
 */
import type { BarSeries } from '../core/market.ts';
import type { Regime } from '../core/regime.ts';
import { volatilityRule } from './baseline.ts';
import { type ChangePoint, returnChangePoints } from './bocpd.ts';
import { classifySeries } from './classify-series.ts';
import { type RegimeScore, scoreRegimes } from './evaluate.ts';
import { type PlantedBarSimulator, type RegimeMethod, regimeModel } from './model-choice.ts';

export interface ChangePointScore {
  /** Planted changes. */
  changes: number;
  /** Planted changes with a change point detected before the next one. */
  detected: number;
  /** Bars from each detected change to its first report. */
  delays: number[];
  /** Reported starts not within 10 bars of a planted change. */
  falseAlarms: number;
}

/** Change points against planted regime changes: delays to the first report, and starts far from any change. */
export function scoreChangePoints(truth: readonly Regime[], cps: readonly ChangePoint[]): ChangePointScore {
  const changes: number[] = [];
  for (let i = 1; i < truth.length; i++) if (truth[i] !== truth[i - 1]) changes.push(i);
  const delays: number[] = [];
  changes.forEach((t, j) => {
    const until = changes[j + 1] ?? truth.length;
    const hit = cps.find((c) => c.detectedAt >= t && c.detectedAt < until);
    if (hit) delays.push(hit.detectedAt - t);
  });
  const falseAlarms = cps.filter((c) => !changes.some((t) => Math.abs(c.start - t) <= 10)).length;
  return { changes: changes.length, detected: delays.length, delays, falseAlarms };
}

/** The classifiers scored, by name: the method and whether it sees the bars (OHLCV) or the closes only. The first is the default. */
export const SIMULATION_METHODS: readonly { name: string; method: RegimeMethod; input: 'bars' | 'closes' }[] = [
  { name: 'hmm, OHLCV features (auto on OHLCV files)', method: 'hmm', input: 'bars' },
  { name: 'filter, closes (auto on close-only files)', method: 'filter', input: 'bars' },
  { name: 'hmm, closes only', method: 'hmm', input: 'closes' },
  { name: 'hmm-fit: Baum-Welch on the scored closes (plain HMM baseline)', method: 'hmm-fit', input: 'bars' },
  { name: 'jump: statistical jump model on closes, λ = 5', method: 'jump', input: 'bars' },
];

export interface SimulationScorecard {
  timeframe: '1d' | '1m';
  /** SIMULATION_METHODS in order, then the volatility rule (baseline). */
  rows: { name: string; score: RegimeScore }[];
  changePoints: ChangePointScore & { reported: number };
}

/**
 * Scores every method of SIMULATION_METHODS on `count` simulated bars of seed `seed`, daily then
 * 1-minute; `onModel(done)` after each model (10 in all), for a progress bar.
 */
export function scoreOnSimulation(
  simulate: PlantedBarSimulator,
  opts: { seed: number; count: number; onModel?: (done: number) => void },
): SimulationScorecard[] {
  return (['1d', '1m'] as const).map((timeframe, t) => {
    const sim = simulate({ timeframe, count: opts.count, seed: opts.seed });
    const training = { timeframe, seed: opts.seed + 100 };
    const closeOnly: BarSeries = { ...sim.bars, hasOhlc: false, hasVolume: false };
    const rows = SIMULATION_METHODS.map(({ name, method, input }, k) => {
      const series = input === 'bars' ? sim.bars : closeOnly;
      const model = regimeModel(method, series, simulate, training);
      const score = scoreRegimes(sim.regime, classifySeries(series, model.make).regime);
      opts.onModel?.(t * SIMULATION_METHODS.length + k + 1);
      return { name, score };
    });
    rows.push({ name: 'volatility rule (baseline)', score: scoreRegimes(sim.regime, volatilityRule(sim.bars.close)) });
    const cps = returnChangePoints(sim.bars.close);
    return { timeframe, rows, changePoints: { reported: cps.length, ...scoreChangePoints(sim.regime, cps) } };
  });
}
