import type { Command } from 'commander';
import { formatIso } from '../../core/time.ts';
import { scanCandlesticks } from '../../patterns/candlestick.ts';
import { findLevels } from '../../patterns/levels.ts';
import { addCsvInputOptions, type CsvInputOptions, loadInput } from '../input.ts';
import { parseFormat, writeOut } from '../output.ts';

/** `emp patterns`: candlestick patterns per bar, support/resistance levels (chart patterns: not built yet). */
export function registerPatterns(program: Command): void {
  addCsvInputOptions(
    program
      .command('patterns')
      .description('candlestick patterns per bar (TA-Lib names and values) and support/resistance levels, as one JSON object')
      .option('--format <fmt>', 'json', 'json'),
  ).action(async (opts: CsvInputOptions & { format: string }) => {
    parseFormat(opts.format, ['json']);
    const s = await loadInput(opts, { ohlc: true });
    const candlestick = Object.fromEntries(Object.entries(scanCandlesticks(s)).map(([k, v]) => [k, Array.from(v)]));
    const levels = findLevels(s).map((l) => ({ ...l, first: formatIso(l.first), last: formatIso(l.last) }));
    process.stderr.write('emp: chart patterns (double tops, head and shoulders, triangles, ...) are not built yet: "chart" is empty\n');
    await writeOut(`${JSON.stringify({ time: Array.from(s.time, formatIso), candlestick, chart: [], levels })}\n`);
  });
}
