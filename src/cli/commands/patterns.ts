import type { Command } from 'commander';
import { formatIso } from '../../core/time.ts';
import { scanCandlesticks } from '../../patterns/candlestick.ts';
import { detectChartPatterns } from '../../patterns/chart.ts';
import { findLevels } from '../../patterns/levels.ts';
import { addCsvInputOptions, type CsvInputOptions, loadInput } from '../input.ts';
import { parseFormat, writeOut } from '../output.ts';

/** `emp patterns`: candlestick patterns per bar, chart patterns with breakout and target, support/resistance levels. */
export function registerPatterns(program: Command): void {
  addCsvInputOptions(
    program
      .command('patterns')
      .description(
        'candlestick patterns per bar (TA-Lib names and values), chart patterns and support/resistance levels, as one JSON object',
      )
      .option('--format <fmt>', 'json', 'json'),
  ).action(async (opts: CsvInputOptions & { format: string }) => {
    parseFormat(opts.format, ['json']);
    const s = await loadInput(opts, { ohlc: true });
    const candlestick = Object.fromEntries(Object.entries(scanCandlesticks(s)).map(([k, v]) => [k, Array.from(v)]));
    const levels = findLevels(s).map((l) => ({ ...l, first: formatIso(l.first), last: formatIso(l.last) }));
    const chart = detectChartPatterns(s).map((h) => ({
      pattern: h.pattern,
      direction: h.direction,
      start: formatIso(h.start),
      end: formatIso(h.end),
      breakout: h.breakout === null ? null : formatIso(h.breakout),
      target: h.target,
      confidence: h.confidence,
      geometry: h.geometry,
      pivots: h.pivots.map((p) => ({ time: formatIso(p.time), price: p.price, kind: p.kind })),
      lines: h.lines,
    }));
    await writeOut(`${JSON.stringify({ time: Array.from(s.time, formatIso), candlestick, chart, levels })}\n`);
  });
}
