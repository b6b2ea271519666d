import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../core/market.ts';
import { TIMEFRAMES, timeframeMs } from '../core/time.ts';
import { BarAggregator } from './bars.ts';

const T0 = Date.UTC(2024, 0, 1);

function run(ticks: readonly [number, number, number][]): Bar[] {
  const agg = new BarAggregator('X-USD', TIMEFRAMES);
  const out: Bar[] = [];
  for (const [ts, p, v] of ticks) agg.onPrice(ts, p, v, (b) => out.push({ ...b }));
  return out;
}

/** Rolls closed bars of a small timeframe up into a larger one. */
function rollUp(bars: Bar[], tfMs: number): { ts: number; open: number; high: number; low: number; close: number; volume: number }[] {
  const out: { ts: number; open: number; high: number; low: number; close: number; volume: number }[] = [];
  for (const b of bars) {
    const ts = Math.floor(b.ts / tfMs) * tfMs;
    const last = out[out.length - 1];
    if (last && last.ts === ts) {
      last.high = Math.max(last.high, b.high);
      last.low = Math.min(last.low, b.low);
      last.close = b.close;
      last.volume += b.volume;
    } else out.push({ ts, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume });
  }
  return out;
}

describe('BarAggregator', () => {
  it('hand-computed 1m bars with open-bar updates and the close', () => {
    const out = run([
      [T0 + 1_000, 10, 1],
      [T0 + 20_000, 12, 2],
      [T0 + 59_999, 11, 1],
      [T0 + 60_000, 9, 5],
    ]).filter((b) => b.timeframe === '1m');
    expect(out.map((b) => [b.ts - T0, b.open, b.high, b.low, b.close, b.volume, b.final])).toEqual([
      [0, 10, 10, 10, 10, 1, false],
      [0, 10, 12, 10, 12, 3, false],
      [0, 10, 12, 10, 11, 4, false],
      [0, 10, 12, 10, 11, 4, true],
      [60_000, 9, 9, 9, 9, 5, false],
    ]);
  });

  it('close(): the open bar of every timeframe comes out final, once', () => {
    const agg = new BarAggregator('BTC-USD', ['1m', '5m']);
    agg.onPrice(T0 + 1_000, 10, 1, () => {});
    agg.onPrice(T0 + 61_000, 12, 2, () => {});
    const closed: Bar[] = [];
    agg.close((b) => closed.push(b));
    agg.close((b) => closed.push(b));
    expect(closed.map((b) => [b.timeframe, b.ts - T0, b.open, b.close, b.volume, b.final])).toEqual([
      ['1m', 60_000, 12, 12, 2, true],
      ['5m', 0, 10, 12, 3, true],
    ]);
  });

  it('property: every timeframe equals the roll-up of the 1-minute bars (closed bars)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 20_000 }),
            fc.double({ min: 1, max: 1000, noNaN: true }),
            fc.double({ min: 0, max: 10, noNaN: true }),
          ),
          {
            minLength: 1,
            maxLength: 300,
          },
        ),
        (steps) => {
          // Increasing times spread over about three days.
          let t = T0;
          const ticks = steps.map(([dt, p, v]) => {
            t += dt * 60;
            return [t, p, v] as [number, number, number];
          });
          const out = run(ticks).filter((b) => b.final);
          const m1 = out.filter((b) => b.timeframe === '1m');
          for (const tf of TIMEFRAMES.slice(1)) {
            const direct = out
              .filter((b) => b.timeframe === tf)
              .map(({ ts, open, high, low, close, volume }) => ({ ts, open, high, low, close, volume }));
            // A larger bar closes no later than the 1m bars in it, so compare the ones closed.
            const rolled = rollUp(m1, timeframeMs(tf)).slice(0, direct.length);
            expect(direct.map((b) => ({ ...b, volume: Math.round(b.volume * 1e9) }))).toEqual(
              rolled.map((b) => ({ ...b, volume: Math.round(b.volume * 1e9) })),
            );
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('late prices are left out of the bars and counted', () => {
    const agg = new BarAggregator('X-USD', ['1m']);
    const out: Bar[] = [];
    agg.onPrice(T0 + 61_000, 10, 1, (b) => out.push({ ...b }));
    agg.onPrice(T0 + 59_000, 99, 1, (b) => out.push({ ...b }));
    expect(agg.late).toBe(1);
    expect(out.every((b) => b.high === 10)).toBe(true);
  });
});
