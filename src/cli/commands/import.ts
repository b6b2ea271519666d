/**
 * `emp import`: historical data from a public source into the project's CSV format (bars, or
 * Dukascopy ticks), so every other command can run on real data.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EmpError } from '../../core/errors.ts';
import { canonicalInstrument, isInstrumentId } from '../../core/instrument.ts';
import type { Bar } from '../../core/market.ts';
import { formatIso, parseTimeframe, parseTimeValue, type Timeframe } from '../../core/time.ts';
import { AlphaVantageClient, alphaVantageOptionsFromEnv } from '../../sources/fx/alphavantage.ts';
import { DukascopyDownloader } from '../../sources/fx/dukascopy.ts';
import { midPriceBars, ticksInRange } from '../../sources/fx/tick-bars.ts';
import { YahooChartClient } from '../../sources/fx/yahoo.ts';
import { CsvFile, progressBar } from '../output.ts';

const IMPORT_SOURCES = ['dukascopy', 'yahoo', 'alphavantage'] as const;

interface ImportOptions {
  source: string;
  symbol: string;
  from: string;
  to: string;
  timeframe: string;
  out: string;
  baseUrl?: string;
  cacheDir: string;
  progress: boolean;
}

const BAR_HEADER = 'time,open,high,low,close,volume';
const barRow = (b: Bar): string => `${formatIso(b.ts)},${b.open},${b.high},${b.low},${b.close},${b.volume}`;

function date(text: string, name: string): number {
  const t = parseTimeValue(text);
  if (Number.isNaN(t)) throw new EmpError('BAD_ARGUMENT', `--${name}: cannot read "${text}" as a date (ISO 8601 or epoch)`);
  return t;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('download history from dukascopy (ticks or bars from ticks), yahoo or alphavantage into a CSV file')
    .requiredOption('--source <name>', IMPORT_SOURCES.join(', '))
    .requiredOption('--symbol <sym>', 'instrument (EUR-USD, EURUSD, EUR/USD) or, for yahoo/alphavantage, a ticker (MSFT)')
    .requiredOption('--from <date>', 'start (inclusive), ISO 8601 or epoch')
    .requiredOption('--to <date>', 'end (exclusive)')
    .option('--timeframe <tf>', 'bar size (1m 5m 15m 1h 4h 1d), or "tick" for dukascopy ticks', '1h')
    .requiredOption('--out <file>', 'CSV file to write')
    .option('--base-url <url>', "the source's root URL (a mirror, or a local server)")
    .option(
      '--cache-dir <dir>',
      'dukascopy: where downloaded hours are kept (a rerun resumes from it)',
      join(homedir(), '.cache', 'emp', 'dukascopy'),
    )
    .option('--no-progress', 'no progress bar')
    .action(async (o: ImportOptions) => {
      if (!(IMPORT_SOURCES as readonly string[]).includes(o.source))
        throw new EmpError('BAD_ARGUMENT', `unknown --source "${o.source}" (available: ${IMPORT_SOURCES.join(', ')})`);
      const from = date(o.from, 'from');
      const to = date(o.to, 'to');
      if (!(to > from)) throw new EmpError('BAD_ARGUMENT', '--to must be after --from');
      const ticks = o.timeframe === 'tick';
      if (ticks && o.source !== 'dukascopy') throw new EmpError('BAD_ARGUMENT', 'ticks (--timeframe tick) come from dukascopy only');
      const tf: Timeframe | null = ticks ? null : parseTimeframe(o.timeframe);
      let written = 0;
      if (o.source === 'dukascopy') {
        const id = canonicalInstrument(o.symbol);
        const d = new DukascopyDownloader({ cacheDir: o.cacheDir, ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}) });
        const out = new CsvFile(o.out, ticks ? 'time,bid,ask,bid_size,ask_size' : BAR_HEADER);
        const hours = Math.ceil((to - from) / 3_600_000);
        const bar = progressBar(hours, o.progress, `import ${id}`);
        const chunks = d.range(id, from, to, (done) => bar?.update(done));
        if (tf) {
          for await (const b of midPriceBars(chunks, id, tf, from, to)) {
            await out.row(barRow(b));
            written++;
          }
        } else {
          for await (const t of ticksInRange(chunks, from, to)) {
            await out.row(`${formatIso(t.ts)},${t.bid},${t.ask},${t.bidSize},${t.askSize}`);
            written++;
          }
        }
        bar?.stop();
        await out.close();
        process.stderr.write(
          `import: ${written} ${ticks ? 'ticks' : 'bars'} of ${id} to ${o.out} (${d.stats.fetched} hours downloaded, ${d.stats.cached} from cache, ${d.stats.missing} without data)\n`,
        );
        return;
      }
      const symbol = isInstrumentId(o.symbol.toUpperCase()) || /[/_]/.test(o.symbol) ? canonicalInstrument(o.symbol) : o.symbol;
      let bars: Bar[];
      if (o.source === 'yahoo') {
        const bar = progressBar(1, o.progress, `import ${symbol}`);
        bars = await new YahooChartClient(o.baseUrl, {}).bars(symbol, tf as Timeframe, from, to, (done, total) => {
          bar?.setTotal(total);
          bar?.update(done);
        });
        bar?.stop();
      } else {
        bars = await new AlphaVantageClient({ ...alphaVantageOptionsFromEnv(), ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}) }).bars(
          symbol,
          tf as Timeframe,
          from,
          to,
        );
      }
      const out = new CsvFile(o.out, BAR_HEADER);
      for (const b of bars) await out.row(barRow(b));
      await out.close();
      process.stderr.write(`import: ${bars.length} bars of ${symbol} from ${o.source} to ${o.out}\n`);
    });
}
