import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { CsvError, EmpError } from '../core/errors.ts';
import { checkTimeFormat, formatIso, parseTimeValue, type TimeFormat } from '../core/time.ts';
import { type FusionReplay, fusedInstrument, type ReplayRow } from '../fusion/replay.ts';
import { findColumn, readCsv, TIME_COLUMNS } from '../sources/csv.ts';

/** One observation of one source, read from a CSV file (`symbol` '' when the file has no symbol column). */
export interface SourceRow extends ReplayRow {
  file: string;
  line: number;
}

export interface FuseInputOptions {
  timeColumn?: string;
  timeFormat: string;
  /** Receipt-time column (default: `recv_time` if present). */
  recvColumn?: string;
  sourceColumn?: string;
  /** Instrument column (default: `symbol` if present). */
  symbolColumn?: string;
  priceColumn?: string;
  bidColumn?: string;
  askColumn?: string;
  /**
   * A row earlier than the one before it in its file: `error` (naming file and line), `drop`
   * (listed in `disordered`), or `merge` (kept, merged in time order and counted in `reordered`;
   * the default, for callers that replay a whole file regardless).
   */
  disordered?: 'error' | 'drop' | 'merge';
}

/** A row that was read but left out, with where it is and why. */
export interface LeftOutRow {
  file: string;
  line: number;
  source: string;
  reason: string;
}

/** How each file's rows got their source name. */
interface FileSource {
  file: string;
  /** The name given to the file's rows, or null when a source column names them. */
  source: string | null;
  how: 'column' | 'file name' | 'folder name';
  rows: number;
  /** The file's rows are replayed at receipt time (it has a receipt-time column). */
  receiptTime: boolean;
  /** The file has a symbol column. */
  symbols: boolean;
}

export interface FuseInput {
  /** All files' rows in order of `time` (stable: equal times keep file order). */
  rows: SourceRow[];
  /** Rows with a non-numeric or non-positive price: listed, left out, not fatal. */
  badPrice: LeftOutRow[];
  /** Rows out of time order within their file, dropped (`disordered: 'drop'`). */
  disordered: LeftOutRow[];
  /** Rows out of time order within their file, kept and merged in order (`disordered: 'merge'`). */
  reordered: number;
  /** `badPrice` as `file`, `line` and `source: reason` (the earlier shape, kept for existing callers). */
  invalid: { file: string; line: number; reason: string }[];
  files: FileSource[];
}

const RECV_COLUMNS = ['recv_time', 'receipt_time', 'recvtime'] as const;

/**
 * The source name each file gives its rows when it has no source column: its base name, or, when
 * several inputs share a base name (`sim/binance/quotes.csv`, `sim/coinbase/quotes.csv`), its
 * folder's name. A name that would still be shared is an error message, raised only if that
 * file's rows need it (a file with a source column names its own sources).
 */
function fileSourceNames(files: readonly string[]): { name: string; how: 'file name' | 'folder name'; error?: string }[] {
  const base = files.map((f) => basename(f).replace(/\.[^.]*$/, ''));
  const out = files.map((f, i) => {
    const shared = base.some((b, j) => j !== i && b === base[i]);
    return shared
      ? { name: basename(dirname(resolve(f))), how: 'folder name' as const }
      : { name: base[i] as string, how: 'file name' as const };
  });
  return out.map((o, i) => {
    const clash = out.findIndex((p, j) => j !== i && p.name === o.name);
    if (clash < 0 && o.name !== '') return o;
    const other = clash >= 0 ? ` and ${files[clash]}` : '';
    return {
      ...o,
      error: `cannot name the source of ${files[i]}${other}: both would be "${o.name}" (by ${o.how}); add a source column, --source-column, or rename the files`,
    };
  });
}

/** A clear input error for a path that is missing, a directory or unreadable (never a crash). */
function checkFile(file: string): void {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(file);
  } catch {
    throw new EmpError('FILE_NOT_FOUND', `${file}: no such file`);
  }
  if (st.isDirectory()) {
    throw new EmpError(
      'BAD_ARGUMENT',
      `${file} is a directory: give the CSV files in it, one -i each (e.g. -i ${file}/binance/quotes.csv)`,
    );
  }
}

