import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { CsvError, EmpError, fileError } from '../core/errors.ts';
import type { BarSeries } from '../core/market.ts';
import { parseTimeValue, type TimeFormat } from '../core/time.ts';

/** One data row of a CSV file: its 1-based line number and its fields. */
export interface CsvRow {
  line: number;
  fields: string[];
}

/** Field separators a CSV may use; `auto` picks one from the header row. */
const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** `,` `;` `|`, or `tab` / `\t` for a tab (a literal tab is awkward on a command line). */
export function parseDelimiter(text: string): Delimiter {
  const d = text === 'tab' || text === '\\t' ? '\t' : text;
  if (!(DELIMITERS as readonly string[]).includes(d)) {
    throw new EmpError('BAD_ARGUMENT', `unknown --delimiter "${text}" (expected , ; | or tab)`);
  }
  return d as Delimiter;
}

const delimiterName = (d: Delimiter): string => (d === '\t' ? 'tab' : d === ';' ? 'semicolon' : d === '|' ? 'pipe' : 'comma');

/**
 * The header's separator: the candidate occurring most often outside quotes (comma on a tie,
 * and for a one-column header). Data rows are not consulted: with a decimal comma ("1,5") they
 * hold commas that are not separators.
 */
export function detectDelimiter(header: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const c of header) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && counts.has(c as Delimiter)) counts.set(c as Delimiter, (counts.get(c as Delimiter) as number) + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if ((counts.get(d) as number) > (counts.get(best) as number)) best = d;
  return best;
}

/**
 * Splits one CSV line (RFC 4180 quoting: `"a,b"`, `""` for a quote). Quoted fields may not
 * span lines; market-data CSVs never need that and it keeps the reader streaming line by line.
 */
export function splitCsvLine(line: string, delimiter: Delimiter = ','): string[] {
  if (line.indexOf('"') < 0) return line.split(delimiter);
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export interface ReadCsvOptions {
  /** The field separator; default: detected from the header row. */
  delimiter?: Delimiter;
  /** Called every few thousand lines with the bytes read so far and the file's size (for a progress bar). */
  onProgress?: (bytesRead: number, size: number) => void;
}

/**
 * Opens a file for reading, or fails with an error naming the path and the cause (no such
 * file, a directory, permission denied) before anything is read: a directory opens fine on
 * Linux and only fails on the first read, as a bare EISDIR.
 */
async function openForReading(file: string) {
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw fileError(file, { code: 'EISDIR' }, 'read');
    return { handle: await open(file, 'r'), size: st.size };
  } catch (err) {
    throw err instanceof EmpError ? err : fileError(file, err, 'read');
  }
}

/**
 * Streams a CSV file: the header (trimmed) with the separator in use first, then every
 * non-blank row.
 */
export async function* readCsv(
  file: string,
  opts: ReadCsvOptions = {},
): AsyncGenerator<{ header: string[]; delimiter: Delimiter } | CsvRow> {
  const { handle, size } = await openForReading(file);
  const stream = handle.createReadStream({ encoding: 'utf8' });
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  let delimiter: Delimiter | undefined;
  try {
    for await (const raw of rl) {
      line++;
      if (opts.onProgress && (line & 8191) === 0) opts.onProgress(stream.bytesRead, size);
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      if (delimiter === undefined) {
        delimiter = opts.delimiter ?? detectDelimiter(text);
        yield { header: splitCsvLine(text, delimiter).map((f) => f.trim()), delimiter };
      } else yield { line, fields: splitCsvLine(text, delimiter) };
    }
  } catch (err) {
    throw err instanceof EmpError ? err : fileError(file, err, 'read');
  } finally {
    rl.close();
    stream.destroy();
    await handle.close().catch(() => undefined);
  }
  if (delimiter === undefined) throw new CsvError('CSV_EMPTY', file, 1, 'empty file: expected a header row');
}

/** Index of the first header matching one of `names` case-insensitively, or -1. */
export function findColumn(header: readonly string[], names: readonly string[]): number {
  const lower = header.map((h) => h.toLowerCase());
  for (const n of names) {
    const i = lower.indexOf(n.toLowerCase());
    if (i >= 0) return i;
  }
  return -1;
}

export const TIME_COLUMNS = ['time', 'date', 'timestamp', 'datetime'] as const;
/** `price` is accepted for close: single-price series (e.g. FX fixings) are close-only files. */
const CLOSE_COLUMNS = ['close', 'price'] as const;

