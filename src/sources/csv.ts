import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CsvError, EmpError } from '../core/errors.ts';
import type { BarSeries } from '../core/market.ts';
import { parseTimeValue, type TimeFormat } from '../core/time.ts';

/** One data row of a CSV file: its 1-based line number and its fields. */
export interface CsvRow {
  line: number;
  fields: string[];
}

/**
 * Splits one CSV line (RFC 4180 quoting: `"a,b"`, `""` for a quote). Quoted fields may not
 * span lines; market-data CSVs never need that and it keeps the reader streaming line by line.
 */
export function splitCsvLine(line: string): string[] {
  if (line.indexOf('"') < 0) return line.split(',');
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
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Streams a CSV file: the header (trimmed) first, then every non-blank row. */
export async function* readCsv(file: string): AsyncGenerator<{ header: string[] } | CsvRow> {
  if (!existsSync(file)) throw new EmpError('FILE_NOT_FOUND', `${file}: no such file`);
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  let sawHeader = false;
  for await (const raw of rl) {
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    const fields = splitCsvLine(text);
    if (!sawHeader) {
      sawHeader = true;
      yield { header: fields.map((f) => f.trim()) };
    } else yield { line, fields };
  }
  if (!sawHeader) throw new CsvError('CSV_EMPTY', file, 1, 'empty file: expected a header row');
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
export const CLOSE_COLUMNS = ['close', 'price'] as const;

export interface BarCsvOptions {
  /** Require open/high/low (default false: close-only files are accepted, O=H=L=C). */
  requireOhlc?: boolean;
  /** Require a volume column (default false: volume is NaN when absent). */
  requireVolume?: boolean;
  timeFormat?: TimeFormat;
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

function resolveColumns(file: string, header: string[], opts: BarCsvOptions): Columns {
  const need = (names: readonly string[], what: string): number => {
    const i = findColumn(header, names);
    if (i < 0) {
      throw new CsvError('CSV_MISSING_COLUMN', file, 1, `missing column "${what}" (header: ${header.join(',')})`);
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

function num(file: string, row: CsvRow, idx: number, name: string): number {
  const text = row.fields[idx];
  if (text === undefined) {
    throw new CsvError('CSV_BAD_ROW', file, row.line, `expected at least ${idx + 1} fields, got ${row.fields.length}`);
  }
  const t = text.trim();
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

/**
 * Loads an OHLCV (or close-only) CSV into columnar arrays, validating every row. Errors name
 * the file and line: bad number, missing column, time going backwards, high below max(open,
 * close) or low above min(open, close). Nothing is skipped silently.
 */
export async function loadBarsCsv(file: string, opts: BarCsvOptions = {}): Promise<LoadedBars> {
  const cols = { time: new Column(), open: new Column(), high: new Column(), low: new Column(), close: new Column(), volume: new Column() };
  let c: Columns | undefined;
  let header: string[] = [];
  let lastTime = Number.NEGATIVE_INFINITY;
  let lastLine = 0;
  const dropped: LoadedBars['dropped'] = [];
  for await (const item of readCsv(file)) {
    if ('header' in item) {
      header = item.header;
      c = resolveColumns(file, header, opts);
      continue;
    }
    if (!c) continue;
    const row = item;
    const timeText = row.fields[c.time];
    if (timeText === undefined) {
      throw new CsvError('CSV_BAD_ROW', file, row.line, `expected ${header.length} fields, got ${row.fields.length}`);
    }
    const t = parseTimeValue(timeText, opts.timeFormat ?? 'auto');
    if (Number.isNaN(t)) throw new CsvError('CSV_BAD_TIME', file, row.line, `cannot read time "${timeText}"`);
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
    const close = num(file, row, c.close, header[c.close] ?? 'close');
    let open = close;
    let high = close;
    let low = close;
    if (c.open >= 0) {
      open = num(file, row, c.open, 'open');
      high = num(file, row, c.high, 'high');
      low = num(file, row, c.low, 'low');
      if (high < Math.max(open, close) || high < low) {
        throw new CsvError('CSV_BAD_OHLC', file, row.line, `high ${high} is below max(open ${open}, close ${close}, low ${low})`);
      }
      if (low > Math.min(open, close)) {
        throw new CsvError('CSV_BAD_OHLC', file, row.line, `low ${low} is above min(open ${open}, close ${close})`);
      }
    }
    const volume = c.volume >= 0 ? num(file, row, c.volume, 'volume') : Number.NaN;
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
