/**
 * Ticks (bid/ask columns, chunk by chunk as downloaded) to the rows `emp import` writes: each
 * tick within [from, to), or bars of the mid price with the tick count as volume (Dukascopy's
 * volumes are quoted liquidity, not trades).
 */
import { pointSize } from '../../core/fx.ts';
import type { InstrumentId } from '../../core/instrument.ts';
import type { Bar } from '../../core/market.ts';
import type { Timeframe } from '../../core/time.ts';
import { BarAggregator } from '../../stream/bars.ts';
import type { TickColumns } from './dukascopy.ts';

export interface Tick {
  ts: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
}

export async function* ticksInRange(chunks: AsyncIterable<TickColumns>, from: number, to: number): AsyncGenerator<Tick> {
  for await (const t of chunks) {
    for (let i = 0; i < t.time.length; i++) {
      const ts = t.time[i] as number;
      if (ts < from || ts >= to) continue;
      yield { ts, bid: t.bid[i] as number, ask: t.ask[i] as number, bidSize: t.bidSize[i] as number, askSize: t.askSize[i] as number };
    }
  }
}

/** Closed bars of the mid price, the last one when the range is over (it is as complete as it will be). */
export async function* midPriceBars(
  chunks: AsyncIterable<TickColumns>,
  id: InstrumentId,
  timeframe: Timeframe,
  from: number,
  to: number,
): AsyncGenerator<Bar> {
  const agg = new BarAggregator(id, [timeframe]);
  const inv = Math.round(1 / pointSize(id));
  // Bars close inside the aggregator's callback; they are handed on after each price.
  const closed: Bar[] = [];
  const keepClosed = (b: Bar): void => {
    if (b.final) closed.push(b);
  };
  for await (const t of ticksInRange(chunks, from, to)) {
    // Mid in points, then to price: exact to the last decimal ((a + b) / 2 in floats is not).
    agg.onPrice(t.ts, (Math.round(t.bid * inv) + Math.round(t.ask * inv)) / (2 * inv), 1, keepClosed);
    yield* closed.splice(0);
  }
  agg.close(keepClosed);
  yield* closed.splice(0);
}
