/**
 * The indicators beyond TA-Lib, against an independent reference: trading-signals (a dev
 * dependency) on the shared series, every bar once its warm-up is over — or, where trading-signals
 * seeds its EMA/ATR differently from TA-Lib (the convention here), every bar once that seed has
 * decayed below 1e-9 — and hand-computed cases.
 */
import { join } from 'node:path';
import {
  ALMA,
  AO,
  CHOP,
  CMF,
  DonchianChannels,
  HMA,
  IchimokuCloud,
  KeltnerChannels,
  KST,
  SuperTrend,
  VortexIndicator,
  VWAP,
  ZLEMA,
} from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { DATA_DIR } from '../../test/shared-data.ts';
import type { BarSeries } from '../core/market.ts';
import { Rng } from '../core/random.ts';
import { loadBarsCsv } from '../sources/csv.ts';
import { computeIndicator, createIndicator, type IndicatorBar, listIndicators } from './index.ts';

interface Candle {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}
const candles = (s: BarSeries): Candle[] =>
  Array.from(s.close, (close, i) => ({
    open: s.open[i] as number,
    high: s.high[i] as number,
    low: s.low[i] as number,
    close,
    volume: s.volume[i] as number,
  }));

/** A trading-signals indicator's result per bar (NaN while it has none), one field of it. */
function reference<T>(
  ind: { add(c: never): T | null },
  s: BarSeries,
  pick: (r: T) => number,
  input: (c: Candle) => unknown = (c) => c,
): Float64Array {
  return Float64Array.from(candles(s), (c) => {
    const r = ind.add(input(c) as never);
    return r === null ? Number.NaN : pick(r);
  });
}

/** First index where ours and the reference differ beyond 1e-9 relative, from `from` on; −1 if none. */
function firstMismatch(ours: Float64Array, ref: Float64Array, from: number): number {
  for (let i = from; i < ours.length; i++) {
    const a = ours[i] as number;
    const b = ref[i] as number;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (!(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)))) return i;
  }
  return -1;
}

/** First index with a value. */
const firstValue = (x: Float64Array): number => x.findIndex((v) => !Number.isNaN(v));

/** A random walk with flat stretches, dojis and zero-range bars (volume never 0: trading-signals' VWAP skips such bars). */
function randomBars(seed: number, n: number): BarSeries {
  const rng = new Rng(seed);
  const rows: [number, number, number, number, number][] = [];
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p;
    if (rng.next() > 0.3) p *= 1 + 0.02 * rng.normal();
    const sp = rng.next() < 0.15 ? 0 : rng.next();
    rows.push([o, Math.max(o, p) + sp, Math.min(o, p) - sp * rng.next(), p, 1 + rng.int(1000)]);
  }
  return bars(rows);
}

