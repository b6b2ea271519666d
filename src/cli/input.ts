import type { Command } from 'commander';
import { EmpError } from '../core/errors.ts';
import type { TimeFormat } from '../core/time.ts';
import { TIME_FORMATS } from '../core/time.ts';
import { type LoadedBars, loadBarsCsv } from '../sources/csv.ts';

/** Options every command that reads one bar CSV shares. */
export interface CsvInputOptions {
  input: string;
  timeColumn?: string;
  closeColumn?: string;
  timeFormat: string;
  dropDisordered?: boolean;
}

export function addCsvInputOptions(cmd: Command, opts: { required?: boolean } = {}): Command {
  const help = 'CSV file: time,open,high,low,close,volume (see README, "CSV input")';
  return (opts.required === false ? cmd.option('-i, --input <file>', help) : cmd.requiredOption('-i, --input <file>', help))
    .option('--time-column <name>', 'name of the time column (default: time, date, timestamp or datetime)')
    .option('--close-column <name>', 'name of the column to use as close (default: close or price)')
    .option('--time-format <fmt>', `how time is written: ${TIME_FORMATS.join(', ')}`, 'auto')
    .option('--drop-disordered', 'drop rows whose time is not after the previous row (listed on stderr) instead of failing');
}

export async function loadInput(opts: CsvInputOptions, need: { ohlc?: boolean; volume?: boolean } = {}): Promise<LoadedBars> {
  if (!(TIME_FORMATS as readonly string[]).includes(opts.timeFormat)) {
    throw new EmpError('BAD_ARGUMENT', `unknown --time-format "${opts.timeFormat}" (expected ${TIME_FORMATS.join(', ')})`);
  }
  const bars = await loadBarsCsv(opts.input, {
    requireOhlc: need.ohlc,
    requireVolume: need.volume,
    timeFormat: opts.timeFormat as TimeFormat,
    timeColumn: opts.timeColumn,
    closeColumn: opts.closeColumn,
    onDisorder: opts.dropDisordered ? 'drop' : 'error',
  });
  for (const d of bars.dropped) process.stderr.write(`emp: ${opts.input}:${d.line}: dropped row: ${d.reason}\n`);
  return bars;
}
