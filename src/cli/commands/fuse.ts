import type { Command } from 'commander';
import { EmpError } from '../../core/errors.ts';
import { canonicalInstrument, splitInstrument } from '../../core/instrument.ts';
import { formatIso, parseDuration } from '../../core/time.ts';
import { FusionEngine } from '../../fusion/engine.ts';
import { Harmonizer, USD_STABLECOINS } from '../../fusion/harmonizer.ts';
import { isV1Method, V1_METHODS, V1Fuser, type V1Method } from '../../fusion/strategies.ts';
import { type LeftOutRow, readSourceRows, type SourceRow } from '../fuse-input.ts';
import { csvEscape, parseFormat, writeOut } from '../output.ts';

interface FuseOptions {
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
  timeColumn?: string;
  timeFormat: string;
  recvColumn?: string;
  sourceColumn?: string;
  symbolColumn?: string;
  priceColumn?: string;
  bidColumn?: string;
  askColumn?: string;
  dropDisordered?: boolean;
}

const METHODS = ['engine', ...V1_METHODS] as const;
/** The instrument of inputs without a symbol column (and no --symbol). */
const SERIES = 'INPUT-SERIES';
/** Beyond this many output rows the grid is surely a mistake (and would exhaust memory). */
const MAX_ROWS_OUT = 5_000_000;
/** At most this many left-out rows are listed one by one in the summary (all are counted). */
const LIST_LIMIT = 20;

function fraction(text: string, name: string): number {
  const pct = text.trim().endsWith('%');
  const v = Number(pct ? text.trim().slice(0, -1) : text) / (pct ? 100 : 1);
  if (!(v > 0 && v < 1)) throw new EmpError('BAD_ARGUMENT', `--${name} must be a fraction in (0, 1) or a percentage, got "${text}"`);
  return v;
}

/** `binance=2,kraken=1` → { binance: 2, kraken: 1 }. */
function parseWeights(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(part);
    const w = m ? Number(m[2]) : Number.NaN;
    if (!m || !(w > 0 && Number.isFinite(w))) {
      throw new EmpError(
        'BAD_ARGUMENT',
        `--weights: expected source=weight with a positive weight (e.g. binance=2,kraken=1), got "${part}"`,
      );
    }
    out[m[1] as string] = w;
  }
  return out;
}

/**
 * The instrument a row is fused into. Stablecoin-quoted pairs join their USD pair (BTC-USDT with
 * BTC-USD): the engine converts them at the live USDT/USD rate its harmonizer estimates from
 * venues quoting both; the v1 methods (which had no such rate) take them at par.
 */
interface Instrument {
  fused: string;
  /** Canonical id as quoted (BTC-USDT), or null when the symbol is not BASE-QUOTE. */
  canonical: string | null;
  coin: string | null;
}

function instrumentOf(raw: string): Instrument {
  let canonical: string | null = null;
  try {
    canonical = canonicalInstrument(raw);
  } catch {
    // Not a BASE-QUOTE pair (an index, a contract code): fused under its own name, unconverted.
    return { fused: raw, canonical: null, coin: null };
  }
  const { base, quote } = splitInstrument(canonical);
  return USD_STABLECOINS.has(quote) ? { fused: `${base}-USD`, canonical, coin: quote } : { fused: canonical, canonical, coin: null };
}

