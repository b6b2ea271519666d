/** The dashboard's client-side annotations (run in the browser; pure, so tested here directly). */
import { describe, expect, it } from 'vitest';
import { listIndicators } from '../../src/indicators/index.ts';
import { plantPattern } from '../../src/patterns/generator.ts';
import { reliability } from '../../src/signals/evaluate.ts';
import { confirmationBars } from '../../src/signals/index.ts';
import {
  annotate,
  calibrationDue,
  calibrationProtocol,
  diagramNote,
  formatViewState,
  markLabel,
  type PatternMark,
  paneKey,
  parseViewState,
  pricePrecision,
  protocolText,
  reliabilityPoints,
  scorecardCells,
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

describe('signal calibration card', () => {
  it('asks for the CLI protocol with FX costs of 1 bp, 5 bps otherwise, confirmed on the next timeframe', () => {
    expect(calibrationProtocol('EUR-USD', '1m')).toEqual({ horizon: 5, embargo: 5, costBps: 1, timeframes: ['1m', '5m'], draws: 10 });
    expect(calibrationProtocol('BTC-USD', '1h')).toEqual({ horizon: 5, embargo: 5, costBps: 5, timeframes: ['1h', '4h'], draws: 10 });
    expect(calibrationProtocol('BTC-USD', '1d').timeframes).toEqual(['1d', '1w']);
    expect(calibrationProtocol('not a symbol', '5m').costBps).toBe(5);
    // Every chart timeframe's pair is one the signal engine accepts (a larger, known timeframe).
    for (const tf of ['1m', '5m', '15m', '1h', '4h', '1d'])
      expect(confirmationBars(calibrationProtocol('BTC-USD', tf).timeframes)[0]?.bars).toBeGreaterThan(1);
  });

  it('places each non-empty bucket at (stated, realized) with its area proportional to its signals', () => {
    const bins = [
      { bucket: '0.5–0.6', n: 100, predicted: 0.55, realized: 0.5 },
      { bucket: '0.7–0.8', n: 25, predicted: 0.75, realized: 1 },
      { bucket: '0.9–1.0', n: 0, predicted: 0, realized: 0 },
    ];
    // A 100 px square with 10 px padding: 80 px per unit, y downwards.
    const pts = reliabilityPoints(bins, 100, 10, 1, 5);
    expect(pts).toHaveLength(2);
    expect(pts[0]).toMatchObject({ x: 54, y: 50, r: 5, n: 100, bucket: '0.5–0.6' });
    // A quarter of the largest bucket's signals: half its radius above the minimum (1 + 4 × √0.25).
    expect(pts[1]).toMatchObject({ x: 70, y: 10, r: 3, n: 25 });
    // A perfectly calibrated bucket from the scorer itself lies on the diagonal (x + y = size).
    const { bins: calibrated } = reliability([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0]);
    const [p] = reliabilityPoints(calibrated, 100, 10);
    expect(p?.x).toBeCloseTo(30, 12);
    expect(p?.y).toBeCloseTo(70, 12);
  });

  it('formats the scorecard row, with a dash for figures that do not exist', () => {
    const row = scorecardCells({
      signals: 59,
      hitRate: 34 / 59,
      ece: 0.1484,
      eceFloor: 0.0912,
      brierSkill: -0.00004,
      avgReturnBps: -52.06,
      deflatedSharpe: 0.1449,
    });
    expect(row).toEqual({
      signals: '59',
      hitRate: '57.6 %',
      ece: '0.148 (0.091)',
      brierSkill: '\u22120.000',
      avgReturn: '\u221252.1 bps',
      deflatedSharpe: '0.14',
    });
    const none = scorecardCells({
      signals: 0,
      hitRate: Number.NaN,
      ece: Number.NaN,
      eceFloor: Number.NaN,
      brierSkill: Number.NaN,
      avgReturnBps: Number.NaN,
      deflatedSharpe: Number.NaN,
    });
    expect(none).toEqual({ signals: '0', hitRate: '–', ece: '–', brierSkill: '–', avgReturn: '–', deflatedSharpe: '–' });
  });

  it('says when a diagram has too few signals to mean anything, and states the protocol', () => {
    expect(diagramNote(0)).toBe('no scored signal yet');
    expect(diagramNote(1)).toMatch(/^only 1 signal: too few/);
    expect(diagramNote(29)).toMatch(/^only 29 signals: too few .*fewer than 30/);
    expect(diagramNote(30)).toBe('');
    const text = protocolText(
      { bars: 3412, horizon: 5, costBps: 1, embargo: 5, calibration: 'platt', memory: 'adaptive', trials: 5 },
      calibrationProtocol('EUR-USD', '1m'),
    );
    for (const part of [
      'Walk-forward over 3,412 closed 1m bars, confirmed on 5m',
      '5 bars later',
      '≥ 5 bars',
      '1 bp cost per side',
      '5 rules',
    ])
      expect(text).toContain(part);
  });

  it('recomputes at once for another view, else after 5 closes and 30 s, never while busy', () => {
    const base = { key: 'BTC-USD|1m', lastKey: 'BTC-USD|1m', newCloses: 0, now: 50_000, lastAt: 0, busy: false };
    expect(calibrationDue({ ...base, key: 'BTC-USD|5m' })).toBe(true);
    expect(calibrationDue({ ...base, key: 'BTC-USD|5m', busy: true })).toBe(false);
    expect(calibrationDue({ ...base, newCloses: 4 })).toBe(false);
    expect(calibrationDue({ ...base, newCloses: 5 })).toBe(true);
    expect(calibrationDue({ ...base, newCloses: 5, now: 29_999 })).toBe(false);
    expect(calibrationDue({ ...base, newCloses: 5, now: 30_000 })).toBe(true);
  });
});
