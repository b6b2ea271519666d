import { join } from 'node:path';
import type { Command } from 'commander';
import { EmpError } from '../../core/errors.ts';
import type { BarSeries } from '../../core/market.ts';
import { CALIBRATION_METHODS, type CalibrationMethod } from '../../signals/index.ts';
import { evaluateSeries, type SeriesReportOptions } from '../../signals/report.ts';
import {
  calibrationVerdict,
  evaluateSignalFamily,
  SIMULATED_BARS,
  SIMULATED_SERIES,
  type SuiteSeries,
  signalSuite,
} from '../../signals/suite.ts';
import { simulateBars } from '../../sources/simulator/index.ts';
import { checkTimeframes } from '../fit.ts';
import { addCsvInputOptions, type CsvInputOptions, loadInput } from '../input.ts';
import { nonNegInt, posInt } from '../options.ts';
import { parseFormat, progressBar, writeOut } from '../output.ts';
import { familyTable, reportJson, reportText, verdictText } from '../signal-report.ts';

interface EvaluateSignalsOptions extends CsvInputOptions {
  costBps: string;
  horizon: string;
  embargo?: string;
  calibration: string;
  memory: string;
  timeframes?: string;
  format: string;
  simulated?: boolean;
  suite?: string;
  family?: string;
}

/** Daily bars with planted regimes, by seed: the family's series and the suite's simulated one. */
const simulatedDaily = (seed: number): BarSeries => simulateBars({ symbol: 'X-USD', timeframe: '1d', count: SIMULATED_BARS, seed }).bars;

export function registerEvaluateSignals(evaluate: Command): void {
  addCsvInputOptions(
    evaluate
      .command('signals')
      .description(
        'walk-forward scorecard of each strategy after costs (purged, embargoed calibration; ECE, Brier skill, accuracy–coverage, deflated Sharpe) beside random signals, buy-and-hold and a moving-average cross',
      )
      .option('--cost-bps <n>', 'cost per side (each signal pays it twice)', '5')
      .option('--horizon <bars>', 'bars each signal is judged over', '5')
      .option('--embargo <bars>', 'bars between a calibrating signal’s horizon end and the signal calibrated (default: the horizon)')
      .option('--calibration <method>', CALIBRATION_METHODS.join(' or '), 'platt')
      .option(
        '--memory <kind>',
        'adaptive (calibrators of different memories mixed by their out-of-sample record) or all (one on all the past)',
        'adaptive',
      )
      .option('--timeframes <list>', 'base timeframe then confirming ones, e.g. 1d,1w')
      .option('--format <fmt>', 'table or json', 'table'),
    { required: false },
  )
    .option('--simulated', 'instead of --input: 5,000 simulated daily bars with planted regimes (seed 1)')
    .option(
      '--family <from-to>',
      'instead of --input: a family of simulated series (seeds from..to, 5,000 daily bars each), summarized per strategy',
    )
    .option(
      '--suite <dir>',
      'instead of --input: every real series of the shared data folder (and the simulator), each with its own costs and timeframes (see README)',
    )
    .action(async (opts: EvaluateSignalsOptions) => {
      const format = parseFormat(opts.format, ['table', 'json']);
      const cost = Number(opts.costBps);
      if (!(cost >= 0)) throw new EmpError('BAD_ARGUMENT', `--cost-bps must be ≥ 0, got "${opts.costBps}"`);
      const horizon = posInt('horizon', opts.horizon);
      const embargo = opts.embargo === undefined ? horizon : nonNegInt('embargo', opts.embargo);
      if (!(CALIBRATION_METHODS as readonly string[]).includes(opts.calibration))
        throw new EmpError('BAD_ARGUMENT', `--calibration must be ${CALIBRATION_METHODS.join(' or ')}, got "${opts.calibration}"`);
      const calibration = opts.calibration as CalibrationMethod;
      if (opts.memory !== 'adaptive' && opts.memory !== 'all')
        throw new EmpError('BAD_ARGUMENT', `--memory must be adaptive or all, got "${opts.memory}"`);
      const memory = opts.memory;
      const runs: { name: string; series: BarSeries; costBps: number; timeframes: string[]; spec?: SuiteSeries }[] = [];
      if (opts.family) {
        const m = /^(\d+)-(\d+)$/.exec(opts.family);
        const [from, to] = m ? [Number(m[1]), Number(m[2])] : [Number.NaN, Number.NaN];
        if (!(to >= from) || to - from > 999)
          throw new EmpError('BAD_ARGUMENT', `--family must be FROM-TO seeds (at most 1,000), got "${opts.family}"`);
        const timeframes = opts.timeframes?.split(',') ?? ['1d', '1w'];
        // Seconds per seed: a progress bar on a terminal.
        const progress = progressBar(to - from + 1, true, 'evaluate signals', 'seeds');
        const seeds = Array.from({ length: to - from + 1 }, (_, i) => from + i);
        const protocol: SeriesReportOptions = { horizon, costBps: cost, timeframes, calibration, memory, embargo };
        const rows = evaluateSignalFamily(seeds, simulatedDaily, protocol, (done) => progress?.update(done));
        progress?.stop();
        const family = { seeds: [from, to], bars: SIMULATED_BARS, costBps: cost, horizon, embargo, calibration, memory };
        await writeOut(format === 'json' ? `${JSON.stringify({ family, methods: rows })}\n` : familyTable(family, timeframes, rows));
        return;
      }
      if (opts.suite) {
        for (const spec of signalSuite()) {
          const series = spec.file === null ? simulatedDaily(1) : await loadInput({ ...spec.csv, input: join(opts.suite, spec.file) });
          runs.push({ name: spec.name, series, costBps: spec.costBps, timeframes: spec.timeframes, spec });
        }
      } else if (opts.simulated) {
        runs.push({ name: SIMULATED_SERIES, series: simulatedDaily(1), costBps: cost, timeframes: opts.timeframes?.split(',') ?? [] });
      } else {
        if (!opts.input) throw new EmpError('BAD_ARGUMENT', 'give --input FILE, --simulated or --suite DIR');
        const series = await loadInput(opts);
        checkTimeframes(opts.input, series, opts.timeframes?.split(',') ?? []);
        runs.push({ name: opts.input, series, costBps: cost, timeframes: opts.timeframes?.split(',') ?? [] });
      }
      const progress = progressBar(runs.length, true, 'evaluate signals', 'series');
      const reports = runs.map((r, i) => {
        const report = evaluateSeries(r.series, { horizon, costBps: r.costBps, timeframes: r.timeframes, calibration, memory, embargo });
        progress?.update(i + 1);
        return { ...r, report };
      });
      progress?.stop();
      const verdict = opts.suite
        ? calibrationVerdict(reports.flatMap((r) => (r.spec ? [{ spec: r.spec, report: r.report }] : [])))
        : undefined;
      if (format === 'json') {
        const one = (r: (typeof reports)[number]) => ({ name: r.name, ...reportJson(r.report) });
        await writeOut(
          `${JSON.stringify(opts.suite ? { series: reports.map(one), calibration: verdict } : one(reports[0] as (typeof reports)[number]))}\n`,
        );
        return;
      }
      const tables = reports.map((r) => reportText(r.name, r.series, r.timeframes, r.report));
      await writeOut(`${[...tables, ...(verdict ? [verdictText(verdict)] : [])].join('\n\n')}\n`);
    });
}