/** One output row. */
interface Out {
  ts: number;
  symbol: string;
  price: number;
  confidence: number;
  sources: string[];
  excluded: string[];
  status: 'ok' | 'degraded' | 'unknown';
  /** Source → normalized weight in this row (engine), or 1 per source used (v1). */
  weights: [string, number][];
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function humanMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function listLeftOut(title: string, rows: readonly LeftOutRow[]): string[] {
  if (rows.length === 0) return [];
  return [
    `${title}: ${rows.length}`,
    ...rows.slice(0, LIST_LIMIT).map((x) => `  ${x.file}:${x.line}: ${x.source}: ${x.reason}`),
    ...(rows.length > LIST_LIMIT ? [`  … and ${rows.length - LIST_LIMIT} more`] : []),
  ];
}

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
      const withSymbols = input.files.filter((f) => f.symbols);
      if (withSymbols.length && withSymbols.length < input.files.length && o.symbol === undefined) {
        const without = input.files.filter((f) => !f.symbols).map((f) => f.file);
        throw new EmpError(
          'BAD_ARGUMENT',
          `${without.join(', ')} ha${without.length > 1 ? 've' : 's'} no symbol column while ${withSymbols[0]?.file} has one: pass --symbol to say which instrument ${without.length > 1 ? 'they quote' : 'it quotes'}`,
        );
      }
      // Instruments: resolved once per distinct symbol text, then looked up per row.
      const wanted = o.symbol !== undefined ? instrumentOf(o.symbol.trim()).fused : null;
      const bySymbol = new Map<string, Instrument>();
      const noSymbol: Instrument = o.symbol !== undefined ? instrumentOf(o.symbol.trim()) : { fused: SERIES, canonical: null, coin: null };
      const inst = (r: SourceRow): Instrument => {
        if (r.symbol === '') return noSymbol;
        let x = bySymbol.get(r.symbol);
        if (!x) {
          x = instrumentOf(r.symbol);
          bySymbol.set(r.symbol, x);
        }
        return x;
      };
      const rows = wanted === null ? input.rows : input.rows.filter((r) => inst(r).fused === wanted);
      if (input.rows.length === 0) {
        const why = [
          input.badPrice.length
            ? `${input.badPrice.length} with a bad price (first: ${input.badPrice[0]?.file}:${input.badPrice[0]?.line})`
            : '',
          input.disordered.length ? `${input.disordered.length} out of time order` : '',
        ].filter(Boolean);
        throw new EmpError('CSV_EMPTY', `no usable data rows in the inputs${why.length ? `: ${why.join(', ')}` : ''}`);
      }
      if (rows.length === 0) {
        const have = [...new Set(input.rows.map((r) => inst(r).fused))].sort();
        throw new EmpError('BAD_ARGUMENT', `--symbol ${o.symbol}: no rows for it (instruments in the input: ${have.join(', ')})`);
      }
      const sources = [...new Set(rows.map((r) => r.source))];
      for (const k of Object.keys(weights)) {
        if (!sources.includes(k))
          throw new EmpError('BAD_ARGUMENT', `--weights: no source "${k}" in the input (sources: ${sources.join(', ')})`);
      }

      // The fusers: one engine for all instruments (it keeps them apart and shares the
      // stablecoin rate across them), or one v1 fuser per instrument.
      const receipt = input.files.some((f) => f.receiptTime);
      const engine = v1 ? null : new FusionEngine({ maxAgeMs, minSources, tolerance }, new Harmonizer({ alignClocks: receipt }));
      const v1Fusers = new Map<string, V1Fuser>();
      const symbolsSeen: string[] = [];
      const feed = (r: SourceRow, x: Instrument): void => {
        if (engine) {
          if (x.canonical) {
            const q = engine.harmonizer.quote({
              type: 'quote',
              venue: r.source,
              symbol: x.canonical,
              ts: r.eventTime,
              recvTs: r.time,
              bid: r.bid,
              ask: r.ask,
              bidSize: 0,
              askSize: 0,
            });
            engine.onQuote(q, r.time, x.coin);
          } else {
            engine.onQuote(
              { venue: r.source, symbol: x.fused, ts: r.eventTime, recvTs: r.time, bid: r.bid, ask: r.ask, bidSize: 0, askSize: 0 },
              r.time,
            );
          }
          return;
        }
        let f = v1Fusers.get(x.fused);
        if (!f) {
          f = new V1Fuser(v1 as V1Method, { weights, conflictThreshold: threshold, floorMs });
          v1Fusers.set(x.fused, f);
        }
        f.update(r.source, (r.bid + r.ask) / 2, r.eventTime);
      };

      const out: Out[] = [];
      let conflictRows = 0;
      const emit = (t: number, symbol: string): void => {
        if (engine) {
          if (!engine.evaluate(symbol, t)) return;
          const f = engine.fused(symbol);
          if (!f) return;
          out.push({
            ts: f.ts,
            symbol,
            price: f.price,
            confidence: f.confidence,
            sources: f.sources.map((s) => s.venue),
            excluded: f.excluded.map((e) => `${e.venue}:${e.reason}`),
            status: f.status,
            weights: f.sources.map((s) => [s.venue, s.weight]),
          });
          return;
        }
        const f = v1Fusers.get(symbol);
        if (!f) return;
        const price = f.value(t, maxAgeMs);
        if (f.conflict) conflictRows++;
        const used = f.slots.filter((s) => s.used);
        out.push({
          ts: t,
          symbol,
          price,
          confidence: Number.NaN,
          sources: used.map((s) => s.source),
          // Fresh but outvoted by the strategy, or too old.
          excluded: f.slots.filter((s) => !s.used).map((s) => `${s.source}:${s.fresh ? 'not_selected' : 'stale'}`),
          status: f.fresh === 0 ? 'unknown' : f.fresh < minSources ? 'degraded' : 'ok',
          weights: used.map((s) => [s.source, 1 / used.length]),
        });
      };

