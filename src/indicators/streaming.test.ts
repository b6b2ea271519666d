import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParamError } from '../core/errors.ts';
import {
  computeIndicator,
  createIndicator,
  type IndicatorBar,
  indicatorLookback,
  listIndicators,
  resolveParams,
  type SeriesWithPeriods,
} from './index.ts';

const barArb = fc
  .tuple(
    fc.double({ min: 1, max: 200, noNaN: true }),
    fc.double({ min: 1, max: 200, noNaN: true }),
    fc.double({ min: 0, max: 5, noNaN: true }),
    fc.double({ min: 0, max: 5, noNaN: true }),
    fc.double({ min: 0, max: 1e6, noNaN: true }),
    fc.double({ min: 0, max: 8, noNaN: true }),
  )
  .map(
    ([o, c, up, down, volume, periods]): IndicatorBar => ({
      open: o,
      close: c,
      high: Math.max(o, c) + up,
      low: Math.min(o, c) - down,
      volume,
      periods,
    }),
  );

function toSeries(bars: readonly IndicatorBar[]): SeriesWithPeriods {
  return {
    periods: Float64Array.from(bars, (b) => b.periods ?? Number.NaN),
    time: Float64Array.from(bars, (b, i) => b.time ?? i),
    open: Float64Array.from(bars, (b) => b.open),
    high: Float64Array.from(bars, (b) => b.high),
    low: Float64Array.from(bars, (b) => b.low),
    close: Float64Array.from(bars, (b) => b.close),
    volume: Float64Array.from(bars, (b) => b.volume),
    hasOhlc: true,
    hasVolume: true,
  };
}

const HOUR = 3_600_000;

const same = (a: number, b: number): boolean => (Number.isNaN(a) && Number.isNaN(b)) || a === b;

/** Small periods so warm-up ends inside short random series. */
function smallParams(name: string): Record<string, number> {
  const info = listIndicators().find((i) => i.name === name);
  const out: Record<string, number> = {};
  for (const p of info?.params ?? []) if (p.type === 'int') out[p.name] = Math.max(p.min, Math.min(p.default, 4));
  return out;
}

describe('streaming equals batch', () => {
  for (const { name, outputs } of listIndicators()) {
    it(`${name}: update() and replace() sequences on the open bar give the batch values, every output at every bar`, () => {
      const params = smallParams(name);
      // Long enough to end the warm-up (63 bars for the HT phase group) and run past it.
      const lb = indicatorLookback(name, params);
      const lengths = { minLength: Math.max(1, lb - 3), maxLength: lb + 40 };
      fc.assert(
        fc.property(fc.array(fc.tuple(barArb, fc.array(barArb, { maxLength: 3 })), lengths), (steps) => {
          const ind = createIndicator(name, params);
          const final: IndicatorBar[] = [];
          // Each output's streaming value once each bar closed.
          const seen = outputs.map(() => new Float64Array(steps.length));
          for (const [closed, provisional] of steps) {
            // Hourly bars, so a session VWAP resets inside the series.
            const time = final.length * HOUR;
            const bar = { ...closed, time };
            // The open candle changes a few times before it closes as `bar`.
            if (provisional.length > 0) {
              ind.update({ ...(provisional[0] as IndicatorBar), time });
              for (const p of provisional.slice(1)) ind.replace({ ...p, time });
              ind.replace(bar);
            } else ind.update(bar);
            outputs.forEach((o, j) => {
              (seen[j] as Float64Array)[final.length] = ind.value(o);
            });
            final.push(bar);
          }
          const batch = computeIndicator(name, toSeries(final), params);
          return outputs.every((o, j) => {
            const b = batch[o] as Float64Array;
            const s = seen[j] as Float64Array;
            for (let i = 0; i < final.length; i++) if (!same(s[i] as number, b[i] as number)) return false;
            return true;
          });
        }),
        { numRuns: 60 },
      );
    });
  }

  it('a provisional value equals the batch value of the series ending with that provisional bar', () => {
    fc.assert(
      fc.property(fc.array(barArb, { minLength: 20, maxLength: 40 }), barArb, (bars, provisional) => {
        const ind = createIndicator('RSI', { timeperiod: 5 });
        for (const b of bars) ind.update(b);
        ind.replace(provisional);
        const batch = computeIndicator('RSI', toSeries([...bars.slice(0, -1), provisional]), { timeperiod: 5 }).real as Float64Array;
        return same(ind.value(), batch[bars.length - 1] as number);
      }),
    );
  });
});

