/**
 * What `emp evaluate signals` runs beyond one file: a family of simulated series summarized per
 * method, and the suite of real series, each with the cost and confirmation timeframes that suit
 * it. Pure: the caller loads or simulates the series.
 */
import type { BarSeries } from '../core/market.ts';
import { ECE_TARGET } from './evaluate.ts';
import { evaluateSeries, type FamilyRow, familySummary, type SeriesReport, type SeriesReportOptions } from './report.ts';

/** Bars per simulated series of the family and the suite. */
export const SIMULATED_BARS = 5000;

/** The suite's simulated series (5,000 daily bars of seed 1 with planted regimes). */
export const SIMULATED_SERIES = 'simulated daily bars (seed 1, 5,000 bars, planted regimes)';

/**
 * Each series of a family scored as one file would be (10 random draws per baseline instead of
 * 50: the family averages over seeds anyway), then summarized per method. `onSeries(done)` after
 * each series, for a progress bar.
 */
export function evaluateSignalFamily(
  seeds: readonly number[],
  series: (seed: number) => BarSeries,
  opts: Omit<SeriesReportOptions, 'draws'>,
  onSeries?: (done: number) => void,
): FamilyRow[] {
  const reports = seeds.map((seed, i) => {
    const report = evaluateSeries(series(seed), { ...opts, draws: 10 });
    onSeries?.(i + 1);
    return report;
  });
  return familySummary(reports);
}

/** How a suite series' CSV is read: the command line's --time-format, --time-column, --close-column, --drop-disordered. */
export interface SuiteCsv {
  timeFormat: string;
  timeColumn?: string;
  closeColumn?: string;
  dropDisordered?: boolean;
}

export interface SuiteSeries {
  name: string;
  /** The file in the shared data folder, or null for the simulated series. */
  file: string | null;
  csv: SuiteCsv;
  costBps: number;
  /** Base timeframe then confirming ones. */
  timeframes: string[];
  /** Randomly generated (TTR's `ttrc`): scored, but not a market. */
  control?: boolean;
}

/**
 * The real series of the shared data folder, each with the cost and confirmation timeframe that
 * suit it (5 bps per side on indices and stocks, 1 bp on USD/CHF), then the simulator. TTR's
 * `ttrc` is randomly generated: a control on which nothing should show skill.
 */
export function signalSuite(): SuiteSeries[] {
  const daily = { costBps: 5, timeframes: ['1d', '1w'] };
  const csv = { timeFormat: 'auto' };
  const eu = (index: string): SuiteSeries => ({
    name: `${index} 1991-1998 (EuStockMarkets, daily)`,
    file: 'eustockmarkets_1991_1998_daily_raw.csv',
    csv: { timeFormat: 'decimal-year', timeColumn: 't', closeColumn: index },
    ...daily,
  });
  return [
    {
      name: 'NYSE composite 1966-2003 (daily)',
      file: 'nyse_composite_1966_2003_daily.csv',
      csv: { ...csv, dropDisordered: true },
      ...daily,
    },
    { name: 'MSFT 2000-2001 (daily)', file: 'msft_2000_2001_daily.csv', csv, ...daily },
    eu('DAX'),
    eu('SMI'),
    eu('CAC'),
    eu('FTSE'),
    { name: 'USD/CHF 1996-2001 (30-minute)', file: 'usdchf_1996_2001_30min.csv', csv, costBps: 1, timeframes: ['30m', '4h'] },
    { name: 'ttrc 1985-2006 (daily, randomly generated: a control)', file: 'ttrc_synthetic_daily.csv', csv, ...daily, control: true },
    { name: SIMULATED_SERIES, file: null, csv, ...daily },
  ];
}

/** Strategies with at least this many signals on a series are held to ECE_TARGET (issue 20). */
const CALIBRATION_MIN_SIGNALS = 100;

export interface CalibrationVerdict {
  /** Signals a strategy needs on a series to be held to the target. */
  minSignals: number;
  /** Strategy–series pairs with ≥ minSignals signals on the real series. */
  pairs: number;
  atMostTarget: number;
  /** Pairs whose ECE is within 0.02 of its sampling floor. */
  nearFloor: number;
  /** Pairs expected above ECE_TARGET were each pair's confidences perfectly calibrated (Σ 1 − eceChance). */
  expectedAbove: number;
  /**
   * Probability that forecasters stating each pair's true hit rate on every signal — perfectly
   * calibrated, with the least sampling noise — meet ECE_TARGET on every pair at once (the
   * product of the pairs' `eceTargetChance`).
   */
  allChance: number;
}

/** Whether the real series' strategies meet the ECE target, and whether perfect calibration could. */
export function calibrationVerdict(runs: readonly { spec: SuiteSeries; report: SeriesReport }[]): CalibrationVerdict {
  const cards = runs
    .filter((r) => r.spec.file !== null && !r.spec.control)
    .flatMap((r) =>
      r.report.methods.filter((m) => m.kind === 'strategy' && m.signals >= CALIBRATION_MIN_SIGNALS && Number.isFinite(m.ece)),
    );
  return {
    minSignals: CALIBRATION_MIN_SIGNALS,
    pairs: cards.length,
    atMostTarget: cards.filter((c) => c.ece <= ECE_TARGET).length,
    nearFloor: cards.filter((c) => c.ece <= c.eceFloor + 0.02).length,
    expectedAbove: cards.reduce((a, c) => a + 1 - c.eceChance, 0),
    allChance: cards.reduce((a, c) => a * c.eceTargetChance, 1),
  };
}
