import { describe, expect, it } from 'vitest';
import type { ConsolidatedBookEvent } from '../core/events.ts';
import { OrderBook } from '../stream/book.ts';
import { BookStage } from './book-stage.ts';
import type { VenueBookRef } from './stages.ts';

const USDT = 0.999;
const target = (pair: string) => ({ symbol: pair.replace(/-USDT$/, '-USD'), factor: pair.endsWith('-USDT') ? USDT : 1 });

function ref(venue: string, pair: string, bids: [number, number][], asks: [number, number][]): VenueBookRef & { isLive: boolean } {
  const book = new OrderBook(100);
  for (const [p, s] of bids) book.set(true, p, s);
  for (const [p, s] of asks) book.set(false, p, s);
  const r = { venue, pair, book, isLive: true, live: () => r.isLive };
  return r;
}

describe('BookStage', () => {
  const binance = ref(
    'binance',
    'BTC-USDT',
    [
      [100.2, 1],
      [100.1, 2],
    ],
    [
      [100.4, 1.5],
      [100.5, 3],
    ],
  );
  const coinbase = ref(
    'coinbase',
    'BTC-USD',
    [
      [100.15, 0.5],
      [99, 4],
    ],
    [
      [100.3, 0.25],
      [101, 2],
    ],
  );

  it('publishes a changed instrument at most once per interval, in USD, with each venue named', () => {
    const stage = new BookStage(['BTC-USD', 'ETH-USD'], target, { everyMs: 250, levels: 10, venueLevels: 5 });
    const out: ConsolidatedBookEvent[] = [];
    stage.flush(1000, (e) => out.push(e));
    expect(out).toEqual([]); // nothing changed yet
    stage.onBook(binance);
    stage.onBook(coinbase);
    stage.onBook({ ...binance, pair: 'DOGE-USDT' }); // not a configured instrument: ignored
    stage.flush(1000, (e) => out.push(e));
    stage.onBook(coinbase);
    stage.flush(1100, (e) => out.push(e)); // too soon
    expect(out).toHaveLength(1);
    stage.flush(1250, (e) => out.push(e));
    expect(out).toHaveLength(2);
    const e = out[0] as ConsolidatedBookEvent;
    expect(e.symbol).toBe('BTC-USD');
    // Independently: the best USD bid is max(100.2 × 0.999, 100.15), the best ask min(100.4 × 0.999, 100.3).
    expect(e.bestBid).toBeCloseTo(Math.max(100.2 * USDT, 100.15), 12);
    expect(e.bestAsk).toBeCloseTo(Math.min(100.4 * USDT, 100.3), 12);
    expect(e.bids[0]?.venues.map((v) => v.venue)).toEqual([100.2 * USDT > 100.15 ? 'binance' : 'coinbase']);
    expect(e.asks[0]?.venues.map((v) => v.venue)).toEqual([100.4 * USDT < 100.3 ? 'binance' : 'coinbase']);
    expect(e.bids.reduce((s, l) => s + l.size, 0)).toBeCloseTo(1 + 2 + 0.5 + 4, 12);
    const bn = e.venues.find((v) => v.venue === 'binance');
    expect(bn?.bids[0]?.[0]).toBeCloseTo(100.2 * USDT, 12);
    expect(bn?.usdPerQuote).toBe(USDT);
    expect(stage.latest('BTC-USD')).toBe(out[1]);
    expect(JSON.parse(JSON.stringify(e))).toEqual(e); // nothing JSON would lose (no NaN)
  });

  it('leaves out a book that is not in sequence, and says null where a side is empty', () => {
    const stage = new BookStage(['BTC-USD'], target, { everyMs: 0 });
    const out: ConsolidatedBookEvent[] = [];
    coinbase.isLive = false;
    stage.onBook(coinbase);
    stage.flush(1, (e) => out.push(e));
    expect(out[0]?.venues).toEqual([]);
    expect(out[0]?.bestBid).toBeNull();
    expect(out[0]?.depth.every((d) => d.imbalance === null)).toBe(true);
    coinbase.isLive = true;
    stage.onGap({
      type: 'book_gap',
      venue: 'coinbase',
      symbol: 'BTC-USD',
      ts: null,
      recvTs: 1,
      reason: 'sequence',
      expected: 5,
      received: 7,
      detail: '',
    });
    stage.onBook(coinbase);
    stage.flush(2, (e) => out.push(e));
    expect(out[1]?.venues.map((v) => [v.venue, v.gaps])).toEqual([['coinbase', 1]]);
  });
});