/**
 * Reads several sources' series: each file has a time column and either a price or bid/ask
 * columns; optionally a receipt-time column (rows are then replayed when they were received),
 * a source column (one file, several sources; otherwise the file names the source, see
 * `fileSourceNames`) and a symbol column. A row with a non-numeric or non-positive price is
 * listed and left out (a real feed has such quotes: the USD/THB file has an ask of 0); a row
 * earlier than the one before it in its file is handled as `o.disordered` says. Other bad rows (unreadable time, empty source) are errors
 * naming file and line.
 */
export async function readSourceRows(files: readonly string[], o: FuseInputOptions): Promise<FuseInput> {
  // A named format or a strftime pattern (%m/%d/%Y ...), as every command reads time.
  checkTimeFormat(o.timeFormat);
  const seen = new Map<string, string>();
  for (const f of files) {
    checkFile(f);
    const abs = resolve(f);
    const prev = seen.get(abs);
    if (prev !== undefined) throw new EmpError('BAD_ARGUMENT', `${f} is given twice (${prev}): its rows would count double`);
    seen.set(abs, f);
  }
  const names = fileSourceNames(files);
  const fmt = o.timeFormat as TimeFormat;
  const mode = o.disordered ?? 'merge';
  let reordered = 0;
  const rows: SourceRow[] = [];
  const badPrice: LeftOutRow[] = [];
  const disordered: LeftOutRow[] = [];
  const fileInfo: FileSource[] = [];
  /** Which file each source's rows come from, to refuse a file-named source that another file also names. */
  const sourceFile = new Map<string, number>();
  for (let fi = 0; fi < files.length; fi++) {
    const file = files[fi] as string;
    const named = names[fi] as (typeof names)[number];
    let cols: { time: number; recv: number; source: number; symbol: number; price: number; bid: number; ask: number } | undefined;
    let info: FileSource | undefined;
    let last = Number.NEGATIVE_INFINITY;
    let lastLine = 0;
    try {
      for await (const item of readCsv(file)) {
        if ('header' in item) {
          const h = item.header;
          const need = (names: readonly string[], label: string): number => {
            const i = findColumn(h, names);
            if (i < 0) throw new CsvError('CSV_MISSING_COLUMN', file, 1, `missing column "${label}" (header: ${h.join(',')})`);
            return i;
          };
          const time = need(o.timeColumn ? [o.timeColumn] : TIME_COLUMNS, o.timeColumn ?? 'time');
          const recv = o.recvColumn ? need([o.recvColumn], o.recvColumn) : findColumn(h, RECV_COLUMNS);
          const source = o.sourceColumn ? need([o.sourceColumn], o.sourceColumn) : findColumn(h, ['source']);
          const symbol = o.symbolColumn ? need([o.symbolColumn], o.symbolColumn) : findColumn(h, ['symbol']);
          const bid = findColumn(h, [o.bidColumn ?? 'bid']);
          const ask = findColumn(h, [o.askColumn ?? 'ask']);
          let price = -1;
          if (bid < 0 || ask < 0) price = need([o.priceColumn ?? 'price'], `${o.priceColumn ?? 'price'}" or "bid,ask`);
          if (source < 0 && named.error) throw new EmpError('BAD_ARGUMENT', named.error);
          cols = { time, recv: recv === time ? -1 : recv, source, symbol, price, bid, ask };
          info = {
            file,
            source: source < 0 ? named.name : null,
            how: source < 0 ? named.how : 'column',
            rows: 0,
            receiptTime: cols.recv >= 0,
            symbols: symbol >= 0,
          };
          fileInfo.push(info);
          continue;
        }
        if (!cols || !info) continue;
        const f = item.fields;
        const tText = f[cols.time] ?? '';
        const eventTime = parseTimeValue(tText, fmt);
        if (Number.isNaN(eventTime)) throw new CsvError('CSV_BAD_TIME', file, item.line, `cannot read time "${tText}"`);
        let time = eventTime;
        if (cols.recv >= 0) {
          const rText = f[cols.recv] ?? '';
          time = parseTimeValue(rText, fmt);
          if (Number.isNaN(time)) throw new CsvError('CSV_BAD_TIME', file, item.line, `cannot read receipt time "${rText}"`);
        }
        const source = cols.source >= 0 ? (f[cols.source]?.trim() ?? '') : (info.source as string);
        if (source === '') throw new CsvError('CSV_BAD_ROW', file, item.line, 'empty source');
        if (time < last && mode === 'merge') reordered++;
        else if (time < last) {
          const what = `${cols.recv >= 0 ? 'receipt time' : 'time'} ${formatIso(time)} is before ${formatIso(last)} on line ${lastLine}`;
          if (mode === 'error') {
            throw new CsvError(
              'CSV_TIME_BACKWARDS',
              file,
              item.line,
              `${what}: rows must be in time order within a file (sort it, or --drop-disordered to drop such rows)`,
            );
          }
          disordered.push({ file, line: item.line, source, reason: what });
          continue;
        }
        if (time >= last) {
          last = time;
          lastLine = item.line;
        }
        let symbol = '';
        if (cols.symbol >= 0) {
          symbol = f[cols.symbol]?.trim() ?? '';
          if (symbol === '') throw new CsvError('CSV_BAD_ROW', file, item.line, 'empty symbol');
        }
        let bid: number;
        let ask: number;
        let bad: string | undefined;
        const num = (i: number, label: string): number => {
          const t = f[i]?.trim() ?? '';
          const v = t === '' ? Number.NaN : Number(t);
          if (!Number.isFinite(v)) bad ??= `non-numeric ${label} "${f[i] ?? ''}"`;
          return v;
        };
        if (cols.price >= 0) bid = ask = num(cols.price, 'price');
        else {
          bid = num(cols.bid, 'bid');
          ask = num(cols.ask, 'ask');
        }
        // A zero or negative price is a real quote error (the USD/THB file has an ask of 0).
        if (!bad && !(bid > 0 && ask > 0))
          bad = cols.price >= 0 ? `non-positive price ${bid}` : `non-positive price (bid ${bid}, ask ${ask})`;
        if (bad) {
          badPrice.push({ file, line: item.line, source, reason: bad });
          continue;
        }
        const owner = sourceFile.get(source);
        if (owner === undefined) sourceFile.set(source, fi);
        else if (owner !== fi && (info.source !== null || fileInfo[owner]?.source !== null)) {
          throw new EmpError(
            'BAD_ARGUMENT',
            `source "${source}" would come from both ${files[owner]} and ${file} (one of them named by its file); rename one, or use a source column in both`,
          );
        }
        info.rows++;
        rows.push({ time, eventTime, source, symbol, bid, ask, file, line: item.line });
      }
    } catch (err) {
      if (err instanceof EmpError) throw err;
      // A file that vanished or cannot be read mid-way: an input error, not a crash.
      const e = err as NodeJS.ErrnoException;
      throw new EmpError('FILE_NOT_FOUND', `${file}: cannot read (${e.code ?? e.message})`, { cause: err });
    }
  }
  // Array.prototype.sort is stable: equal times keep file order.
  rows.sort((a, b) => a.time - b.time);
  const invalid = badPrice.map((b) => ({ file: b.file, line: b.line, reason: `${b.source}: ${b.reason}` }));
  return { rows, badPrice, disordered, reordered, invalid, files: fileInfo };
}

