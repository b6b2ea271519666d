import type { Command } from 'commander';
import { EmpError } from '../../core/errors.ts';
import type { BarSeries } from '../../core/market.ts';
import { formatIso } from '../../core/time.ts';
import { buyAndHold, generateSignals, randomBaseline, type Scorecard, STRATEGIES, scoreSignals } from '../../signals/index.ts';
import { simulateBars } from '../../sources/simulator/index.ts';
import { addCsvInputOptions, type CsvInputOptions, loadInput } from '../input.ts';
import { parseFormat, writeOut } from '../output.ts';

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
      .option('--format <fmt>', 'json or csv', 'json'),
  ).action(async (opts: SignalsOptions) => {
    const format = parseFormat(opts.format, ['json', 'csv']);
    const s = await loadInput(opts);
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
        'walk-forward scorecard of each strategy after costs, beside buy-and-hold, random signals (same count) and a moving-average cross',
      )
      .option('--cost-bps <n>', 'cost per side (each signal pays it twice)', '5')
      .option('--horizon <bars>', 'bars each signal is judged over', '5')
      .option('--timeframes <list>', 'base timeframe then confirming ones, e.g. 1d,1w'),
    { required: false },
  )
    .option('--simulated', 'instead of --input: 5,000 simulated daily bars with planted regimes (seed 1)')
    .action(async (opts: CsvInputOptions & { costBps: string; horizon: string; timeframes?: string; simulated?: boolean }) => {
      const cost = Number(opts.costBps);
      if (!(cost >= 0)) throw new EmpError('BAD_ARGUMENT', `--cost-bps must be ≥ 0, got "${opts.costBps}"`);
      const horizon = posInt('horizon', opts.horizon);
      let s: BarSeries;
      let name: string;
      if (opts.simulated) {
        s = simulateBars({ symbol: 'X-USD', timeframe: '1d', count: 5000, seed: 1 }).bars;
        name = 'simulated daily bars (seed 1, 5,000 bars, planted regimes)';
      } else {
        if (!opts.input) throw new EmpError('BAD_ARGUMENT', 'give --input FILE or --simulated');
        s = await loadInput(opts);
        name = opts.input;
      }
      const timeframes = opts.timeframes?.split(',') ?? [];
      const cards: Scorecard[] = [];
      for (const strategy of [...Object.keys(STRATEGIES), 'ma_cross']) {
        const hits = generateSignals(s, { strategy, timeframes, horizon });
        const card = scoreSignals(
          strategy === 'ma_cross' ? 'ma_cross (baseline: SMA 20/50)' : strategy,
          s.close,
          s.time,
          hits,
          horizon,
          cost,
        );
        cards.push(card);
        if (strategy !== 'ma_cross')
          cards.push({ ...randomBaseline(s.close, s.time, card.signals, horizon, cost), method: `  random, same count as ${strategy}` });
      }
      const bh = buyAndHold(s.close, s.time, cost);
      const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–');
      const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
      const out = [
        `data: ${name}, ${s.close.length} bars ${formatIso(s.time[0] as number)} .. ${formatIso(s.time[s.close.length - 1] as number)}`,
        `protocol: walk-forward (each signal from data up to its bar; confidence calibrated on earlier signals only); judged ${horizon} bars later; cost ${cost} bps per side${timeframes.length ? `; confirmations ${timeframes.slice(1).join(', ')}` : ''}`,
        '',
        '| method | signals | hit rate | avg return/signal after costs | profit factor | Sharpe (annualized) | max drawdown (sum of returns) |',
        '|---|---|---|---|---|---|---|',
        ...cards.map(
          (c) =>
            `| ${c.method} | ${c.signals} | ${pct(c.hitRate)} | ${f(c.avgReturnBps, 1)} bps | ${f(c.profitFactor)} | ${f(c.sharpe)} | ${pct(c.maxDrawdown)} |`,
        ),
        `| buy and hold | 1 | – | total ${pct(bh.totalReturn)} | – | ${f(bh.sharpe)} | ${pct(bh.maxDrawdown)} |`,
        '',
        'calibration (confidence bucket: signals, mean stated confidence → realized hit rate):',
      ];
      for (const c of cards.filter((x) => x.calibration.length)) {
        out.push(
          `  ${c.method}: ${c.calibration
            .filter((b) => b.n > 0)
            .map((b) => `[${b.bucket}] ${b.n}: ${pct(b.predicted)} → ${pct(b.realized)}`)
            .join('; ')}`,
        );
      }
      await writeOut(`${out.join('\n')}\n`);
    });
}
