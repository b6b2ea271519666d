/** The dashboard's client-side annotations (run in the browser; pure, so tested here directly). */
import { describe, expect, it } from 'vitest';
import { listIndicators } from '../../src/indicators/index.ts';
import { plantPattern } from '../../src/patterns/generator.ts';
import {
  annotate,
  formatViewState,
  markLabel,
  type PatternMark,
  paneKey,
  parseViewState,
  pricePrecision,
  selectPatternMarks,
} from '../../web/src/analytics.ts';

describe('dashboard annotations', () => {
  it('include the latest confirmed chart patterns with their lines as drawable segments', () => {
    const p = plantPattern('head_and_shoulders', 7);
    const notes = annotate(p.series);
    const hs = notes.chart.find((c) => c.hit.pattern === 'head_and_shoulders');
    expect(hs).toBeDefined();
    if (!hs) return;
    expect(notes.chart.length).toBeLessThanOrEqual(3);
    for (const c of notes.chart) expect(c.hit.breakoutIndex).not.toBeNull();
    // The neckline segment runs from the first pivot to the breakout and passes through both troughs.
    const [seg] = hs.segments;
    expect(seg?.from).toBe(hs.hit.startIndex);
    expect(seg?.to).toBe(hs.hit.breakoutIndex);
    for (const trough of [hs.hit.pivots[1], hs.hit.pivots[3]])
      expect((seg?.a ?? 0) + (seg?.b ?? 0) * (trough?.index ?? 0)).toBeCloseTo(trough?.price ?? 0, 9);
  });
});

describe('dashboard presentation rules', () => {
  it('prices FX in points (5 decimals, 3 for yen pairs) and the rest to cents, from the instrument', () => {
    expect(pricePrecision('EUR-USD')).toBe(5);
    expect(pricePrecision('GBP-USD')).toBe(5);
    expect(pricePrecision('USD-JPY')).toBe(3);
    expect(pricePrecision('EUR-JPY')).toBe(3);
    expect(pricePrecision('BTC-USD', 60000)).toBe(2);
    expect(pricePrecision('SOL-USD', 150)).toBe(2);
    // A sub-dollar coin keeps about four significant digits.
    expect(pricePrecision('DOGE-USD', 0.1234)).toBe(4);
    expect(pricePrecision('not a symbol')).toBe(2);
  });

  it('puts each indicator in the pane of its scale: overlays on price, 0-100 oscillators together, MACD and ATR alone', () => {
    const byName = new Map(listIndicators().map((i) => [i.name, i]));
    const pane = (n: string) => paneKey(byName.get(n) as Parameters<typeof paneKey>[0]);
    for (const n of ['SMA', 'EMA', 'BBANDS', 'SAR']) expect(pane(n)).toBe('price');
    for (const n of ['RSI', 'STOCH', 'STOCHRSI', 'MFI', 'ADX', 'ULTOSC']) expect(pane(n)).toBe('osc');
    expect(pane('MACD')).toBe('macd');
    expect(pane('ATR')).toBe('atr');
    expect(pane('OBV')).toBe('OBV');
    expect(new Set(['MACD', 'ATR', 'RSI', 'OBV'].map(pane)).size).toBe(4);
  });

  it('labels significant candlestick patterns only, spaced apart, and the last few; all on request', () => {
    const mark = (index: number, strong: boolean, followThrough: boolean, names = ['engulfing']): PatternMark => ({
      ts: index * 60_000,
      index,
      direction: 1,
      names,
      strong,
      followThrough,
    });
    const marks = Array.from({ length: 400 }, (_, i) => mark(i, i % 7 === 0, i % 11 === 0));
    const key = selectPatternMarks(marks, 'significant');
    expect(key.length).toBeLessThanOrEqual(8);
    for (const m of key) expect(m.strong || m.followThrough).toBe(true);
    for (let k = 1; k < key.length; k++)
      expect((key[k] as PatternMark).index - (key[k - 1] as PatternMark).index).toBeGreaterThanOrEqual(20);
    expect(key[key.length - 1]?.index).toBeGreaterThan(380);
    expect(selectPatternMarks(marks, 'all')).toHaveLength(400);
    expect(markLabel(mark(1, true, false, ['doji', 'dragonflydoji', 'longline']))).toBe('dragonflydoji +2');
  });

  it('round-trips the view through the URL', () => {
    const v = { symbol: 'EUR-USD', tf: '5m', indicators: ['SMA', 'MACD'], patterns: 'all' as const };
    const search = formatViewState(v);
    expect(search).toBe('?symbol=EUR-USD&tf=5m&ind=SMA,MACD&patterns=all');
    expect(parseViewState(search)).toEqual(v);
    expect(parseViewState('?symbol=btcusd&ind=sma,%20rsi')).toEqual({ symbol: 'btcusd', indicators: ['SMA', 'RSI'] });
    expect(parseViewState('?ind=')).toEqual({ indicators: [] });
  });
});