      const first = (rows[0] as SourceRow).time;
      const lastTime = (rows[rows.length - 1] as SourceRow).time;
      const nSymbols = new Set(rows.map((r) => inst(r).fused)).size;
      if (interval && ((lastTime - first) / interval + 2) * nSymbols > MAX_ROWS_OUT) {
        throw new EmpError(
          'BAD_ARGUMENT',
          `--interval ${o.interval} over ${humanMs(lastTime - first)} of data and ${nSymbols} instrument(s) would give more than ${MAX_ROWS_OUT} rows; use a coarser interval`,
        );
      }
      let next = interval ? Math.ceil(first / interval) * interval : 0;
      const touched = new Set<string>();
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i] as SourceRow;
        while (interval && next < r.time) {
          for (const s of symbolsSeen) emit(next, s);
          next += interval;
        }
        const x = inst(r);
        if (!symbolsSeen.includes(x.fused)) {
          // Sorted, so rows of one time come in a stable instrument order.
          symbolsSeen.push(x.fused);
          symbolsSeen.sort();
        }
        feed(r, x);
        if (!interval) {
          touched.add(x.fused);
          if ((rows[i + 1]?.time ?? Number.NaN) !== r.time) {
            for (const s of symbolsSeen) if (touched.has(s)) emit(r.time, s);
            touched.clear();
          }
        }
      }
      if (interval) for (const s of symbolsSeen) emit(next, s);

      const showSymbol = symbolsSeen.length > 1;
      if (format === 'json') {
        const json: Record<string, unknown> = { time: out.map((f) => formatIso(f.ts)) };
        if (showSymbol) json.symbol = out.map((f) => f.symbol);
        Object.assign(json, {
          price: out.map((f) => (Number.isFinite(f.price) ? f.price : null)),
          confidence: out.map((f) => (Number.isFinite(f.confidence) ? f.confidence : null)),
          sources: out.map((f) => f.sources),
          excluded: out.map((f) =>
            f.excluded.map((e) => {
              const k = e.lastIndexOf(':');
              return { source: e.slice(0, k), reason: e.slice(k + 1) };
            }),
          ),
          status: out.map((f) => f.status),
        });
        await writeOut(`${JSON.stringify(json)}\n`);
      } else {
        const lines = [`time,${showSymbol ? 'symbol,' : ''}price,confidence,sources,excluded,status`];
        for (const f of out) {
          lines.push(
            [
              formatIso(f.ts),
              ...(showSymbol ? [csvEscape(f.symbol)] : []),
              Number.isFinite(f.price) ? f.price : '',
              Number.isFinite(f.confidence) ? f.confidence : '',
              csvEscape(f.sources.join(';')),
              csvEscape(f.excluded.join(';')),
              f.status,
            ].join(','),
          );
          if (lines.length >= 10_000) await writeOut(`${lines.splice(0).join('\n')}\n`);
        }
        if (lines.length) await writeOut(`${lines.join('\n')}\n`);
      }

      await writeSummary();

      async function writeSummary(): Promise<void> {
        const named = input.files.filter((f) => f.how === 'folder name');
        const lines = [
          `method: ${o.method}${
            v1
              ? ` (weights: ${
                  Object.entries(weights)
                    .map(([k, w]) => `${k}=${w}`)
                    .join(', ') || 'all 1'
                }${Object.keys(weights).length ? ', others 1' : ''}; conflict threshold ${threshold}; time floor ${humanMs(floorMs)})`
              : ''
          }`,
          `rows in: ${rows.length} from ${o.input.length} file(s), ${sources.length} source(s), ${symbolsSeen.length} instrument(s)${
            receipt ? ', replayed at receipt time' : ''
          }; rows out: ${out.length}`,
          ...(named.length ? [`sources named by folder: ${named.map((f) => `${f.source} (${f.file})`).join(', ')}`] : []),
          ...(() => {
            const mapped = [...bySymbol.entries()].filter(
              ([raw, x]) => x.coin && (wanted === null || x.fused === wanted) && raw !== x.fused,
            );
            if (!mapped.length) return [];
            const how = v1 ? 'at par (v1 methods)' : `at the live ${[...new Set(mapped.map(([, x]) => x.coin))].join('/')}/USD rate`;
            return [`stablecoin pairs fused into USD pairs ${how}: ${mapped.map(([raw, x]) => `${raw} → ${x.fused}`).join(', ')}`];
          })(),
          ...listLeftOut('rows with a bad price, left out', input.badPrice),
          ...listLeftOut('rows out of time order, dropped (--drop-disordered)', input.disordered),
        ];
        for (const sym of symbolsSeen) {
          const mine = out.filter((f) => f.symbol === sym);
          const count = (s: string) => mine.filter((f) => f.status === s).length;
          const head = showSymbol ? `${sym}: ` : '';
          lines.push(`${head}status: ok ${count('ok')}, degraded ${count('degraded')}, unknown ${count('unknown')}`);
          if (engine) {
            const c = engine.consistency(sym);
            lines.push(
              Number.isFinite(c.share)
                ? `${head}consistency: ${(c.share * 100).toFixed(2)}% of the time all used sources within ${(c.tolerance * 100).toFixed(2)}% of the fused price`
                : `${head}consistency: – (no time elapsed between fused rows)`,
            );
          }
          const w = new Map<string, number>();
          for (const f of mine) for (const [s, x] of f.weights) w.set(s, (w.get(s) ?? 0) + x / mine.length);
          const ranked = [...w.entries()].sort((a, b) => b[1] - a[1]);
          lines.push(
            `${head}mean ${engine ? 'weight' : 'share'} by source: ${ranked.map(([s, x]) => `${s} ${x.toFixed(4)}`).join(', ') || 'none'}`,
          );
        }
        if (engine) {
          const reasons: Record<string, number> = {};
          for (const f of out)
            for (const e of f.excluded) reasons[e.slice(e.lastIndexOf(':') + 1)] = (reasons[e.slice(e.lastIndexOf(':') + 1)] ?? 0) + 1;
          lines.push(
            `exclusions (source-rows in the output): ${
              Object.entries(reasons)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ') || 'none'
            }`,
          );
        } else {
          lines.push(`rows where the fresh sources disagreed beyond ${threshold} (resolved by ${v1}): ${conflictRows} of ${out.length}`);
        }
        // Rows without a price: tell a gap in the data (no quote of the instrument within the
        // staleness limit: nights, weekends) from quotes the fusion excluded.
        const unknown = out.filter((f) => f.status === 'unknown');
        if (unknown.length) {
          const times = new Map<string, number[]>();
          for (const r of rows) {
            const k = inst(r).fused;
            let a = times.get(k);
            if (!a) times.set(k, (a = []));
            a.push(r.time);
          }
          let gap = 0;
          for (const f of unknown) {
            const a = times.get(f.symbol) ?? [];
            // Last quote at or before f.ts (binary search: a is in time order).
            let lo = 0;
            let hi = a.length;
            while (lo < hi) {
              const mid = (lo + hi) >> 1;
              if ((a[mid] as number) <= f.ts) lo = mid + 1;
              else hi = mid;
            }
            if (lo === 0 || f.ts - (a[lo - 1] as number) > maxAgeMs) gap++;
          }
          lines.push(
            `rows without a price (status unknown): ${unknown.length} of ${out.length}: ${gap} with no quote at all in the ${humanMs(maxAgeMs)} before (gaps in the data), ${unknown.length - gap} with quotes, all excluded`,
          );
          if (unknown.length / out.length > 0.25) {
            // Many: usually a staleness limit shorter than the time between a source's quotes.
            const lastBy = new Map<string, number>();
            const gaps: number[] = [];
            for (const r of rows) {
              const k = `${r.source}\u0000${inst(r).fused}`;
              const p = lastBy.get(k);
              if (p !== undefined) gaps.push(r.time - p);
              lastBy.set(k, r.time);
            }
            lines.push(
              `note: the median time between two quotes of one source is ${humanMs(median(gaps))}; the staleness limit (--max-age) is ${humanMs(maxAgeMs)}`,
            );
          }
        }
        const text = `${lines.join('\n')}\n`;
        if (o.summary) await writeOut(text);
        else process.stderr.write(text);
      }
    });
}
