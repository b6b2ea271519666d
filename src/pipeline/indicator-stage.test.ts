import { describe, expect, it } from 'vitest';
import type { EmpEvent, IndicatorUpdate } from '../core/events.ts';
import { type Bar, barSeries } from '../core/market.ts';
import { Rng } from '../core/random.ts';
import { computeIndicator } from '../indicators/index.ts';
import { IndicatorStage, parseIndicatorSpec } from './indicator-stage.ts';

describe('IndicatorStage', () => {
  it('parses specs', () => {
    expect(parseIndicatorSpec('bbands:timeperiod=20,nbdevup=1.5')).toEqual({ name: 'BBANDS', params: { timeperiod: 20, nbdevup: 1.5 } });
    expect(parseIndicatorSpec('RSI')).toEqual({ name: 'RSI', params: {} });
  });

  it('open-bar updates then the close: values on closed bars equal the batch over closed bars', () => {
    const rng = new Rng(4);
    const stage = new IndicatorStage([
      { name: 'RSI', params: { timeperiod: 5 } },
      { name: 'MACD', params: { fastperiod: 3, slowperiod: 6, signalperiod: 2 } },
    ]);
    const events: EmpEvent[] = [];
    const closed: Bar[] = [];
    let p = 100;
    for (let i = 0; i < 60; i++) {
      const ts = i * 60_000;
      const bar: Bar = { type: 'bar', symbol: 'X-USD', timeframe: '1m', ts, open: p, high: p, low: p, close: p, volume: 0, final: false };
      for (let k = 0; k < 3; k++) {
        p *= 1 + 0.01 * rng.normal();
        bar.high = Math.max(bar.high, p);
        bar.low = Math.min(bar.low, p);
        bar.close = p;
        stage.onBar({ ...bar }, (e) => events.push(e));
      }
      const fin = { ...bar, final: true };
      stage.onBar(fin, (e) => events.push(e));
      closed.push(fin);
    }
    const finals = events.filter((e): e is IndicatorUpdate => e.type === 'indicators' && e.final);
    expect(finals).toHaveLength(60);
    const series = barSeries(closed);
    const rsi = computeIndicator('RSI', series, { timeperiod: 5 }).real as Float64Array;
    const macd = computeIndicator('MACD', series, { fastperiod: 3, slowperiod: 6, signalperiod: 2 });
    finals.forEach((u, i) => {
      const want = rsi[i] as number;
      expect(u.values['RSI(5).real']).toBe(Number.isNaN(want) ? null : want);
      const m = (macd.macdsignal as Float64Array)[i] as number;
      expect(u.values['MACD(3,6,2).macdsignal']).toBe(Number.isNaN(m) ? null : m);
    });
  });
});