describe('registry', () => {
  it('describes every indicator with TA-Lib names, defaults and output names', () => {
    const list = listIndicators();
    const macd = list.find((i) => i.name === 'MACD');
    expect(macd?.params.map((p) => [p.name, p.default])).toEqual([
      ['fastperiod', 12],
      ['slowperiod', 26],
      ['signalperiod', 9],
    ]);
    expect(macd?.outputs).toEqual(['macd', 'macdsignal', 'macdhist']);
    expect(list.find((i) => i.name === 'BBANDS')?.outputs).toEqual(['upperband', 'middleband', 'lowerband']);
    expect(list.find((i) => i.name === 'STOCH')?.params.map((p) => p.name)).toEqual([
      'fastk_period',
      'slowk_period',
      'slowk_matype',
      'slowd_period',
      'slowd_matype',
    ]);
    expect(list.find((i) => i.name === 'BBANDS')?.overlay).toBe(true);
    expect(list.find((i) => i.name === 'RSI')?.overlay).toBe(false);
  });

  it('refuses unknown indicators, unknown parameters and out-of-range values with a clear error', () => {
    expect(() => createIndicator('NOPE')).toThrow(ParamError);
    expect(() => createIndicator('RSI', { period: 3 })).toThrow(/unknown parameter "period" \(parameters: timeperiod\)/);
    expect(() => createIndicator('RSI', { timeperiod: 1 })).toThrow(/timeperiod must be in \[2, 100000\], got 1/);
    expect(() => createIndicator('SMA', { timeperiod: 2.5 })).toThrow(/must be an integer/);
    expect(() => createIndicator('BBANDS', { matype: 9 })).toThrow(/matype must be in \[0, 8\], got 9/);
    expect(() => createIndicator('MAVP', { minperiod: 20, maxperiod: 10 })).toThrow(/minperiod must not exceed maxperiod/);
    expect(() => createIndicator('CORREL', { price0: 6 })).toThrow(/price0 must be in \[0, 5\], got 6/);
    expect(resolveParams('bbands', { nbdevup: 1.5 })).toEqual({ timeperiod: 5, nbdevup: 1.5, nbdevdn: 2, matype: 0 });
  });

  it('hand-computed values: SMA(3), EMA(3) seeded with the SMA, RSI of a steady rise', () => {
    const s = toSeries([1, 2, 3, 4, 5, 6].map((c) => ({ open: c, high: c, low: c, close: c, volume: 1 })));
    expect(Array.from(computeIndicator('SMA', s, { timeperiod: 3 }).real as Float64Array)).toEqual([Number.NaN, Number.NaN, 2, 3, 4, 5]);
    // EMA(3): k = 0.5; seed (1+2+3)/3 = 2, then 2 + 0.5(4−2) = 3, 4, 5.
    expect(Array.from(computeIndicator('EMA', s, { timeperiod: 3 }).real as Float64Array)).toEqual([Number.NaN, Number.NaN, 2, 3, 4, 5]);
    // Only gains: RSI 100 once warm.
    expect(Array.from(computeIndicator('RSI', s, { timeperiod: 3 }).real as Float64Array)).toEqual([
      Number.NaN,
      Number.NaN,
      Number.NaN,
      100,
      100,
      100,
    ]);
  });
});
