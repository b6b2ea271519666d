import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DIR } from '../../test/shared-data.ts';
import { CsvError } from '../core/errors.ts';
import { detectDelimiter, loadBarsCsv, readCsv, splitCsvLine } from './csv.ts';

const DATA = DATA_DIR;
const dir = mkdtempSync(join(tmpdir(), 'emp-csv-'));
let n = 0;
function file(text: string): string {
  const p = join(dir, `f${n++}.csv`);
  writeFileSync(p, text);
  return p;
}
async function failure(p: string, opts = {}): Promise<CsvError> {
  try {
    await loadBarsCsv(p, opts);
  } catch (e) {
    if (e instanceof CsvError) return e;
    throw e;
  }
  throw new Error('expected a CsvError');
}

describe('loadBarsCsv on the shared real data', () => {
  it('reads msft OHLCV exactly', async () => {
    const s = await loadBarsCsv(join(DATA, 'msft_2000_2001_daily.csv'), { requireOhlc: true, requireVolume: true });
    expect(s.time.length).toBe(249);
    expect(s.time[0]).toBe(Date.UTC(2000, 8, 27));
    expect([s.open[0], s.high[0], s.low[0], s.close[0], s.volume[0]]).toEqual([63.4375, 63.5625, 59.8125, 60.625, 53077800]);
    expect(s.close[248]).toBe(49.96);
    expect(s.hasOhlc && s.hasVolume).toBe(true);
  });
  it('reads ttrc (5550 rows)', async () => {
    const s = await loadBarsCsv(join(DATA, 'ttrc_synthetic_daily.csv'));
    expect(s.time.length).toBe(5550);
    expect(s.close[5549]).toBe(51.95);
  });
  it('finds the misdated row in the real NYSE composite and names its line', async () => {
    const e = await failure(join(DATA, 'nyse_composite_1966_2003_daily.csv'));
    expect(e.code).toBe('CSV_TIME_BACKWARDS');
    expect(e.line).toBe(289);
  });
  it('reads the close-only NYSE composite, dropping (and listing) the misdated and repeated rows', async () => {
    const s = await loadBarsCsv(join(DATA, 'nyse_composite_1966_2003_daily.csv'), { onDisorder: 'drop' });
    expect(s.dropped.map((d) => d.line)).toEqual([289, 964]);
    expect(s.time.length).toBe(9311 - 2);
    expect(s.hasOhlc).toBe(false);
    expect(s.hasVolume).toBe(false);
    expect(s.open[0]).toBe(49.92);
    expect(s.high[0]).toBe(49.92);
    expect(Number.isNaN(s.volume[0])).toBe(true);
  });
  it('reads the 30-minute USD/CHF price series (price column as close)', async () => {
    const s = await loadBarsCsv(join(DATA, 'usdchf_1996_2001_30min.csv'));
    expect(s.time.length).toBe(62496);
    expect(s.time[1]! - s.time[0]!).toBe(30 * 60_000);
    expect(s.close[62495]).toBe(1.7429);
  });
  it('reads one EuStockMarkets index with decimal-year times', async () => {
    const s = await loadBarsCsv(join(DATA, 'eustockmarkets_1991_1998_daily_raw.csv'), {
      timeColumn: 't',
      closeColumn: 'DAX',
      timeFormat: 'decimal-year',
    });
    expect(s.time.length).toBe(1860);
    expect(s.close[0]).toBe(1628.75);
    expect(new Date(s.time[0]!).getUTCFullYear()).toBe(1991);
    // Rounded to whole days, and still one row per day (business days are 1.4 calendar days apart).
    for (let i = 0; i < s.time.length; i++) {
      expect(s.time[i]! % 86_400_000).toBe(0);
      if (i > 0) expect(s.time[i]!).toBeGreaterThan(s.time[i - 1]!);
    }
  });
  it('reads the USD/THB contributor quotes as raw rows with line numbers', async () => {
    let header: string[] = [];
    let rows = 0;
    let lastLine = 0;
    for await (const r of readCsv(join(DATA, 'usdthb_1997_contributor_quotes_raw.csv'))) {
      if ('header' in r) header = r.header;
      else {
        rows++;
        lastLine = r.line;
      }
    }
    expect(header).toEqual(['XDATE', 'DELAY', 'CONTRIBUTOR', 'BID', 'ASK', 'FLAG']);
    expect(rows).toBe(2984);
    expect(lastLine).toBe(2985);
  });
  it('rejects files whose columns do not fit, naming the column', async () => {
    const e = await failure(join(DATA, 'usdthb_1997_contributor_quotes_raw.csv'));
    expect(e.code).toBe('CSV_MISSING_COLUMN');
    expect(e.message).toMatch(/usdthb_1997_contributor_quotes_raw\.csv:1: missing column "time"/);
  });
});

describe('loadBarsCsv header handling', () => {
  it('matches names case-insensitively, accepts Date/Timestamp, ignores Adj Close, epoch s and ms', async () => {
    const a = await loadBarsCsv(file('Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,1,2,0.5,1.5,1.4,10\n'));
    expect([a.close[0], a.volume[0]]).toEqual([1.5, 10]);
    const b = await loadBarsCsv(file('TIMESTAMP,CLOSE\n1577836800,5\n1577836860,6\n'));
    expect(b.time[1]).toBe(1577836860000);
    const c = await loadBarsCsv(file('timestamp,close\n1577836800000,5\n'));
    expect(c.time[0]).toBe(1577836800000);
  });
  it('handles quoted fields, CRLF and a BOM', async () => {
    expect(splitCsvLine('a,"b,c","d""e"')).toEqual(['a', 'b,c', 'd"e']);
    const s = await loadBarsCsv(file('\uFEFFtime,close\r\n"2020-01-01",3\r\n'));
    expect(s.close[0]).toBe(3);
  });
});