describe('extras against trading-signals', async () => {
  const files = {
    ttrc: await loadBarsCsv(join(DATA_DIR, 'ttrc_synthetic_daily.csv')),
    msft: await loadBarsCsv(join(DATA_DIR, 'msft_2000_2001_daily.csv')),
    random1: randomBars(1, 400),
    random2: randomBars(2, 400),
  };
  type Case = {
    name: string;
    params?: Record<string, number>;
    output: string;
    ref: (s: BarSeries) => Float64Array;
    /** Bars from which to compare: 0 = all (same warm-up too), else after the reference's seed decayed. */
    from?: number;
  };
  const cases: Case[] = [
    { name: 'VWAP', params: { session: 0 }, output: 'real', ref: (s) => reference(new VWAP(), s, (r) => r) },
    ...(['tenkan', 'kijun', 'senkou_a', 'senkou_b'] as const).map(
      (o): Case => ({
        name: 'ICHIMOKU',
        output: o,
        ref: (s) =>
          reference(new IchimokuCloud(), s, (r) => ({ tenkan: r.conversion, kijun: r.base, senkou_a: r.spanA, senkou_b: r.spanB })[o]),
      }),
    ),
    ...(['upperband', 'middleband', 'lowerband'] as const).map(
      (o): Case => ({
        name: 'DONCHIAN',
        output: o,
        ref: (s) => reference(new DonchianChannels(20), s, (r) => ({ upperband: r.upper, middleband: r.middle, lowerband: r.lower })[o]),
      }),
    ),
    ...(['upperband', 'middleband', 'lowerband'] as const).map(
      (o): Case => ({
        name: 'KELTNER',
        output: o,
        // trading-signals seeds its EMA with the first close and its ATR with bar 0's high − low: (1 − 2/21)^230 · seed difference < 1e-9.
        from: 230,
        ref: (s) => reference(new KeltnerChannels(), s, (r) => ({ upperband: r.upper, middleband: r.middle, lowerband: r.lower })[o]),
      }),
    ),
    { name: 'SUPERTREND', output: 'supertrend', from: 230, ref: (s) => reference(new SuperTrend(), s, (r) => r.supertrend) },
    {
      name: 'SUPERTREND',
      output: 'direction',
      from: 230,
      ref: (s) => reference(new SuperTrend(), s, (r) => (r.trend === 'BULLISH' ? 1 : -1)),
    },
    {
      name: 'HMA',
      output: 'real',
      ref: (s) =>
        reference(
          new HMA(9),
          s,
          (r) => r,
          (c) => c.close,
        ),
    },
    {
      name: 'HMA',
      params: { timeperiod: 20 },
      output: 'real',
      ref: (s) =>
        reference(
          new HMA(20),
          s,
          (r) => r,
          (c) => c.close,
        ),
    },
    {
      name: 'ZLEMA',
      output: 'real',
      from: 230,
      ref: (s) =>
        reference(
          new ZLEMA(20),
          s,
          (r) => r,
          (c) => c.close,
        ),
    },
    {
      name: 'ALMA',
      output: 'real',
      ref: (s) =>
        reference(
          new ALMA(9),
          s,
          (r) => r,
          (c) => c.close,
        ),
    },
    {
      name: 'ALMA',
      params: { timeperiod: 21, offset: 0.5, sigma: 4 },
      output: 'real',
      ref: (s) =>
        reference(
          new ALMA(21, 0.5, 4),
          s,
          (r) => r,
          (c) => c.close,
        ),
    },
    { name: 'CMF', output: 'real', ref: (s) => reference(new CMF(20), s, (r) => r) },
    { name: 'AO', output: 'real', ref: (s) => reference(new AO(5, 34), s, (r) => r) },
    { name: 'CHOP', output: 'real', ref: (s) => reference(new CHOP(14), s, (r) => r) },
    { name: 'VORTEX', output: 'plus', ref: (s) => reference(new VortexIndicator(14), s, (r) => r.plus) },
    { name: 'VORTEX', output: 'minus', ref: (s) => reference(new VortexIndicator(14), s, (r) => r.minus) },
    // trading-signals has no signal line: the KST line is compared from where it starts.
    {
      name: 'KST',
      output: 'kst',
      from: -1,
      ref: (s) =>
        reference(
          new KST(),
          s,
          (r) => r,
          (c) => c.close,
        ),
    },
  ];
  for (const c of cases) {
    it(`${c.name}(${JSON.stringify(c.params ?? {})}).${c.output}`, () => {
      for (const s of Object.values(files)) {
        const ours = computeIndicator(c.name, s, c.params)[c.output] as Float64Array;
        const ref = c.ref(s);
        if (c.from === undefined || c.from === 0) {
          // Same warm-up and every value.
          expect(firstValue(ours)).toBe(firstValue(ref));
          expect(firstMismatch(ours, ref, 0)).toBe(-1);
        } else {
          const from = c.from < 0 ? firstValue(ours) : c.from;
          expect(from).toBeGreaterThan(0);
          expect(ours.length - from).toBeGreaterThan(15);
          expect(firstMismatch(ours, ref, from)).toBe(-1);
        }
      }
    });
  }
  it('covers the 15 extras the issue names', () => {
    const extras = listIndicators()
      .filter((i) => i.source === 'extra')
      .map((i) => i.name);
    expect(extras.sort()).toEqual(
      [
        'ALMA',
        'AO',
        'CHOP',
        'CMF',
        'DONCHIAN',
        'ELDERRAY',
        'HEIKINASHI',
        'HMA',
        'ICHIMOKU',
        'KELTNER',
        'KST',
        'SUPERTREND',
        'VORTEX',
        'VWAP',
        'ZLEMA',
      ].sort(),
    );
  });
});

function bars(rows: [number, number, number, number, number][], time = (i: number) => i * 86_400_000): BarSeries {
  return {
    time: Float64Array.from(rows, (_, i) => time(i)),
    open: Float64Array.from(rows, (r) => r[0]),
    high: Float64Array.from(rows, (r) => r[1]),
    low: Float64Array.from(rows, (r) => r[2]),
    close: Float64Array.from(rows, (r) => r[3]),
    volume: Float64Array.from(rows, (r) => r[4]),
    hasOhlc: true,
    hasVolume: true,
  };
}

