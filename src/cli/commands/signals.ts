import type { Command } from 'commander';
import { formatIso } from '../../core/time.ts';
import { generateSignals, STRATEGIES, strategyByName } from '../../signals/index.ts';
import { checkStrategyInputs, checkTimeframes } from '../fit.ts';
import { addCsvInputOptions, type CsvInputOptions, loadInput } from '../input.ts';
import { posInt } from '../options.ts';
import { parseFormat, writeOut } from '../output.ts';

interface SignalsOptions extends CsvInputOptions {
  strategy: string;
  timeframes?: string;
  horizon: string;
  format: string;
}

export function registerSignals(program: Command): void {
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
}
