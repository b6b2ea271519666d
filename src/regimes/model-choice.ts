/**
 * Model choice behind `emp regimes --method`: which online classifier reads a series, and what it
 * learns from. The trained methods learn from bars with planted regimes that the caller
 * simulates (this layer has no simulator: it runs in the browser and imports no sources).
 */
import type { BarSeries } from '../core/market.ts';
import type { Regime } from '../core/regime.ts';
import { quantile } from '../core/stats.ts';
import { AdaptiveRegimeClassifier, type AdaptiveRegimeOptions } from './adaptive.ts';
import { RegimeClassifier } from './classifier.ts';
import { HmmRegimeClassifier, type RegimeHmm, trainLabelledRegimeHmm, trainRegimeHmm } from './hmm-classifier.ts';
import { fitJumpModel, JumpRegimeClassifier } from './jump-model.ts';
import type { OnlineRegimeClassifier } from './labeler.ts';

export const REGIME_METHODS = ['auto', 'adaptive', 'filter', 'hmm', 'hmm-fit', 'jump'] as const;
export type RegimeMethod = (typeof REGIME_METHODS)[number];

/** Bars with the regime planted in each (a simulation whose truth is known). */
export interface PlantedBars {
  bars: BarSeries;
  regime: Regime[];
}

/** Makes `count` bars of daily-like or 1-minute-like data with planted regimes, by seed. */
export type PlantedBarSimulator = (o: { timeframe: '1d' | '1m'; count: number; seed: number }) => PlantedBars;

/** The training simulation of the trained methods: 20,000 bars. */
const TRAINING_BARS = 20_000;

/** Default training seed: one the evaluation never scores. */
export const TRAINING_SEED = 101;

/** Training simulations, made once per simulator, timeframe and seed (an evaluation trains several models on one). */
const trainingRuns = new WeakMap<PlantedBarSimulator, Map<string, PlantedBars>>();

function trainingSimulation(simulate: PlantedBarSimulator, timeframe: '1d' | '1m', seed: number): PlantedBars {
  let runs = trainingRuns.get(simulate);
  if (!runs) trainingRuns.set(simulate, (runs = new Map()));
  const key = `${timeframe}:${seed}`;
  let run = runs.get(key);
  if (!run) {
    run = simulate({ timeframe, count: TRAINING_BARS, seed });
    runs.set(key, run);
  }
  return run;
}

/** Daily-like or intraday-like, from the median spacing of the first thousand bars: picks the training simulation. */
export function trainingTimeframe(s: Pick<BarSeries, 'time'>): '1d' | '1m' {
  const gaps: number[] = [];
  for (let i = 1; i < Math.min(s.time.length, 1000); i++) gaps.push((s.time[i] as number) - (s.time[i - 1] as number));
  return quantile(gaps, 0.5) >= 4 * 3_600_000 ? '1d' : '1m';
}

/** A method's classifier factory, and its HMM when it has one (for smoothed, two-sided probabilities). */
export interface RegimeModel {
  make: () => OnlineRegimeClassifier;
  hmm?: RegimeHmm;
}

/**
 * The models behind each method. `adaptive` (and `auto`) calibrates a six-state HMM on the
 * series itself, causally (adaptive.ts). `hmm` and `jump` are trained on a simulation with planted
 * regimes (seed 101 unless told, never the one scored; daily or 1-minute model after the file's
 * bar spacing) and read any file through features scaled by the instrument's own history; `hmm`
 * uses the per-bar OHLCV features when the file has them. `hmm-fit` runs Baum-Welch on the file
 * itself (states named by template). `adaptive`: the adaptive classifier's options (e.g. the
 * profile grid's `tails`).
 */
export function regimeModel(
  method: RegimeMethod,
  s: BarSeries,
  simulate: PlantedBarSimulator,
  training: { timeframe: '1d' | '1m'; seed: number } = { timeframe: trainingTimeframe(s), seed: TRAINING_SEED },
  adaptive: AdaptiveRegimeOptions = {},
): RegimeModel {
  const m = method === 'auto' ? 'adaptive' : method;
  if (m === 'adaptive') return { make: () => new AdaptiveRegimeClassifier(adaptive) };
  if (m === 'filter') return { make: () => new RegimeClassifier() };
  if (m === 'hmm-fit') {
    const hmm = trainRegimeHmm(s.close);
    return { make: () => new HmmRegimeClassifier(hmm), hmm };
  }
  const train = trainingSimulation(simulate, training.timeframe, training.seed);
  if (m === 'hmm') {
    // Bars with a range and a volume can use the per-bar features; close-only files cannot.
    const hmm = trainLabelledRegimeHmm(train.bars, train.regime, s.hasOhlc && s.hasVolume ? 'bar' : 'close');
    return { make: () => new HmmRegimeClassifier(hmm), hmm };
  }
  const jump = fitJumpModel(train.bars.close, { lambda: 5, truth: train.regime });
  return { make: () => new JumpRegimeClassifier(jump) };
}
