import { basename } from 'node:path';
import type { Command } from 'commander';
import { checkTimeFormat, TIME_FORMATS } from '../core/time.ts';
import { type LoadedBars, loadBarsCsv, parseDelimiter } from '../sources/csv.ts';
import { progressBar } from './output.ts';

/** Options every command that reads one bar CSV shares. */
export interface CsvInputOptions {
  input: string;
  timeColumn?: string;
  closeColumn?: string;
  timeFormat: string;
  delimiter?: string;
  dropDisordered?: boolean;
}

export function addCsvInputOptions(cmd: Command, opts: { required?: boolean } = {}): Command {
  const help = 'CSV file: time,open,high,low,close,volume (see README, "CSV input")';
  return (opts.required === false ? cmd.option('-i, --input <file>', help) : cmd.requiredOption('-i, --input <file>', help))
    .option('--time-column <name>', 'name of the time column (default: time, date, timestamp or datetime)')
    .option('--close-column <name>', 'name of the column to use as close (default: close or price)')
    .option(
      '--time-format <fmt>',
      `how time is written: ${TIME_FORMATS.join(', ')}, or a strftime pattern such as %m/%d/%Y or "%d.%m.%Y %H:%M"`,
      'auto',
    )
    .option('--delimiter <c>', 'field separator: , ; | or tab (default: detected from the header row)')
    .option('--drop-disordered', 'drop rows whose time is not after the previous row (listed on stderr) instead of failing');
}

export async function loadInput(opts: CsvInputOptions, need: { ohlc?: boolean; volume?: boolean } = {}): Promise<LoadedBars> {
  const timeFormat = checkTimeFormat(opts.timeFormat);
  // A big file takes seconds to read: a progress bar on a terminal (from the first second on).
  const bar = progressBar(0, true, `read ${basename(opts.input)}`, 'MB');
  const bars = await loadBarsCsv(opts.input, {
    ...(bar
      ? {
          onProgress: (read: number, size: number) => {
            if (bar.getTotal() === 0) bar.setTotal(Math.ceil(size / 1e6));
            bar.update(Math.round(read / 1e6));
          },
        }
      : {}),
    requireOhlc: need.ohlc,
    requireVolume: need.volume,
    timeFormat,
    ...(opts.delimiter ? { delimiter: parseDelimiter(opts.delimiter) } : {}),
    timeColumn: opts.timeColumn,
    closeColumn: opts.closeColumn,
    onDisorder: opts.dropDisordered ? 'drop' : 'error',
  });
  bar?.stop();
  for (const d of bars.dropped) process.stderr.write(`emp: ${opts.input}:${d.line}: dropped row: ${d.reason}\n`);
  return bars;
}