export interface BarCsvOptions {
  /** Require open/high/low (default false: close-only files are accepted, O=H=L=C). */
  requireOhlc?: boolean;
  /** Require a volume column (default false: volume is NaN when absent). */
  requireVolume?: boolean;
  timeFormat?: TimeFormat;
  /** The field separator; default: detected from the header row. */
  delimiter?: Delimiter;
  onProgress?: ReadCsvOptions['onProgress'];
  /** Column names to use instead of the defaults. */
  timeColumn?: string;
  closeColumn?: string;
  /**
   * `error` (default): a row whose time is before the previous row's is an error.
   * `drop`: such rows, and rows repeating the previous time, are dropped and listed in
   * `dropped` (never silently: commands print them). Real files have such typos, e.g. the
   * NYSE composite's line 289 dated 1966-02-23 between 1967-02-21 and 1967-02-24.
   */
  onDisorder?: 'error' | 'drop';
}

export interface LoadedBars extends BarSeries {
  /** Rows dropped under `onDisorder: 'drop'`, with the reason. */
  dropped: { line: number; reason: string }[];
}

interface Columns {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * When a header did not split into the expected columns, what the file looks like instead:
 * a separator other than the one in use (`time;open;...` read with a comma).
 */
function delimiterHint(header: readonly string[], delimiter: Delimiter): string {
  const joined = header.join(delimiter);
  const other = detectDelimiter(joined);
  if (other !== delimiter && header.length <= 2) {
    return `; the file looks ${delimiterName(other)}-separated: try --delimiter '${other === '\t' ? 'tab' : other}'`;
  }
  return '';
}

function resolveColumns(file: string, header: string[], delimiter: Delimiter, opts: BarCsvOptions): Columns {
  const need = (names: readonly string[], what: string): number => {
    const i = findColumn(header, names);
    if (i < 0) {
      throw new CsvError(
        'CSV_MISSING_COLUMN',
        file,
        1,
        `missing column "${what}" (header: ${header.join(delimiter === '\t' ? '<tab>' : delimiter)})${delimiterHint(header, delimiter)}`,
      );
    }
    return i;
  };
  const time = need(opts.timeColumn ? [opts.timeColumn] : TIME_COLUMNS, opts.timeColumn ?? 'time');
  const close = need(opts.closeColumn ? [opts.closeColumn] : CLOSE_COLUMNS, opts.closeColumn ?? 'close');
  let open = findColumn(header, ['open']);
  let high = findColumn(header, ['high']);
  let low = findColumn(header, ['low']);
  const volume = opts.requireVolume ? need(['volume'], 'volume') : findColumn(header, ['volume']);
  if (opts.requireOhlc) {
    open = need(['open'], 'open');
    high = need(['high'], 'high');
    low = need(['low'], 'low');
  } else if (open < 0 || high < 0 || low < 0) {
    open = high = low = -1;
  }
  return { time, open, high, low, close, volume };
}

/** A decimal comma (`1234,5`), as semicolon- and tab-separated files from European locales write numbers. */
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;

function num(file: string, row: CsvRow, idx: number, name: string, delimiter: Delimiter): number {
  const text = row.fields[idx];
  if (text === undefined) {
    throw new CsvError('CSV_BAD_ROW', file, row.line, `expected at least ${idx + 1} fields, got ${row.fields.length}`);
  }
  let t = text.trim();
  if (delimiter !== ',' && DECIMAL_COMMA.test(t)) t = t.replace(',', '.');
  const v = t === '' ? Number.NaN : Number(t);
  if (!Number.isFinite(v)) throw new CsvError('CSV_BAD_NUMBER', file, row.line, `bad number in column "${name}": "${text}"`);
  return v;
}

/** A growable Float64Array column (doubling), so large files stream into compact arrays. */
class Column {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/** For a time the format could not read, the `--time-format` that probably would. */
function timeHint(text: string, format: TimeFormat): string {
  const s = text.trim();
  const m = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?:[ T](\d{1,2}:\d{2}(:\d{2})?))?$/.exec(s);
  if (m) {
    const y = (m[4] as string).length === 4 ? '%Y' : '%y';
    const sep = m[2] as string;
    const clock = m[5] ? (m[6] ? ' %H:%M:%S' : ' %H:%M') : '';
    const us = `%m${sep}%d${sep}${y}${clock}`;
    const eu = `%d${sep}%m${sep}${y}${clock}`;
    const first = Number(m[1]);
    // A first field above 12 can only be a day; a second one above 12 only a day too.
    const order = first > 12 ? [eu] : Number(m[3]) > 12 ? [us] : [us, eu];
    return ` (try --time-format '${order.join("' or '")}')`;
  }
  if (format === 'auto') return ' (ISO 8601, epoch seconds or milliseconds; for other layouts give --time-format, e.g. a strftime pattern)';
  return ` (--time-format ${format})`;
}

/**
 * Loads an OHLCV (or close-only) CSV into columnar arrays, validating every row. Errors name
 * the file and line: bad number, missing column, time going backwards, high below max(open,
 * close) or low above min(open, close). Nothing is skipped silently.
 */
export async function loadBarsCsv(file: string, opts: BarCsvOptions = {}): Promise<LoadedBars> {
  const cols = { time: new Column(), open: new Column(), high: new Column(), low: new Column(), close: new Column(), volume: new Column() };
  let c: Columns | undefined;
  let header: string[] = [];
  let delimiter: Delimiter = ',';
  let lastTime = Number.NEGATIVE_INFINITY;
  let lastLine = 0;
  const dropped: LoadedBars['dropped'] = [];
  const readOpts: ReadCsvOptions = {
    ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  };
  for await (const item of readCsv(file, readOpts)) {
    if ('header' in item) {
      header = item.header;
      delimiter = item.delimiter;
      c = resolveColumns(file, header, delimiter, opts);
      continue;
    }
    if (!c) continue;
    const row = item;
    const timeText = row.fields[c.time];
    if (timeText === undefined) {
      throw new CsvError('CSV_BAD_ROW', file, row.line, `expected ${header.length} fields, got ${row.fields.length}`);
    }
    const t = parseTimeValue(timeText, opts.timeFormat ?? 'auto');
    if (Number.isNaN(t)) {
      throw new CsvError('CSV_BAD_TIME', file, row.line, `cannot read time "${timeText}"${timeHint(timeText, opts.timeFormat ?? 'auto')}`);
    }
    if (opts.onDisorder === 'drop' && t <= lastTime) {
      dropped.push({
        line: row.line,
        reason: `time "${timeText.trim()}" is ${t === lastTime ? 'the same as' : 'before'} line ${lastLine}`,
      });
      continue;
    }
    if (t < lastTime) {
      throw new CsvError(
        'CSV_TIME_BACKWARDS',
        file,
        row.line,
        `time goes backwards: "${timeText.trim()}" is before the previous row (line ${lastLine})`,
      );
    }
    lastTime = t;
    lastLine = row.line;
    const close = num(file, row, c.close, header[c.close] ?? 'close', delimiter);
    let open = close;
    let high = close;
    let low = close;
    if (c.open >= 0) {
      open = num(file, row, c.open, 'open', delimiter);
      high = num(file, row, c.high, 'high', delimiter);
      low = num(file, row, c.low, 'low', delimiter);
      if (high < Math.max(open, close) || high < low) {
        throw new CsvError('CSV_BAD_OHLC', file, row.line, `high ${high} is below max(open ${open}, close ${close}, low ${low})`);
      }
      if (low > Math.min(open, close)) {
        throw new CsvError('CSV_BAD_OHLC', file, row.line, `low ${low} is above min(open ${open}, close ${close})`);
      }
    }
    const volume = c.volume >= 0 ? num(file, row, c.volume, 'volume', delimiter) : Number.NaN;
    if (volume < 0) throw new CsvError('CSV_BAD_NUMBER', file, row.line, `negative volume ${volume}`);
    cols.time.push(t);
    cols.open.push(open);
    cols.high.push(high);
    cols.low.push(low);
    cols.close.push(close);
    cols.volume.push(volume);
  }
  if (!c) throw new CsvError('CSV_EMPTY', file, 1, 'empty file: expected a header row');
  if (cols.time.length === 0) throw new CsvError('CSV_EMPTY', file, 2, 'no data rows after the header');
  return {
    time: cols.time.done(),
    open: cols.open.done(),
    high: cols.high.done(),
    low: cols.low.done(),
    close: cols.close.done(),
    volume: cols.volume.done(),
    hasOhlc: c.open >= 0,
    hasVolume: c.volume >= 0,
    dropped,
  };
}
