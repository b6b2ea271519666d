import { describe, expect, it } from 'vitest';
import type { BarSeries } from '../core/market.ts';
import { Rng } from '../core/random.ts';
import { findLevels, findPivots } from './levels.ts';

/** Price bouncing between a floor at 100 and a ceiling at 120, with noise. */
function range(cycles: number, seed: number): BarSeries {
  const rng = new Rng(seed);
  const close: number[] = [];
  for (let c = 0; c < cycles; c++) {
    for (let i = 0; i <= 20; i++) close.push(100 + i + 0.3 * rng.normal());
    for (let i = 20; i > 0; i--) close.push(100 + i + 0.3 * rng.normal());
  }
  const n = close.length;
  const s: BarSeries = {
    time: Float64Array.from({ length: n }, (_, i) => i * 60_000),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: Float64Array.from(close),
    volume: new Float64Array(n).fill(1),
    hasOhlc: true,
    hasVolume: true,
  };
  for (let i = 0; i < n; i++) {
    const o = i ? (close[i - 1] as number) : (close[0] as number);
    s.open[i] = o;
    s.high[i] = Math.max(o, close[i] as number) + 0.2;
    s.low[i] = Math.min(o, close[i] as number) - 0.2;
  }
  return s;
}

describe('pivots and levels', () => {
  it('finds alternating swing highs near 120 and lows near 100', () => {
    const piv = findPivots(range(5, 1));
    expect(piv.length).toBeGreaterThanOrEqual(8);
    for (let i = 1; i < piv.length; i++) expect(piv[i]?.kind).not.toBe(piv[i - 1]?.kind);
    for (const p of piv) {
      if (p.kind === 'high') expect(Math.abs(p.price - 120)).toBeLessThan(1.5);
      else expect(Math.abs(p.price - 100)).toBeLessThan(1.5);
    }
  });

  it('clusters them into a support at 100 and a resistance at 120 with their touches', () => {
    const s = range(5, 2);
    // End mid-range so 100 is below and 120 above the last close.
    const cut = s.close.length - 10;
    const part: BarSeries = {
      ...s,
      time: s.time.subarray(0, cut),
      open: s.open.subarray(0, cut),
      high: s.high.subarray(0, cut),
      low: s.low.subarray(0, cut),
      close: s.close.subarray(0, cut),
      volume: s.volume.subarray(0, cut),
    };
    const levels = findLevels(part);
    const sup = levels.find((l) => l.kind === 'support');
    const res = levels.find((l) => l.kind === 'resistance');
    expect(sup && Math.abs(sup.price - 100)).toBeLessThan(1.5);
    expect(res && Math.abs(res.price - 120)).toBeLessThan(1.5);
    expect(sup?.touches).toBeGreaterThanOrEqual(4);
    expect(res?.touches).toBeGreaterThanOrEqual(4);
    expect(sup?.flipped).toBe(false);
  });

  it('handles tiny inputs', () => {
    expect(findLevels(range(1, 3))).toBeInstanceOf(Array);
    const one = range(1, 4);
    const single: BarSeries = {
      ...one,
      time: one.time.subarray(0, 1),
      open: one.open.subarray(0, 1),
      high: one.high.subarray(0, 1),
      low: one.low.subarray(0, 1),
      close: one.close.subarray(0, 1),
      volume: one.volume.subarray(0, 1),
    };
    expect(findPivots(single)).toEqual([]);
    expect(findLevels(single)).toEqual([]);
  });
});
