/**
 * Hostile CSV files for the loader every command uses (fast-check): headers in any order and
 * case, extra or missing columns, other separators, rows with garbage, blanks, quotes, wrong
 * field counts, times of every kind and out of order, OHLC that cannot be. The loader either
 * gives a series that holds the CSV contract, or an input error naming the file and line:
 * never another exception, never a silently wrong series.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { EmpError } from '../../src/core/errors.ts';
import { loadBarsCsv } from '../../src/sources/csv.ts';

const dir = mkdtempSync(join(tmpdir(), 'emp-csv-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COLUMNS = ['time', 'Date', 'timestamp', 'open', 'High', 'low', 'CLOSE', 'price', 'volume', 'Adj Close', 'x'];

const numberText = fc.oneof(
  fc.double({ min: -10, max: 1e6, noNaN: true }).map(String),
  fc.integer({ min: 0, max: 100_000 }).map(String),
  fc.constantFrom('', ' ', 'NaN', 'Infinity', '-0', '1e400', '1,5', '"12"', 'abc', '0x10', '１２'),
);
const timeText = fc.oneof(
  fc.integer({ min: 0, max: 2_000_000_000 }).map(String),
  fc.integer({ min: 1e11, max: 2e12 }).map(String),
  fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ min: new Date('1970-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom('', 'yesterday', '2024-13-40', '2024-02-30', '01/02/2024', '-5', '1e309'),
);

const file = fc
  .tuple(
    fc.shuffledSubarray(COLUMNS, { minLength: 1 }),
    fc.constantFrom(',', ';', '\t'),
    fc.array(
      fc.oneof(
        { weight: 6, arbitrary: fc.constant('good') },
        { weight: 2, arbitrary: fc.constant('row') },
        fc.constant('blank'),
        fc.string({ maxLength: 30 }),
      ),
      { maxLength: 25 },
    ),
    fc.infiniteStream(fc.tuple(timeText, numberText)),
    fc.boolean(),
  )
  .map(([header, sep, kinds, values, crlf]) => {
    const it = values[Symbol.iterator]();
    const lines = [header.join(sep)];
    // Good rows: a minute apart, a consistent bar; the other kinds break them in every way.
    let i = 0;
    const good = (h: string): string => {
      const col = h.toLowerCase();
      if (/time|date/.test(col)) return String(1_700_000_000 + i * 60);
      const p = 100 + i;
      return String(col === 'high' ? p + 1 : col === 'low' ? p - 1 : col === 'volume' ? i : p);
    };
    for (const k of kinds) {
      i++;
      if (k === 'good') lines.push(header.map(good).join(sep));
      else if (k === 'blank') lines.push('');
      else if (k !== 'row') lines.push(k);
      else
        lines.push(
          header
            .map((h) => {
              const [t, n] = it.next().value as [string, string];
              return /time|date/i.test(h) ? t : n;
            })
            .join(sep),
        );
    }
    return lines.join(crlf ? '\r\n' : '\n');
  });

describe('CSV loader under hostile files', () => {
  it('a series that holds the contract, or an input error naming the file and line', async () => {
    let n = 0;
    const outcomes = { loaded: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(file, async (text) => {
        const path = join(dir, `f${n++}.csv`);
        writeFileSync(path, text);
        let s: Awaited<ReturnType<typeof loadBarsCsv>>;
        try {
          s = await loadBarsCsv(path);
        } catch (err) {
          if (!(err instanceof EmpError)) throw err;
          expect(err.isInputError).toBe(true);
          expect(err.message.startsWith(`${path}:`)).toBe(true);
          expect(err.message).toMatch(/^[^:]+:\d+: /);
          outcomes.refused++;
          return;
        }
        outcomes.loaded++;
        const len = s.close.length;
        for (const k of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) expect(s[k].length).toBe(len);
        for (let i = 0; i < len; i++) {
          const [t, o, h, l, c] = [s.time[i], s.open[i], s.high[i], s.low[i], s.close[i]] as number[];
          expect(Number.isFinite(t) && Number.isFinite(o) && Number.isFinite(h) && Number.isFinite(l) && Number.isFinite(c)).toBe(true);
          if (i > 0) expect(t).toBeGreaterThanOrEqual(s.time[i - 1] as number);
          expect(h).toBeGreaterThanOrEqual(Math.max(o as number, c as number));
          expect(l).toBeLessThanOrEqual(Math.min(o as number, c as number));
          if (!s.hasVolume) expect(Number.isNaN(s.volume[i])).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
    // Both sides were reached.
    expect(outcomes.loaded).toBeGreaterThan(10);
    expect(outcomes.refused).toBeGreaterThan(10);
  }, 60_000);
});
