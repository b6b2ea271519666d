import { readFile } from 'node:fs/promises';
import type { BarSeries } from '../core/market.ts';

/**
 * Closes of several series against a fractional year, one column each (R's EuStockMarkets: DAX,
 * SMI, CAC and FTSE against years of 260 business days). Times become dates by spreading each
 * year's fraction over the calendar year (to within about a week: the dataset has no dates).
 * Close-only series, by column name.
 */
export async function loadFractionalYearCloses(file: string): Promise<Record<string, BarSeries>> {
  const lines = (await readFile(file, 'utf8')).trim().split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  const n = lines.length - 1;
  const out: Record<string, BarSeries> = {};
  const time = new Float64Array(n);
  const cols = header.slice(1).map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const f = (lines[i + 1] as string).split(',').map(Number);
    const t = f[0] as number;
    const y = Math.floor(t);
    const start = Date.UTC(y, 0, 1);
    time[i] = start + (t - y) * (Date.UTC(y + 1, 0, 1) - start);
    cols.forEach((c, k) => {
      c[i] = f[k + 1] as number;
    });
  }
  header.slice(1).forEach((name, k) => {
    const close = cols[k] as Float64Array;
    out[name] = {
      time,
      open: close,
      high: close,
      low: close,
      close,
      volume: new Float64Array(n).fill(Number.NaN),
      hasOhlc: false,
      hasVolume: false,
    };
  });
  return out;
}
