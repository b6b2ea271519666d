/** Buy/sell signals: rules over indicators, multi-timeframe confirmation, calibrated confidence. Pure. */

import { ParamError } from '../core/errors.ts';
import type { BarSeries, Ohlcv } from '../core/market.ts';
import { parseDuration } from '../core/time.ts';
import { SignalEngine, type SignalEngineOptions, type SignalHit, type StrategySpec } from './engine.ts';
import { MA_CROSS, STRATEGIES } from './strategies.ts';

export { CALIBRATION_METHODS, type CalibrationMethod, MixtureCalibrator, WalkForwardCalibrator } from './calibrate.ts';
export { type Condition, type Operand, SignalEngine, type SignalEngineOptions, type SignalHit, type StrategySpec } from './engine.ts';
export { buyAndHold, deflate, expectedMaxSharpe, probabilisticSharpe, randomBaseline, type Scorecard, scoreSignals } from './evaluate.ts';
export {
  evaluateSeries,
  type FamilyRow,
  familySummary,
  MA_CROSS_LABEL,
  type SeriesReport,
  type SeriesReportOptions,
} from './report.ts';
export { MA_CROSS, STRATEGIES } from './strategies.ts';
export {
  type CalibrationVerdict,
  calibrationVerdict,
  evaluateSignalFamily,
  SIMULATED_BARS,
  SIMULATED_SERIES,
  type SuiteCsv,
  type SuiteSeries,
  signalSuite,
} from './suite.ts';

/** Timeframes a signal can be confirmed on: the bar timeframes and 30m, 1w; their lengths from core's duration units. */
const TF_MS: Record<string, number> = Object.fromEntries(
  ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w'].map((tf) => [tf, parseDuration(tf)]),
);

/**
 * Confirmation timeframes as bar multiples of the base: `['1d', '1w']` → 1w = 5 daily bars
 * (trading days); intraday ratios are exact (`['15m', '1h']` → 4).
 */
export function confirmationBars(timeframes: readonly string[]): { label: string; bars: number }[] {
  const [base, ...rest] = timeframes;
  if (!base) return [];
  const b = TF_MS[base];
  if (!b) throw new ParamError(`unknown timeframe "${base}" (known: ${Object.keys(TF_MS).join(', ')})`);
  return rest.map((tf) => {
    const t = TF_MS[tf];
    if (!t || t <= b) throw new ParamError(`confirmation timeframe "${tf}" must be a known timeframe larger than ${base}`);
    const bars = base === '1d' && tf === '1w' ? 5 : Math.round(t / b);
    return { label: tf, bars };
  });
}

export function strategyByName(name: string): StrategySpec {
  const s = name === 'ma_cross' ? MA_CROSS : STRATEGIES[name];
  if (!s) throw new ParamError(`unknown strategy "${name}" (known: ${[...Object.keys(STRATEGIES), 'ma_cross'].join(', ')})`);
  return s;
}

/** Runs a strategy over a series bar by bar (the same engine the live pipeline uses). */
export function generateSignals(
  series: BarSeries,
  opts: Omit<SignalEngineOptions, 'strategy'> & { strategy: string | StrategySpec; timeframes?: readonly string[] },
): SignalHit[] {
  const strategy = typeof opts.strategy === 'string' ? strategyByName(opts.strategy) : opts.strategy;
  const engine = new SignalEngine({ ...opts, strategy, confirmations: opts.confirmations ?? confirmationBars(opts.timeframes ?? []) });
  const out: SignalHit[] = [];
  const bar: Ohlcv = { open: 0, high: 0, low: 0, close: 0, volume: 0 };
  for (let i = 0; i < series.close.length; i++) {
    bar.open = series.open[i] as number;
    bar.high = series.high[i] as number;
    bar.low = series.low[i] as number;
    bar.close = series.close[i] as number;
    bar.volume = series.volume[i] as number;
    out.push(...engine.update(series.time[i] as number, bar));
  }
  return out;
}
