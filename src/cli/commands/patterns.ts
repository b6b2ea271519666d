import type { Command } from 'commander';
import { formatIso } from '../../core/time.ts';
import { scanCandlesticks } from '../../patterns/candlestick.ts';
import { detectChartPatterns } from '../../patterns/chart.ts';
import { findLevels } from '../../patterns/levels.ts';
import { addCsvInputOptions, type CsvInputOptions, loadInput } from '../input.ts';
import { csvEscape, parseFormat, writeOut } from '../output.ts';

/** One CSV row per finding; columns a kind does not have are empty. */
const CSV_HEADER = 'time,kind,pattern,direction,value,start,end,breakout,target,confidence,price,touches,strength';

/** `emp patterns`: candlestick patterns per bar, chart patterns with breakout and target, support/resistance levels. */
export function registerPatterns(program: Command): void {
  addCsvInputOptions(
    program
      .command('patterns')
      .description('candlestick patterns per bar (TA-Lib names and values), chart patterns and support/resistance levels')
      .option(
        '--format <fmt>',
        'csv (one row per finding, in time order) or json (one object: per-bar candlestick arrays, chart, levels)',
        'csv',
      ),
  )
    .addHelpText(
      'after',
      `
CSV columns: ${CSV_HEADER}
  candlestick: time = the bar, pattern = TA-Lib name (CDLENGULFING), value = its TA-Lib output (±100, ±200, ±80)
  chart:       time = the last pivot (end), start, breakout (empty if not broken), target, confidence
  support / resistance: time = the last touch, start = the first, price, touches, strength`,
    )
    .action(async (opts: CsvInputOptions & { format: string }) => {
      const format = parseFormat(opts.format, ['csv', 'json']);
      const s = await loadInput(opts, { ohlc: true });
      const candles = scanCandlesticks(s);
      const levels = findLevels(s);
      const chart = detectChartPatterns(s);
      if (format === 'json') {
        const candlestick = Object.fromEntries(Object.entries(candles).map(([k, v]) => [k, Array.from(v)]));
        await writeOut(
          `${JSON.stringify({
            time: Array.from(s.time, formatIso),
            candlestick,
            chart: chart.map((h) => ({
              pattern: h.pattern,
              direction: h.direction,
              start: formatIso(h.start),
              end: formatIso(h.end),
              breakout: h.breakout === null ? null : formatIso(h.breakout),
              target: h.target,
              confidence: h.confidence,
              pivots: h.pivots.map((p) => ({ time: formatIso(p.time), price: p.price, kind: p.kind })),
              lines: h.lines,
            })),
            levels: levels.map((l) => ({ ...l, first: formatIso(l.first), last: formatIso(l.last) })),
          })}\n`,
        );
        return;
      }
      // [time, row] pairs, sorted by time so the file reads as a timeline.
      const rows: [number, string][] = [];
      const cell = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : csvEscape(String(v)));
      for (const [name, values] of Object.entries(candles)) {
        for (let i = 0; i < values.length; i++) {
          const v = values[i] as number;
          if (v === 0) continue;
          const t = s.time[i] as number;
          rows.push([t, [formatIso(t), 'candlestick', name, v > 0 ? 'bullish' : 'bearish', v, '', '', '', '', '', '', '', ''].join(',')]);
        }
      }
      for (const h of chart) {
        rows.push([
          h.end,
          [
            formatIso(h.end),
            'chart',
            h.pattern,
            h.direction,
            '',
            formatIso(h.start),
            formatIso(h.end),
            h.breakout === null ? '' : formatIso(h.breakout),
            cell(h.target),
            cell(h.confidence),
            '',
            '',
            '',
          ].join(','),
        ]);
      }
      for (const l of levels) {
        rows.push([
          l.last,
          [
            formatIso(l.last),
            l.kind,
            l.flipped ? 'flipped' : '',
            '',
            '',
            formatIso(l.first),
            formatIso(l.last),
            '',
            '',
            '',
            l.price,
            l.touches,
            cell(l.strength),
          ].join(','),
        ]);
      }
      rows.sort((a, b) => a[0] - b[0]);
      await writeOut(`${CSV_HEADER}\n${rows.map((r) => `${r[1]}\n`).join('')}`);
    });
}