describe('extras: hand-computed cases', () => {
  it('VWAP resets each UTC session and starts at the anchor', () => {
    const H = 3_600_000;
    // Bars at 22:00, 23:00 (day 0), 00:00, 01:00 (day 1).
    const s = bars(
      [
        [10, 12, 8, 10, 100],
        [10, 14, 10, 12, 300],
        [20, 22, 18, 20, 50],
        [20, 26, 20, 23, 0],
      ],
      (i) => (22 + i) * H,
    );
    const v = computeIndicator('VWAP', s).real as Float64Array;
    // Typical prices 10, 12, 20, 23: (10·100 + 12·300) / 400 = 11.5, then 20 (reset), 20 (no volume).
    expect(Array.from(v)).toEqual([10, 11.5, 20, 20]);
    const anchored = computeIndicator('VWAP', s, { session: 0, anchor: 23 * H }).real as Float64Array;
    expect(Array.from(anchored)).toEqual([Number.NaN, 12, (12 * 300 + 20 * 50) / 350, (12 * 300 + 20 * 50) / 350]);
  });

  it('streaming VWAP reads the time from ts, as the pipeline bars carry it', () => {
    const vwap = createIndicator('VWAP');
    const day = 86_400_000;
    vwap.update({ ts: day - 1, open: 10, high: 10, low: 10, close: 10, volume: 1 } as IndicatorBar);
    vwap.update({ ts: day - 1, open: 20, high: 20, low: 20, close: 20, volume: 1 } as IndicatorBar);
    expect(vwap.value()).toBe(15);
    vwap.update({ ts: day, open: 30, high: 30, low: 30, close: 30, volume: 1 } as IndicatorBar);
    expect(vwap.value()).toBe(30);
  });

  it('Heikin-Ashi: close = OHLC/4, open = mean of the previous HA open and close', () => {
    const s = bars([
      [10, 14, 9, 12, 1],
      [12, 15, 11, 14, 1],
    ]);
    const ha = computeIndicator('HEIKINASHI', s);
    // Bar 0: close 45/4 = 11.25, open (10 + 12)/2 = 11; bar 1: close 52/4 = 13, open (11 + 11.25)/2 = 11.125.
    expect(Array.from(ha.close as Float64Array)).toEqual([11.25, 13]);
    expect(Array.from(ha.open as Float64Array)).toEqual([11, 11.125]);
    expect(Array.from(ha.high as Float64Array)).toEqual([14, 15]);
    expect(Array.from(ha.low as Float64Array)).toEqual([9, 11]);
  });

  it('Elder ray: high and low minus the EMA (SMA-seeded)', () => {
    const s = bars([
      [1, 2, 0, 1, 1],
      [2, 3, 1, 2, 1],
      [3, 5, 2, 3, 1],
      [4, 6, 3, 5, 1],
    ]);
    const e = computeIndicator('ELDERRAY', s, { timeperiod: 3 });
    // EMA(3): seed (1 + 2 + 3)/3 = 2, then 2 + 0.5·(5 − 2) = 3.5.
    expect(Array.from(e.bullpower as Float64Array)).toEqual([Number.NaN, Number.NaN, 3, 2.5]);
    expect(Array.from(e.bearpower as Float64Array)).toEqual([Number.NaN, Number.NaN, 0, -0.5]);
  });

  it('KST signal is the SMA of the KST line; both start together', async () => {
    const s = await loadBarsCsv(join(DATA_DIR, 'msft_2000_2001_daily.csv'));
    const k = computeIndicator('KST', s);
    const line = k.kst as Float64Array;
    const sig = k.signal as Float64Array;
    const start = firstValue(sig);
    // roc4 30 + sma4 15 − 1 = 44 bars to the line, 8 more for the signal.
    expect(start).toBe(44 + 8);
    expect(firstValue(line)).toBe(start);
    const raw = computeIndicator('KST', s, { signalperiod: 1 }).kst as Float64Array;
    for (let i = start; i < line.length; i++) {
      let m = 0;
      for (let j = i - 8; j <= i; j++) m += raw[j] as number;
      expect(Math.abs((sig[i] as number) - m / 9)).toBeLessThan(1e-9);
    }
  });

  it('SuperTrend follows a steady rise from below the price and flips on a crash', () => {
    const rows: [number, number, number, number, number][] = [];
    for (let i = 0; i < 30; i++) rows.push([100 + i, 101 + i, 99 + i, 100.5 + i, 1]);
    rows.push([129, 129, 80, 80, 1]);
    const st = computeIndicator('SUPERTREND', bars(rows), { timeperiod: 5, multiplier: 2 });
    const dir = st.direction as Float64Array;
    const line = st.supertrend as Float64Array;
    expect(dir[29]).toBe(1);
    expect(line[29] as number).toBeLessThan(rows[29]?.[2] as number);
    expect(dir[30]).toBe(-1);
    expect(line[30] as number).toBeGreaterThan(80);
  });
});
