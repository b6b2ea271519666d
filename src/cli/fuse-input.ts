import { basename } from 'node:path';
import { CsvError, EmpError } from '../core/errors.ts';
import { parseTimeValue, TIME_FORMATS, type TimeFormat } from '../core/time.ts';
import { findColumn, readCsv, TIME_COLUMNS } from '../sources/csv.ts';

/** One observation of one source, read from a CSV file. */
export interface SourceRow {
  time: number;
  source: string;
  bid: number;
  ask: number;
  file: string;
  line: number;
}

export interface FuseInputOptions {
  timeColumn?: string;
  timeFormat: string;
  sourceColumn?: string;
  priceColumn?: string;
  bidColumn?: string;
  askColumn?: string;
}

/**
 * Reads several sources' series: each file has a time column and either a price or bid/ask
 * columns; a source column lets one file hold several sources, otherwise the file's base name
 * is the source. Bad rows are errors naming file and line. Rows from all files are merged in
 * time order (stable), and rows that were out of order within their file are counted.
 */
export async function readSourceRows(
  files: readonly string[],
  o: FuseInputOptions,
): Promise<{ rows: SourceRow[]; reordered: number; invalid: { file: string; line: number; reason: string }[] }> {
  if (!(TIME_FORMATS as readonly string[]).includes(o.timeFormat)) {
    throw new EmpError('BAD_ARGUMENT', `unknown --time-format "${o.timeFormat}" (expected ${TIME_FORMATS.join(', ')})`);
  }
  const rows: SourceRow[] = [];
  const invalid: { file: string; line: number; reason: string }[] = [];
  let reordered = 0;
  for (const file of files) {
    let cols: { time: number; source: number; price: number; bid: number; ask: number } | undefined;
    const fallback = basename(file).replace(/\.[^.]*$/, '');
    let last = Number.NEGATIVE_INFINITY;
    for await (const item of readCsv(file)) {
      if ('header' in item) {
        const h = item.header;
        const need = (names: readonly string[], label: string): number => {
          const i = findColumn(h, names);
          if (i < 0) throw new CsvError('CSV_MISSING_COLUMN', file, 1, `missing column "${label}" (header: ${h.join(',')})`);
          return i;
        };
        const time = need(o.timeColumn ? [o.timeColumn] : TIME_COLUMNS, o.timeColumn ?? 'time');
        const source = o.sourceColumn ? need([o.sourceColumn], o.sourceColumn) : findColumn(h, ['source']);
        const bid = findColumn(h, [o.bidColumn ?? 'bid']);
        const ask = findColumn(h, [o.askColumn ?? 'ask']);
        let price = -1;
        if (bid < 0 || ask < 0) price = need([o.priceColumn ?? 'price'], `${o.priceColumn ?? 'price'}" or "bid,ask`);
        cols = { time, source, price, bid, ask };
        continue;
      }
      if (!cols) continue;
      const f = item.fields;
      const num = (i: number, label: string): number => {
        const t = f[i]?.trim() ?? '';
        const v = t === '' ? Number.NaN : Number(t);
        if (!Number.isFinite(v)) throw new CsvError('CSV_BAD_NUMBER', file, item.line, `bad ${label} "${f[i] ?? ''}"`);
        return v;
      };
      const tText = f[cols.time] ?? '';
      const time = parseTimeValue(tText, o.timeFormat as TimeFormat);
      if (Number.isNaN(time)) throw new CsvError('CSV_BAD_TIME', file, item.line, `cannot read time "${tText}"`);
      if (time < last) reordered++;
      last = Math.max(last, time);
      const source = cols.source >= 0 ? (f[cols.source]?.trim() ?? '') : fallback;
      if (source === '') throw new CsvError('CSV_BAD_ROW', file, item.line, 'empty source');
      let bid: number;
      let ask: number;
      if (cols.price >= 0) bid = ask = num(cols.price, 'price');
      else {
        bid = num(cols.bid, 'bid');
        ask = num(cols.ask, 'ask');
      }
      // A zero or negative price is a real quote error (the USD/THB file has an ask of 0):
      // it is listed and left out of the fusion, not fatal.
      if (!(bid > 0 && ask > 0)) {
        invalid.push({ file, line: item.line, reason: `${source}: non-positive price (bid ${bid}, ask ${ask})` });
        continue;
      }
      rows.push({ time, source, bid, ask, file, line: item.line });
    }
  }
  // Array.prototype.sort is stable: equal times keep file order.
  rows.sort((a, b) => a.time - b.time);
  return { rows, reordered, invalid };
}
