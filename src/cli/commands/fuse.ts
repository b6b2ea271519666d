import type { Command } from 'commander';
import { EmpError } from '../../core/errors.ts';
import { parseDuration } from '../../core/time.ts';
import { FusionReplay } from '../../fusion/replay.ts';
import { isV1Method, V1_METHODS, type V1Method } from '../../fusion/strategies.ts';
import { type FuseInputOptions, readSourceRows, rowsToFuse } from '../fuse-input.ts';
import { fuseSummary, humanMs, writeFusedRows } from '../fuse-report.ts';
import { fraction, parseWeights } from '../options.ts';
import { parseFormat, writeOut } from '../output.ts';

interface FuseOptions extends FuseInputOptions {
  input: string[];
  method: string;
  weights?: string;
  conflictThreshold?: string;
  floor?: string;
  symbol?: string;
  interval?: string;
  maxAge: string;
  minSources: string;
  tolerance: string;
  format: string;
  summary?: boolean;
  dropDisordered?: boolean;
}

const METHODS = ['engine', ...V1_METHODS] as const;
/** Beyond this many output rows the grid is surely a mistake (and would exhaust memory). */
const MAX_ROWS_OUT = 5_000_000;

export function registerFuse(program: Command): void {
  program
    .command('fuse')
    .description(
      'offline fusion of several sources into one price per instrument, with a confidence interval, exclusions and a consistency figure',
    )
    .requiredOption('-i, --input <file>', 'CSV with time and price, or time,bid,ask (repeatable)', (v: string, acc: string[] = []) => [
      ...acc,
      v,
    ])
    .option('--method <m>', `${METHODS.join(', ')} (the last four: EMP v1's conflict strategies)`, 'engine')
    .option('--weights <list>', 'v1 methods: fixed weight per source, e.g. binance=2,kraken=1 (others 1)')
    .option('--conflict-threshold <x>', 'v1 methods: sources within this (price units) agree and are averaged (default 0.0001, 1 pip)')
    .option('--floor <d>', 'v1 methods: timestamps floored to this before most-recent compares them (default 1m; 0: exact)')
    .option('--symbol <s>', 'fuse only this instrument (BTC-USD also takes BTC-USDT); names the series of files without a symbol column')
    .option('--interval <d>', 'output on a time grid (e.g. 1s, 1m, 1h); default: one row per input time')
    .option('--max-age <d>', 'a source with no update or no price change for this long is stale', '5s')
    .option('--min-sources <n>', 'fewer used sources than this: status degraded', '3')
    .option('--tolerance <x>', 'engine: agreement tolerance for conflicts and consistency (fraction or %)', '0.25%')
    .option('--format <fmt>', 'csv or json', 'csv')
    .option('--summary', 'print the summary to stdout after the data (it always goes to stderr otherwise)')
    .option('--time-column <name>', 'time column (default: time, date, timestamp or datetime)')
    .option('--time-format <fmt>', 'auto, iso, epoch-s, epoch-ms, epoch-us, epoch-ns, yyyymmddhhmm, decimal-year', 'auto')
    .option('--recv-column <name>', 'receipt-time column: rows are replayed when received (default: recv_time if present)')
    .option(
      '--source-column <name>',
      'column naming the source (default: "source" if present, else the file name; same file names: the folder)',
    )
    .option('--symbol-column <name>', 'instrument column: one fused price per instrument (default: "symbol" if present)')
    .option('--price-column <name>', 'price column (default: price), used when there are no bid/ask columns')
    .option('--bid-column <name>', 'bid column (default: bid)')
    .option('--ask-column <name>', 'ask column (default: ask)')
    .option('--drop-disordered', 'drop rows earlier than the row before them in their file (default: refuse the file)')
    .addHelpText(
      'after',
      `
Input: one file per source (named by the file, or by its folder when several inputs share a
file name: sim/binance/quotes.csv → binance), or files with a source column. A symbol column
gives one fused price per instrument; BTC-USDT joins BTC-USD (engine: at the live USDT/USD rate
it estimates from venues quoting both; v1 methods: at par). Rows with a non-numeric or
non-positive price are listed and left out; rows out of time order are an error unless
--drop-disordered.

Examples:
  emp simulate --seed 3 --duration 10m --out sim
  emp fuse -i sim/binance/quotes.csv -i sim/coinbase/quotes.csv -i sim/kraken/quotes.csv --interval 1m
  emp fuse ... --method weighted-average --weights binance=2,kraken=1 --conflict-threshold 5

  USD/THB contributor quotes as distributed (63 banks quoting every few hours, mostly in Asian
  hours; one quote is 48 min late, out of order):
  emp fuse -i usdthb_1997_contributor_quotes_raw.csv --time-column XDATE --time-format yyyymmddhhmm \\
    --source-column CONTRIBUTOR --bid-column BID --ask-column ASK --drop-disordered \\
    --max-age 2h --min-sources 2 --interval 1h --tolerance 0.5%`,
    )
    .action(async (o: FuseOptions) => {
      const format = parseFormat(o.format);
      if (!(METHODS as readonly string[]).includes(o.method)) {
        throw new EmpError('BAD_ARGUMENT', `unknown --method "${o.method}" (expected ${METHODS.join(', ')})`);
      }
      const v1: V1Method | null = isV1Method(o.method) ? o.method : null;
      if (!v1) {
        const given = (['weights', 'conflictThreshold', 'floor'] as const).filter((k) => o[k] !== undefined);
        if (given.length) {
          const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
          throw new EmpError('BAD_ARGUMENT', `${given.map(flag).join(', ')}: only for the v1 methods (${V1_METHODS.join(', ')})`);
        }
      }
      const maxAgeMs = parseDuration(o.maxAge);
      if (!(maxAgeMs > 0)) throw new EmpError('BAD_DURATION', `--max-age must be positive, got "${o.maxAge}"`);
      const interval = o.interval ? parseDuration(o.interval) : 0;
      if (o.interval && interval <= 0) throw new EmpError('BAD_DURATION', `--interval must be positive, got "${o.interval}"`);
      const minSources = Number(o.minSources);
      if (!Number.isInteger(minSources) || minSources < 1)
        throw new EmpError('BAD_ARGUMENT', `--min-sources must be a positive integer, got "${o.minSources}"`);
      const tolerance = fraction(o.tolerance, 'tolerance');
      const weights = o.weights !== undefined ? parseWeights(o.weights) : {};
      const threshold = o.conflictThreshold !== undefined ? Number(o.conflictThreshold) : 0.0001;
      if (!(threshold >= 0 && Number.isFinite(threshold)))
        throw new EmpError('BAD_ARGUMENT', `--conflict-threshold must be a number ≥ 0 (price units), got "${o.conflictThreshold}"`);
      const floorMs = o.floor !== undefined ? parseDuration(o.floor) : 60_000;

      const input = await readSourceRows(o.input, { ...o, disordered: o.dropDisordered ? 'drop' : 'error' });
      const replay = new FusionReplay({
        method: v1 ?? 'engine',
        maxAgeMs,
        minSources,
        tolerance,
        alignClocks: input.files.some((f) => f.receiptTime),
        weights,
        conflictThreshold: threshold,
        floorMs,
        symbol: o.symbol?.trim(),
      });
      const { rows, wanted } = rowsToFuse(input, replay, o.symbol, weights);
      const first = (rows[0] as (typeof rows)[number]).time;
      const span = (rows[rows.length - 1] as (typeof rows)[number]).time - first;
      const nSymbols = new Set(rows.map((r) => replay.instrumentOf(r).fused)).size;
      if (interval && (span / interval + 2) * nSymbols > MAX_ROWS_OUT) {
        throw new EmpError(
          'BAD_ARGUMENT',
          `--interval ${o.interval} over ${humanMs(span)} of data and ${nSymbols} instrument(s) would give more than ${MAX_ROWS_OUT} rows; use a coarser interval`,
        );
      }
      const out = [...replay.replay(rows, interval)];
      await writeFusedRows(out, format, replay.instruments.length > 1);
      const settings = v1 ? { v1: { weights, threshold, floorMs } } : {};
      const text = fuseSummary({ method: o.method, files: o.input.length, input, rows, out, replay, wanted, maxAgeMs, ...settings });
      if (o.summary) await writeOut(text);
      else process.stderr.write(text);
    });
}
