import { describe, expect, it } from 'vitest';
import type { BarSeries } from '../core/market.ts';
import { computeIndicator } from '../indicators/index.ts';
import { simulateBars } from '../sources/simulator/index.ts';
import { confirmationBars, generateSignals, scoreSignals } from './index.ts';

const sim = simulateBars({ symbol: 'X-USD', timeframe: '1d', count: 1500, seed: 3 }).bars;

function prefix(s: BarSeries, n: number): BarSeries {
  return {
    ...s,
    time: s.time.subarray(0, n),
    open: s.open.subarray(0, n),
    high: s.high.subarray(0, n),
    low: s.low.subarray(0, n),
    close: s.close.subarray(0, n),
    volume: s.volume.subarray(0, n),
  };
}

describe('signals', () => {
  it('are causal: a truncated series gives exactly the signals of the full one up to the cut', () => {
    for (const strategy of ['trend_following', 'mean_reversion', 'breakout', 'ma_cross']) {
      const full = generateSignals(sim, { strategy, timeframes: ['1d', '1w'] });
      const cut = generateSignals(prefix(sim, 900), { strategy, timeframes: ['1d', '1w'] });
      expect(cut).toEqual(full.filter((h) => h.index < 900));
      expect(full.length).toBeGreaterThan(0);
    }
  });

  it('ma_cross fires exactly where SMA(20) crosses SMA(50) (independent computation), spaced by the cooldown', () => {
    const fast = computeIndicator('SMA', sim, { timeperiod: 20 }).real as Float64Array;
    const slow = computeIndicator('SMA', sim, { timeperiod: 50 }).real as Float64Array;
    const crosses: { index: number; side: string }[] = [];
    let last = Number.NEGATIVE_INFINITY;
    for (let i = 1; i < fast.length; i++) {
      const [a, b, pa, pb] = [fast[i], slow[i], fast[i - 1], slow[i - 1]] as [number, number, number, number];
      if (![a, b, pa, pb].every(Number.isFinite)) continue;
      const side = a > b && pa <= pb ? 'buy' : a < b && pa >= pb ? 'sell' : null;
      if (side && i - last >= 5) {
        crosses.push({ index: i, side });
        last = i;
      }
    }
    const hits = generateSignals(sim, { strategy: 'ma_cross', regimeFilter: false });
    expect(hits.map((h) => ({ index: h.index, side: h.side }))).toEqual(crosses);
  });

  it('confidence is calibrated walk-forward: the prior before any resolved signal, then hit rates of earlier ones', () => {
    const hits = generateSignals(sim, { strategy: 'breakout', horizon: 5, regimeFilter: false });
    expect(hits[0]?.confidence).toBe(0.5);
    for (const h of hits) {
      expect(h.confidence).toBeGreaterThan(0);
      expect(h.confidence).toBeLessThan(1);
      expect(h.strength).toBeGreaterThanOrEqual(0);
      expect(h.strength).toBeLessThanOrEqual(1);
    }
  });

  it('higher timeframes as bar multiples', () => {
    expect(confirmationBars(['1d', '1w'])).toEqual([{ label: '1w', bars: 5 }]);
    expect(confirmationBars(['15m', '1h', '4h'])).toEqual([
      { label: '1h', bars: 4 },
      { label: '4h', bars: 16 },
    ]);
    expect(() => confirmationBars(['1h', '15m'])).toThrow(/larger than 1h/);
    const hits = generateSignals(sim, { strategy: 'trend_following', timeframes: ['1d', '1w'] });
    for (const h of hits) expect(h.confirmations.map((c) => c.timeframe)).toEqual(['1w']);
  });

  it('scorecard: hand-computed returns after costs', () => {
    const close = [100, 110, 121, 100];
    const time = [0, 86_400_000, 2 * 86_400_000, 3 * 86_400_000];
    const c = scoreSignals(
      'x',
      close,
      time,
      [
        { index: 0, side: 'buy', confidence: 0.6 },
        { index: 1, side: 'sell', confidence: 0.5 },
      ],
      2,
      10,
    );
    // buy 100 → 121: +21 % − 0.2 %; sell 110 → 100: +9.09 % − 0.2 %.
    expect(c.signals).toBe(2);
    expect(c.hitRate).toBe(1);
    expect(c.avgReturnBps).toBeCloseTo(((0.21 - 0.002 + (1 - 100 / 110) - 0.002) / 2) * 1e4, 6);
    expect(c.maxDrawdown).toBe(0);
  });
});