/**
 * The rows to fuse: all, or those of `--symbol`'s instrument; refused when some files name their
 * instrument and others do not (without --symbol to name theirs), when nothing is left, or when
 * `--weights` names a source the rows lack.
 */
export function rowsToFuse(
  input: FuseInput,
  replay: FusionReplay,
  symbol: string | undefined,
  weights: Record<string, number>,
): { rows: SourceRow[]; wanted: string | null } {
  const withSymbols = input.files.filter((f) => f.symbols);
  if (withSymbols.length && withSymbols.length < input.files.length && symbol === undefined) {
    const without = input.files.filter((f) => !f.symbols).map((f) => f.file);
    throw new EmpError(
      'BAD_ARGUMENT',
      `${without.join(', ')} ha${without.length > 1 ? 've' : 's'} no symbol column while ${withSymbols[0]?.file} has one: pass --symbol to say which instrument ${without.length > 1 ? 'they quote' : 'it quotes'}`,
    );
  }
  const wanted = symbol !== undefined ? fusedInstrument(symbol.trim()).fused : null;
  const rows = wanted === null ? input.rows : input.rows.filter((r) => replay.instrumentOf(r).fused === wanted);
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
    const have = [...new Set(input.rows.map((r) => replay.instrumentOf(r).fused))].sort();
    throw new EmpError('BAD_ARGUMENT', `--symbol ${symbol}: no rows for it (instruments in the input: ${have.join(', ')})`);
  }
  const sources = [...new Set(rows.map((r) => r.source))];
  for (const k of Object.keys(weights)) {
    if (!sources.includes(k))
      throw new EmpError('BAD_ARGUMENT', `--weights: no source "${k}" in the input (sources: ${sources.join(', ')})`);
  }
  return { rows, wanted };
}
