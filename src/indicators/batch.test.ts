/**
 * The batch kernels are only a faster path: on every input they must give the streaming form's
 * values to the bit (NaN where it has NaN). The streaming form is the one checked against TA-Lib
 * (parity.test.ts); this makes the kernels inherit that.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DIR } from '../../test/shared-data.ts';
import { type BarSeries, emptySeries } from '../core/market.ts';
import { Rng } from '../core/random.ts';
import { loadBarsCsv } from '../sources/csv.ts';
import { BATCH_KERNELS } from './batch.ts';
import { computeIndicator, computeIndicatorStreaming } from './index.ts';

function walk(n: number, seed: number, flat = false): BarSeries {
  const rng = new Rng(seed);
  const s: BarSeries = emptySeries(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p;
    // Flat stretches and zero-range bars exercise the zero-division branches.
    if (!flat || i % 50 > 20) p *= 1 + 0.02 * rng.normal();
    s.time[i] = i * 60_000;
    s.open[i] = o;
    s.close[i] = p;
    s.high[i] = flat && i % 50 <= 20 ? p : Math.max(o, p) * (1 + 0.005 * rng.next());
    s.low[i] = flat && i % 50 <= 20 ? p : Math.min(o, p) * (1 - 0.005 * rng.next());
    s.volume[i] = 1000;
  }
  return s;
}

const CASES: [string, Record<string, number>][] = [
  ['SMA', {}],
  ['SMA', { timeperiod: 2 }],
  ['SMA', { timeperiod: 200 }],
  ['EMA', {}],
  ['EMA', { timeperiod: 2 }],
  ['EMA', { timeperiod: 50 }],
  ['RSI', {}],
  ['RSI', { timeperiod: 2 }],
  ['MACD', {}],
  ['MACD', { fastperiod: 26, slowperiod: 12, signalperiod: 9 }],
  ['MACD', { fastperiod: 5, slowperiod: 5, signalperiod: 1 }],
  ['BBANDS', {}],
  ['BBANDS', { timeperiod: 20, nbdevup: 2, nbdevdn: 1.5 }],
  ['BBANDS', { timeperiod: 20, matype: 1 }],
  ['ATR', {}],
  ['ATR', { timeperiod: 1 }],
  ['STOCH', {}],
  ['STOCH', { fastk_period: 14, slowk_period: 3, slowd_period: 5 }],
  ['STOCH', { fastk_period: 1, slowk_period: 1, slowd_period: 1 }],
  ['STOCH', { slowk_matype: 1 }],
];

describe('batch kernels equal the streaming form to the bit', async () => {
  const files = await Promise.all(
    ['ttrc_synthetic_daily.csv', 'msft_2000_2001_daily.csv'].map(
      async (f): Promise<[string, BarSeries]> => [f, await loadBarsCsv(join(DATA_DIR, f))],
    ),
  );
  const inputs: [string, BarSeries][] = [
    ...files,
    ['random walk', walk(5000, 1)],
    ['flat stretches', walk(3000, 2, true)],
    ['shorter than warm-up', walk(7, 3)],
  ];
  it('covers exactly the kernels it says', () => {
    expect(Object.keys(BATCH_KERNELS).sort()).toEqual([...new Set(CASES.map(([n]) => n))].sort());
  });
  for (const [name, params] of CASES)
    it(`${name} ${JSON.stringify(params)}`, () => {
      for (const [label, s] of inputs) {
        const fast = computeIndicator(name, s, params);
        const slow = computeIndicatorStreaming(name, s, params);
        expect(Object.keys(fast)).toEqual(Object.keys(slow));
        for (const k of Object.keys(slow)) {
          const a = fast[k] as Float64Array;
          const b = slow[k] as Float64Array;
          let bad = -1;
          for (let i = 0; i < b.length; i++)
            if (!Object.is(a[i], b[i])) {
              bad = i;
              break;
            }
          expect(bad, `${label} ${k}[${bad}]: ${a[bad]} vs ${b[bad]}`).toBe(-1);
        }
      }
    });
});
