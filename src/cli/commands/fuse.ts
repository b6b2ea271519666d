import type { Command } from 'commander';
import { EmpError } from '../../core/errors.ts';
import type { FusedPrice } from '../../core/events.ts';
import { formatIso, parseDuration } from '../../core/time.ts';
import { FusionEngine } from '../../fusion/engine.ts';
import { readSourceRows } from '../fuse-input.ts';
import { csvEscape, parseFormat, writeOut } from '../output.ts';

interface FuseOptions {
  input: string[];
  interval?: string;
  maxAge: string;
  minSources: string;
  tolerance: string;
  format: string;
  summary?: boolean;
  timeColumn?: string;
  timeFormat: string;
  sourceColumn?: string;
  priceColumn?: string;
  bidColumn?: string;
  askColumn?: string;
}

const SYMBOL = 'INPUT-SERIES';

function fraction(text: string, name: string): number {
  const pct = text.trim().endsWith('%');
  const v = Number(pct ? text.trim().slice(0, -1) : text) / (pct ? 100 : 1);
  if (!(v > 0 && v < 1)) throw new EmpError('BAD_ARGUMENT', `--${name} must be a fraction in (0, 1) or a percentage, got "${text}"`);
  return v;
}

export function registerFuse(program: Command): void {
  program
    .command('fuse')
    .description('offline fusion of several sources into one price with a confidence interval, exclusions and a consistency figure')
    .requiredOption('-i, --input <file>', 'CSV with time and price, or time,bid,ask (repeatable)', (v: string, acc: string[] = []) => [
      ...acc,
      v,
    ])
    .option('--interval <d>', 'output on a time grid (e.g. 1s, 1m, 1h); default: one row per input time')
    .option('--max-age <d>', 'a source with no update or no price change for this long is stale', '5s')
    .option('--min-sources <n>', 'fewer used sources than this: status degraded', '3')
    .option('--tolerance <x>', 'agreement tolerance for conflicts and consistency (fraction or %)', '0.25%')
    .option('--format <fmt>', 'csv or json', 'csv')
    .option('--summary', 'print the summary to stdout after the data (it always goes to stderr otherwise)')
    .option('--time-column <name>', 'time column (default: time, date, timestamp or datetime)')
    .option('--time-format <fmt>', 'auto, iso, epoch-s, epoch-ms, epoch-us, epoch-ns, yyyymmddhhmm, decimal-year', 'auto')
    .option('--source-column <name>', 'column naming the source (default: "source" if present, else the file name)')
    .option('--price-column <name>', 'price column (default: price), used when there are no bid/ask columns')
    .option('--bid-column <name>', 'bid column (default: bid)')
    .option('--ask-column <name>', 'ask column (default: ask)')
    .addHelpText(
      'after',
      '\nExample (USD/THB contributor quotes as distributed):\n  emp fuse -i usdthb_1997_contributor_quotes_raw.csv --time-column XDATE --time-format yyyymmddhhmm \\\n    --source-column CONTRIBUTOR --bid-column BID --ask-column ASK --max-age 30m --interval 1h --tolerance 0.5%',
    )
    .action(async (o: FuseOptions) => {
      const format = parseFormat(o.format);
      const maxAgeMs = parseDuration(o.maxAge);
      const interval = o.interval ? parseDuration(o.interval) : 0;
      if (o.interval && interval <= 0) throw new EmpError('BAD_DURATION', `--interval must be positive, got "${o.interval}"`);
      const minSources = Number(o.minSources);
      if (!Number.isInteger(minSources) || minSources < 1)
        throw new EmpError('BAD_ARGUMENT', `--min-sources must be a positive integer, got "${o.minSources}"`);
      const engine = new FusionEngine({ maxAgeMs, minSources, tolerance: fraction(o.tolerance, 'tolerance') });
      const { rows, reordered, invalid } = await readSourceRows(o.input, o);
      if (rows.length === 0) throw new EmpError('CSV_EMPTY', 'no data rows in the inputs');

      const out: FusedPrice[] = [];
      const emit = (t: number): void => {
        if (!engine.evaluate(SYMBOL, t)) return;
        const f = engine.fused(SYMBOL);
        if (f) out.push(f);
      };
      let next = interval ? Math.ceil((rows[0] as { time: number }).time / interval) * interval : 0;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i] as (typeof rows)[number];
        while (interval && next < r.time) {
          emit(next);
          next += interval;
        }
        engine.onQuote(
          { venue: r.source, symbol: SYMBOL, ts: r.time, recvTs: r.time, bid: r.bid, ask: r.ask, bidSize: 0, askSize: 0 },
          r.time,
        );
        if (!interval && (rows[i + 1]?.time ?? Number.NaN) !== r.time) emit(r.time);
      }
      if (interval) emit(next);

      if (format === 'json') {
        await writeOut(
          `${JSON.stringify({
            time: out.map((f) => formatIso(f.ts)),
            price: out.map((f) => (Number.isFinite(f.price) ? f.price : null)),
            confidence: out.map((f) => (Number.isFinite(f.confidence) ? f.confidence : null)),
            sources: out.map((f) => f.sources.map((s) => s.venue)),
            excluded: out.map((f) => f.excluded.map((e) => ({ source: e.venue, reason: e.reason }))),
            status: out.map((f) => f.status),
          })}\n`,
        );
      } else {
        const lines = ['time,price,confidence,sources,excluded,status'];
        for (const f of out) {
          lines.push(
            [
              formatIso(f.ts),
              Number.isFinite(f.price) ? f.price : '',
              Number.isFinite(f.confidence) ? f.confidence : '',
              csvEscape(f.sources.map((s) => s.venue).join(';')),
              csvEscape(f.excluded.map((e) => `${e.venue}:${e.reason}`).join(';')),
              f.status,
            ].join(','),
          );
          if (lines.length >= 10_000) await writeOut(`${lines.splice(0).join('\n')}\n`);
        }
        if (lines.length) await writeOut(`${lines.join('\n')}\n`);
      }

      // Summary: time-averaged weight per source, exclusions by reason over the output rows, consistency.
      const weight = new Map<string, number>();
      const reasons: Record<string, number> = {};
      for (const f of out) {
        for (const s of f.sources) weight.set(s.venue, (weight.get(s.venue) ?? 0) + s.weight / out.length);
        for (const e of f.excluded) reasons[e.reason] = (reasons[e.reason] ?? 0) + 1;
      }
      const c = engine.consistency(SYMBOL);
      const summary = [
        `rows in: ${rows.length} from ${o.input.length} file(s), ${new Set(rows.map((r) => r.source)).size} sources${reordered ? `, ${reordered} out of time order (merged in order)` : ''}; rows out: ${out.length}`,
        ...invalid.map((x) => `invalid quote left out: ${x.file}:${x.line}: ${x.reason}`),
        `consistency: ${(c.share * 100).toFixed(2)}% of the time all used sources within ${(c.tolerance * 100).toFixed(2)}% of the fused price`,
        `exclusions (source-rows in the output): ${
          Object.entries(reasons)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || 'none'
        }`,
        `status: ${['ok', 'degraded', 'unknown'].map((s) => `${s} ${out.filter((f) => f.status === s).length}`).join(', ')}`,
        'mean weight by source:',
        ...[...weight.entries()].sort((a, b) => b[1] - a[1]).map(([s, w]) => `  ${s.padEnd(16)} ${w.toFixed(4)}`),
      ].join('\n');
      if (o.summary) await writeOut(`${summary}\n`);
      else process.stderr.write(`${summary}\n`);
    });
}