describe('loadBarsCsv bad input: clear errors naming file and line', () => {
  it('bad number', async () => {
    const p = file('time,open,high,low,close,volume\n2020-01-01,1,2,0,1,5\n2020-01-02,1,2,0,abc,5\n');
    const e = await failure(p);
    expect(e.code).toBe('CSV_BAD_NUMBER');
    expect(e.line).toBe(3);
    expect(e.message).toContain(`${p}:3:`);
    expect(e.message).toContain('"abc"');
  });
  it('empty cell is a bad number, not a zero', async () => {
    expect((await failure(file('time,close\n2020-01-01,\n'))).code).toBe('CSV_BAD_NUMBER');
  });
  it('missing column', async () => {
    const e = await failure(file('time,open,high,low\n2020-01-01,1,2,0\n'));
    expect(e.code).toBe('CSV_MISSING_COLUMN');
    expect(e.message).toContain('"close"');
  });
  it('missing volume when required', async () => {
    expect((await failure(file('time,close\n2020-01-01,1\n'), { requireVolume: true })).code).toBe('CSV_MISSING_COLUMN');
  });
  it('time going backwards', async () => {
    const e = await failure(file('time,close\n2020-01-02,1\n2020-01-03,1\n2020-01-01,1\n'));
    expect(e.code).toBe('CSV_TIME_BACKWARDS');
    expect(e.line).toBe(4);
  });
  it('unreadable time', async () => {
    const e = await failure(file('time,close\n2020-13-01,1\n'));
    expect(e.code).toBe('CSV_BAD_TIME');
    expect(e.line).toBe(2);
  });
  it('high below max(open, close)', async () => {
    const e = await failure(file('time,open,high,low,close\n2020-01-01,10,10.5,9,11\n'));
    expect(e.code).toBe('CSV_BAD_OHLC');
    expect(e.message).toMatch(/high 10.5 is below/);
  });
  it('low above min(open, close)', async () => {
    const e = await failure(file('time,open,high,low,close\n2020-01-01,10,12,10.5,11\n'));
    expect(e.code).toBe('CSV_BAD_OHLC');
    expect(e.message).toMatch(/low 10.5 is above/);
  });
  it('short row', async () => {
    const e = await failure(file('time,open,high,low,close\n2020-01-01,10,12\n'));
    expect(e.code).toBe('CSV_BAD_ROW');
  });
  it('empty file and header-only file', async () => {
    expect((await failure(file(''))).code).toBe('CSV_EMPTY');
    expect((await failure(file('time,close\n'))).code).toBe('CSV_EMPTY');
  });
  it('missing file', async () => {
    await expect(loadBarsCsv(join(dir, 'nope.csv'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});

describe('separators and file errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emp-csv-sep-'));
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  it('detects comma, semicolon, tab and pipe from the header (quoted separators do not count)', () => {
    expect(detectDelimiter('time,open,high,low,close')).toBe(',');
    expect(detectDelimiter('time;open;high;low;close')).toBe(';');
    expect(detectDelimiter('time\topen\thigh\tlow\tclose')).toBe('\t');
    expect(detectDelimiter('time|close')).toBe('|');
    expect(detectDelimiter('"a;b",close')).toBe(',');
    expect(detectDelimiter('close')).toBe(',');
  });
  it('reads a semicolon file with decimal commas and a tab file', async () => {
    const semi = await loadBarsCsv(
      file('semi.csv', 'Date;Open;High;Low;Close;Volume\n2020-01-02;1,5;2;1;1,75;10\n2020-01-03;1,75;2,5;1,5;2;12\n'),
    );
    expect(Array.from(semi.close)).toEqual([1.75, 2]);
    expect(Array.from(semi.high)).toEqual([2, 2.5]);
    const tab = await loadBarsCsv(file('tab.tsv', 'time\tclose\n2020-01-02\t1.5\n2020-01-03\t1.25\n'));
    expect(Array.from(tab.close)).toEqual([1.5, 1.25]);
  });
  it('a forced separator that does not split the header says which one the file looks like', async () => {
    const p = file('semi2.csv', 'time;close\n2020-01-02;1\n');
    await expect(loadBarsCsv(p, { delimiter: ',' })).rejects.toThrow(/looks semicolon-separated: try --delimiter ';'/);
  });
  it('a directory or a missing file is an input error naming the path and the cause', async () => {
    await expect(loadBarsCsv(dir)).rejects.toMatchObject({
      code: 'FILE_ERROR',
      message: `${dir}: cannot read: is a directory, expected a file`,
    });
    await expect(loadBarsCsv(join(dir, 'nope.csv'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', isInputError: true });
  });
  it('a US date under the default format hints at the strftime pattern', async () => {
    const p = file('us.csv', 'Date,Close\n01/13/2020,1\n');
    await expect(loadBarsCsv(p)).rejects.toThrow(/cannot read time "01\/13\/2020" \(try --time-format '%m\/%d\/%Y'\)/);
  });
});
