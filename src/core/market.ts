import type { InstrumentId } from './instrument.ts';
import type { EpochMs, Timeframe } from './time.ts';

/** The taker's side: `buy` means the aggressor lifted the offer. */
export type Side = 'buy' | 'sell' | 'unknown';

/**
 * Every market record carries both clocks: `ts` is the source's event time (null when the
 * source gives none), `recvTs` is when we received it. Epoch milliseconds, fractional allowed.
 */
export interface MarketClock {
  venue: string;
  symbol: InstrumentId;
  ts: EpochMs | null;
  recvTs: EpochMs;
}

export interface Trade extends MarketClock {
  type: 'trade';
  price: number;
  size: number;
  side: Side;
  id: string | null;
}

/** Best bid and offer. */
export interface Quote extends MarketClock {
  type: 'quote';
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
}

/** OHLCV over [ts, ts + timeframe). `final` is false while the bar is still open. */
export interface Bar {
  type: 'bar';
  symbol: InstrumentId;
  timeframe: Timeframe;
  ts: EpochMs;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  final: boolean;
}

/** Minimal OHLCV shape used by analytics (streaming indicators take this). */
export interface Ohlcv {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** A column-oriented series of bars: the fast form analytics work on. */
export interface BarSeries {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  /** false when the source had only a close column (open/high/low then equal close). */
  hasOhlc: boolean;
  /** false when the source had no volume column (volume is then NaN). */
  hasVolume: boolean;
}

export type MarketRecord = Trade | Quote;

export function midPrice(q: Pick<Quote, 'bid' | 'ask'>): number {
  return (q.bid + q.ask) / 2;
}

/** Slices a BarSeries (views, no copy). */
/** A series of `n` zeroed bars with OHLC and volume, for callers that fill it in place. */
export function emptySeries(n: number): BarSeries {
  return {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    hasOhlc: true,
    hasVolume: true,
  };
}

export function sliceSeries(s: BarSeries, start: number, end: number): BarSeries {
  return {
    time: s.time.subarray(start, end),
    open: s.open.subarray(start, end),
    high: s.high.subarray(start, end),
    low: s.low.subarray(start, end),
    close: s.close.subarray(start, end),
    volume: s.volume.subarray(start, end),
    hasOhlc: s.hasOhlc,
    hasVolume: s.hasVolume,
  };
}

/** Bar events as a series (the inverse of `seriesBar`, over every row). */
export function barSeries(bars: readonly Bar[]): BarSeries {
  return {
    time: Float64Array.from(bars, (b) => b.ts),
    open: Float64Array.from(bars, (b) => b.open),
    high: Float64Array.from(bars, (b) => b.high),
    low: Float64Array.from(bars, (b) => b.low),
    close: Float64Array.from(bars, (b) => b.close),
    volume: Float64Array.from(bars, (b) => b.volume),
    hasOhlc: true,
    hasVolume: true,
  };
}

/** Row i of a series as a bar event (replaying a series through the live stages). */
export function seriesBar(s: BarSeries, i: number, symbol: InstrumentId, timeframe: Timeframe, final = true): Bar {
  return {
    type: 'bar',
    symbol,
    timeframe,
    ts: s.time[i] as number,
    open: s.open[i] as number,
    high: s.high[i] as number,
    low: s.low[i] as number,
    close: s.close[i] as number,
    volume: s.volume[i] as number,
    final,
  };
}
