import { describe, expect, it } from 'vitest';
import type { BarSeries } from '../core/market.ts';
import { computeIndicator } from '../indicators/index.ts';
import { simulateBars } from '../sources/simulator/index.ts';
import { confirmationBars, generateSignals } from './index.ts';
import { evaluateSeries, familySummary } from './report.ts';

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

  it('confidence is calibrated walk-forward: the prior before any resolved signal, then a probability', () => {
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

  it('regime_breakout takes a subset of breakout’s bars, buying only in bull or recovery and selling only in bear or crash', () => {
    const plain = new Set(generateSignals(sim, { strategy: 'breakout', cooldown: 1 }).map((h) => `${h.index}${h.side}`));
    const filtered = generateSignals(sim, { strategy: 'regime_breakout', cooldown: 1 });
    expect(filtered.length).toBeGreaterThan(0);
    for (const h of filtered) {
      expect(plain.has(`${h.index}${h.side}`)).toBe(true);
      const regime = h.reasons.find((r) => r.startsWith('regime '));
      expect(h.side === 'buy' ? ['regime bull', 'regime recovery'] : ['regime bear', 'regime crash']).toContain(regime);
    }
  });

  it('series report: every strategy with its random baseline, then buy and hold; deflated for the five rules', () => {
    const r = evaluateSeries(prefix(sim, 1200), { timeframes: ['1d', '1w'], draws: 5 });
    expect(r.trials).toBe(5);
    expect(r.methods.map((m) => m.kind)).toEqual([...Array(5).fill(['strategy', 'random']).flat(), 'buy_and_hold']);
    for (const m of r.methods.filter((x) => x.kind === 'strategy' && x.signals > 0)) {
      expect(m.ece).toBeGreaterThanOrEqual(0);
      expect(m.deflatedSharpe).toBeGreaterThanOrEqual(0);
      expect(m.deflatedSharpe).toBeLessThanOrEqual(1);
      expect(m.coverage[0]?.signals).toBe(m.signals);
    }
  });

  it('family summary: signals summed and hit rates signal-weighted over the series', () => {
    const reports = [evaluateSeries(prefix(sim, 800), { draws: 2 }), evaluateSeries(prefix(sim, 1200), { draws: 2 })];
    const rows = familySummary(reports);
    const card = (r: (typeof reports)[number]) => r.methods.find((m) => m.method === 'breakout') as (typeof r.methods)[number];
    const row = rows.find((r) => r.method === 'breakout');
    const [a, b] = reports.map(card) as [ReturnType<typeof card>, ReturnType<typeof card>];
    expect(row?.signals).toBe(a.signals + b.signals);
    expect(row?.hitRate).toBeCloseTo((a.hitRate * a.signals + b.hitRate * b.signals) / (a.signals + b.signals), 12);
    expect(rows.map((r) => r.method)).not.toContain('random, same count as breakout');
  });
});
