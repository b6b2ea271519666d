import { join } from 'node:path';
import type { Command } from 'commander';
import { EmpError } from '../../core/errors.ts';
import type { BarSeries } from '../../core/market.ts';
import { formatIso } from '../../core/time.ts';
import { COVERAGE_THRESHOLDS } from '../../signals/evaluate.ts';
import { CALIBRATION_METHODS, type CalibrationMethod, generateSignals, STRATEGIES, strategyByName } from '../../signals/index.ts';
import { evaluateSeries, familySummary, type SeriesReport } from '../../signals/report.ts';
import { simulateBars } from '../../sources/simulator/index.ts';
import { checkStrategyInputs, checkTimeframes } from '../fit.ts';
import { addCsvInputOptions, type CsvInputOptions, loadInput } from '../input.ts';
import { parseFormat, progressBar, writeOut } from '../output.ts';

interface SignalsOptions extends CsvInputOptions {
  strategy: string;
  timeframes?: string;
  horizon: string;
  format: string;
}

function posInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new EmpError('BAD_ARGUMENT', `--${flag} must be a positive integer, got "${v}"`);
  return n;
}

export function registerSignals(program: Command, evaluate: Command): void {
  addCsvInputOptions(
    program
      .command('signals')
      .description('buy/sell signals with strength, calibrated confidence, higher-timeframe confirmations and reasons')
      .option('--strategy <name>', `${Object.keys(STRATEGIES).join(', ')} or ma_cross`, 'trend_following')
      .option('--timeframes <list>', 'base timeframe then confirming ones, e.g. 1d,1w or 15m,1h')
      .option('--horizon <bars>', 'bars a signal is judged over (calibrates confidence)', '5')
      .option('--format <fmt>', 'csv or json', 'csv'),
  ).action(async (opts: SignalsOptions) => {
    const format = parseFormat(opts.format, ['json', 'csv']);
    const s = await loadInput(opts);
    // Options that do not fit the file: an error (or a stated warning) before any signal.
    checkTimeframes(opts.input, s, opts.timeframes?.split(',') ?? []);
    for (const w of checkStrategyInputs(opts.input, s, strategyByName(opts.strategy))) process.stderr.write(`emp: warning: ${w}\n`);
    const hits = generateSignals(s, {
      strategy: opts.strategy,
      timeframes: opts.timeframes?.split(',') ?? [],
      horizon: posInt('horizon', opts.horizon),
    });
    if (format === 'json') {
      await writeOut(`${JSON.stringify(hits.map(({ index: _i, time, ...h }) => ({ time: formatIso(time), ...h })))}\n`);
      return;
    }
    const lines = ['time,side,strategy,strength,confidence,confirmations,reasons'];
    for (const h of hits) {
      const conf = h.confirmations.map((c) => `${c.timeframe}:${c.agrees ? 'yes' : 'no'}`).join(' ');
      lines.push(
        `${formatIso(h.time)},${h.side},${h.strategy},${h.strength.toFixed(4)},${h.confidence.toFixed(4)},${conf},"${h.reasons.join('; ')}"`,
      );
    }
    await writeOut(`${lines.join('\n')}\n`);
  });

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
      const runs: { name: string; series: BarSeries; costBps: number; timeframes: string[] }[] = [];
      if (opts.family) {
        const m = /^(\d+)-(\d+)$/.exec(opts.family);
        const [from, to] = m ? [Number(m[1]), Number(m[2])] : [Number.NaN, Number.NaN];
        if (!(to >= from) || to - from > 999)
          throw new EmpError('BAD_ARGUMENT', `--family must be FROM-TO seeds (at most 1,000), got "${opts.family}"`);
        const timeframes = opts.timeframes?.split(',') ?? ['1d', '1w'];
        const reports: SeriesReport[] = [];
        // Seconds per seed: a progress bar on a terminal.
        const progress = progressBar(to - from + 1, true, 'evaluate signals', 'seeds');
        for (let seed = from; seed <= to; seed++) {
          const series = simulateBars({ symbol: 'X-USD', timeframe: '1d', count: 5000, seed }).bars;
          reports.push(evaluateSeries(series, { horizon, costBps: cost, timeframes, calibration, memory, embargo, draws: 10 }));
          progress?.update(seed - from + 1);
        }
        progress?.stop();
        const rows = familySummary(reports);
        if (format === 'json') {
          await writeOut(
            `${JSON.stringify({ family: { seeds: [from, to], bars: 5000, costBps: cost, horizon, embargo, calibration, memory }, methods: rows })}\n`,
          );
          return;
        }
        const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–');
        const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
        await writeOut(
          `${[
            `data: simulated daily bars, seeds ${from}..${to} (5,000 bars each, planted regimes); same protocol as for one series (cost ${cost} bps per side, judged ${horizon} bars later, confirmations ${timeframes.slice(1).join(', ') || 'none'})`,
            '',
            '| method | series | signals | hit rate | ECE (floor) | series with ECE ≤ 0.05 (of those with ≥ 100 signals) | Brier skill | avg return/signal after costs | Sharpe (mean) | deflated Sharpe > 0.95 |',
            '|---|---|---|---|---|---|---|---|---|---|',
            ...rows.map((r) =>
              r.method === 'buy and hold'
                ? `| buy and hold | ${r.series} | – | – | – | – | – | total ${pct(r.avgReturnBps / 1e4)} (mean) | ${f(r.sharpe)} | ${pct(r.significant)} |`
                : `| ${r.method} | ${r.series} | ${r.signals} | ${pct(r.hitRate)} | ${f(r.ece, 3)} (${f(r.eceFloor, 3)}) | ${r.calibrated.atMost005}/${r.calibrated.scored} | ${f(r.brierSkill, 4)} | ${f(r.avgReturnBps, 1)} bps | ${f(r.sharpe)} | ${pct(r.significant)} |`,
            ),
          ].join('\n')}\n`,
        );
        return;
      }
      if (opts.suite) {
        for (const spec of suite(opts.suite)) {
          const series = spec.file === null ? simulated() : await loadInput({ ...spec.csv, input: spec.file });
          runs.push({ name: spec.name, series, costBps: spec.costBps, timeframes: spec.timeframes });
        }
      } else if (opts.simulated) {
        runs.push({ name: SIMULATED, series: simulated(), costBps: cost, timeframes: opts.timeframes?.split(',') ?? [] });
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
      if (format === 'json') {
        const one = (r: (typeof reports)[number]) => ({ name: r.name, ...toJson(r.report) });
        await writeOut(`${JSON.stringify(opts.suite ? { series: reports.map(one) } : one(reports[0] as (typeof reports)[number]))}\n`);
        return;
      }
      await writeOut(`${reports.map((r) => toText(r.name, r.series, r.timeframes, r.report)).join('\n\n')}\n`);
    });
}

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

function nonNegInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new EmpError('BAD_ARGUMENT', `--${flag} must be a non-negative integer, got "${v}"`);
  return n;
}

const SIMULATED = 'simulated daily bars (seed 1, 5,000 bars, planted regimes)';
const simulated = (): BarSeries => simulateBars({ symbol: 'X-USD', timeframe: '1d', count: 5000, seed: 1 }).bars;

/**
 * The real series of the shared data folder, each with the cost and confirmation timeframe that
 * suit it (5 bps per side on indices and stocks, 1 bp on USD/CHF), then the simulator. TTR's
 * `ttrc` is randomly generated: a control on which nothing should show skill.
 */
function suite(dir: string): {
  name: string;
  file: string | null;
  csv: Omit<CsvInputOptions, 'input'>;
  costBps: number;
  timeframes: string[];
}[] {
  const daily = { costBps: 5, timeframes: ['1d', '1w'] };
  const csv = { timeFormat: 'auto' };
  const eu = (index: string) => ({
    name: `${index} 1991-1998 (EuStockMarkets, daily)`,
    file: join(dir, 'eustockmarkets_1991_1998_daily_raw.csv'),
    csv: { timeFormat: 'decimal-year', timeColumn: 't', closeColumn: index },
    ...daily,
  });
  return [
    {
      name: 'NYSE composite 1966-2003 (daily)',
      file: join(dir, 'nyse_composite_1966_2003_daily.csv'),
      csv: { ...csv, dropDisordered: true },
      ...daily,
    },
    { name: 'MSFT 2000-2001 (daily)', file: join(dir, 'msft_2000_2001_daily.csv'), csv, ...daily },
    eu('DAX'),
    eu('SMI'),
    eu('CAC'),
    eu('FTSE'),
    { name: 'USD/CHF 1996-2001 (30-minute)', file: join(dir, 'usdchf_1996_2001_30min.csv'), csv, costBps: 1, timeframes: ['30m', '4h'] },
    { name: 'ttrc 1985-2006 (daily, randomly generated: a control)', file: join(dir, 'ttrc_synthetic_daily.csv'), csv, ...daily },
    { name: SIMULATED, file: null, csv, ...daily },
  ];
}

