/**
 * The signals scorecard of one series (what `emp evaluate signals` prints): every strategy run
 * walk-forward with purged, embargoed calibration, scored after costs beside random signals (same
 * count), buy-and-hold and the moving-average cross, with Sharpe ratios deflated for the number of
 * strategies tried. Pure: no I/O.
 */
import type { BarSeries } from '../core/market.ts';
import type { CalibrationMethod } from './calibrate.ts';
import { buyAndHold, deflate, randomBaseline, type Scorecard, scoreSignals } from './evaluate.ts';
import { generateSignals } from './index.ts';
import { STRATEGIES } from './strategies.ts';

export interface SeriesReportOptions {
  horizon?: number;
  costBps?: number;
  /** Base timeframe then confirming ones (`['1d', '1w']`). */
  timeframes?: readonly string[];
  calibration?: CalibrationMethod;
  /** Calibrator memory (default `adaptive`, see engine.ts). */
  memory?: 'adaptive' | 'all';
  /** Default: the horizon. */
  embargo?: number;
  /** Random draws per random baseline (default 50). */
  draws?: number;
}

export interface SeriesReport {
  bars: number;
  horizon: number;
  costBps: number;
  embargo: number;
  calibration: CalibrationMethod;
  memory: 'adaptive' | 'all';
  /** Strategies the deflated Sharpe accounts for (every rule scored, the MA cross included). */
  trials: number;
  /** Per-bar Sharpe the best of `trials` skill-less strategies would reach by luck. */
  expectedMaxSharpe: number;
  /** Strategies (the MA cross last), each followed by its random baseline, then buy and hold. */
  methods: (Scorecard & { kind: 'strategy' | 'random' | 'buy_and_hold' })[];
}

export const MA_CROSS_LABEL = 'ma_cross (baseline: SMA 20/50)';

export function evaluateSeries(s: BarSeries, opts: SeriesReportOptions = {}): SeriesReport {
  const horizon = opts.horizon ?? 5;
  const costBps = opts.costBps ?? 5;
  const embargo = opts.embargo ?? horizon;
  const calibration = opts.calibration ?? 'platt';
  const memory = opts.memory ?? 'adaptive';
  const methods: SeriesReport['methods'] = [];
  const trials: Scorecard[] = [];
  for (const strategy of [...Object.keys(STRATEGIES), 'ma_cross']) {
    const hits = generateSignals(s, { strategy, timeframes: opts.timeframes ?? [], horizon, calibration, memory, embargo });
    const card = scoreSignals(strategy === 'ma_cross' ? MA_CROSS_LABEL : strategy, s.close, s.time, hits, horizon, costBps, { embargo });
    trials.push(card);
    methods.push({ ...card, kind: 'strategy' });
    methods.push({
      ...randomBaseline(s.close, s.time, card.signals, horizon, costBps, opts.draws ?? 50),
      method: `random, same count as ${strategy}`,
      kind: 'random',
    });
  }
  methods.push({ ...buyAndHold(s.close, s.time, costBps), kind: 'buy_and_hold' });
  const sr0 = deflate(
    methods.filter((m) => m.kind !== 'random'),
    trials,
  );
  return { bars: s.close.length, horizon, costBps, embargo, calibration, memory, trials: trials.length, expectedMaxSharpe: sr0, methods };
}

export interface FamilyRow {
  method: string;
  /** Series on which the method was scored. */
  series: number;
  signals: number;
  hitRate: number;
  ece: number;
  eceFloor: number;
  /** Series with ≥ 100 signals, and of those how many had ECE ≤ 0.05. */
  calibrated: { scored: number; atMost005: number };
  brierSkill: number;
  avgReturnBps: number;
  sharpe: number;
  /** Share of series whose deflated Sharpe exceeded 0.95. */
  significant: number;
}

/**
 * One row per method over a family of series (simulator seeds): means of the per-series figures
 * (signal-weighted for hit rate, ECE and Brier skill, so a series with three signals does not
 * count as much as one with three hundred).
 */
export function familySummary(reports: readonly SeriesReport[]): FamilyRow[] {
  const names = [...new Set(reports.flatMap((r) => r.methods.filter((m) => m.kind !== 'random').map((m) => m.method)))];
  return names.map((method) => {
    const cards = reports.flatMap((r) => r.methods.filter((m) => m.method === method));
    const n = cards.reduce((a, c) => a + c.signals, 0);
    const wmean = (f: (c: Scorecard) => number): number => {
      const xs = cards.filter((c) => Number.isFinite(f(c)) && c.signals > 0);
      const w = xs.reduce((a, c) => a + c.signals, 0);
      return w ? xs.reduce((a, c) => a + f(c) * c.signals, 0) / w : Number.NaN;
    };
    const mean = (f: (c: Scorecard) => number): number => {
      const xs = cards.map(f).filter(Number.isFinite);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
    };
    const big = cards.filter((c) => c.signals >= 100 && Number.isFinite(c.ece));
    return {
      method,
      series: cards.length,
      signals: n,
      hitRate: wmean((c) => c.hitRate),
      ece: wmean((c) => c.ece),
      eceFloor: wmean((c) => c.eceFloor),
      calibrated: { scored: big.length, atMost005: big.filter((c) => c.ece <= 0.05).length },
      brierSkill: wmean((c) => c.brierSkill),
      avgReturnBps: mean((c) => c.avgReturnBps),
      sharpe: mean((c) => c.sharpe),
      significant: cards.filter((c) => c.deflatedSharpe > 0.95).length / Math.max(1, cards.length),
    };
  });
}