function toJson(r: SeriesReport) {
  const strategies = r.methods.filter((m) => m.kind === 'strategy');
  return {
    protocol: {
      bars: r.bars,
      horizon: r.horizon,
      costBps: r.costBps,
      embargo: r.embargo,
      calibration: r.calibration,
      memory: r.memory,
      trials: r.trials,
      expectedMaxSharpePerBar: r.expectedMaxSharpe,
    },
    methods: r.methods.map((m) => ({
      name: m.method,
      kind: m.kind,
      signals: m.signals,
      hitRate: m.hitRate,
      ece: m.ece,
      eceFloor: m.eceFloor,
      brierSkill: m.brierSkill,
      avgReturnBps: m.avgReturnBps,
      sharpe: m.sharpe,
      deflatedSharpe: m.deflatedSharpe,
      profitFactor: Number.isFinite(m.profitFactor) ? m.profitFactor : null,
      maxDrawdown: m.maxDrawdown,
    })),
    calibration: strategies.flatMap((m) => m.calibration.map((b) => ({ method: m.method, ...b }))),
    coverage: strategies.flatMap((m) =>
      m.coverage.map((c) => ({ method: m.method, threshold: c.threshold, coverage: c.coverage, hitRate: c.hitRate, signals: c.signals })),
    ),
  };
}

function toText(name: string, s: BarSeries, timeframes: string[], r: SeriesReport): string {
  const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–');
  const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
  const strategies = r.methods.filter((m) => m.kind === 'strategy');
  const out = [
    `data: ${name}, ${s.close.length} bars ${formatIso(s.time[0] as number)} .. ${formatIso(s.time[s.close.length - 1] as number)}`,
    `protocol: walk-forward; each signal from data up to its bar; confidence calibrated (${r.calibration}, ${r.memory === 'adaptive' ? 'adaptive memory' : 'all the past'}) per strategy on this series' earlier signals whose horizon ended ≥ ${r.embargo} bars before (purged, embargoed); judged ${r.horizon} bars later; cost ${r.costBps} bps per side${timeframes.length > 1 ? `; confirmations ${timeframes.slice(1).join(', ')}` : ''}; Sharpe on bar returns, deflated for ${r.trials} strategies tried`,
    '',
    '| method | signals | hit rate | ECE (noise floor) | Brier skill | avg return/signal after costs | profit factor | Sharpe | deflated Sharpe | max drawdown |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.methods.map((c) =>
      c.kind === 'buy_and_hold'
        ? `| buy and hold | 1 | – | – | – | total ${pct(c.avgReturnBps / 1e4)} | – | ${f(c.sharpe)} | ${f(c.deflatedSharpe)} | ${pct(c.maxDrawdown)} |`
        : `| ${c.kind === 'random' ? `  ${c.method}` : c.method} | ${c.signals} | ${pct(c.hitRate)} | ${c.kind === 'random' ? '–' : `${f(c.ece, 3)} (${f(c.eceFloor, 3)})`} | ${f(c.brierSkill, 3)} | ${f(c.avgReturnBps, 1)} bps | ${f(c.profitFactor)} | ${f(c.sharpe)} | ${f(c.deflatedSharpe)} | ${pct(c.maxDrawdown)} |`,
    ),
    '',
    'reliability (stated confidence bin: signals, mean stated → realized hit rate):',
    ...strategies.map(
      (c) => `  ${c.method}: ${c.calibration.map((b) => `[${b.bucket}] ${b.n}: ${pct(b.predicted)} → ${pct(b.realized)}`).join('; ')}`,
    ),
    '',
    'accuracy–coverage (act only when confidence ≥ c: hit rate, signals, share of bars):',
    `| method | ${COVERAGE_THRESHOLDS.map((c) => (c ? `≥ ${c.toFixed(2)}` : 'all')).join(' | ')} |`,
    `|---|${COVERAGE_THRESHOLDS.map(() => '---|').join('')}`,
    ...strategies.map(
      (c) =>
        `| ${c.method} | ${c.coverage.map((p) => (p.signals ? `${pct(p.hitRate)} (${p.signals}, ${pct(p.coverage)})` : '–')).join(' | ')} |`,
    ),
  ];
  const reached = strategies.flatMap((c) =>
    c.coverage
      .filter((p) => p.signals >= 30 && p.hitRate >= 0.8)
      .map((p) => `${c.method} at ≥ ${p.threshold} (${pct(p.coverage)} of bars)`),
  );
  out.push('', `80 % hit rate (on ≥ 30 signals): ${reached.length ? reached.join('; ') : 'not reached at any threshold by any strategy'}`);
  return out.join('\n');
}
