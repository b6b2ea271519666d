import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderBook } from './book.ts';
import { consolidate, type VenueBookInput } from './consolidated-book.ts';

function book(bids: [number, number][], asks: [number, number][]): OrderBook {
  const b = new OrderBook();
  for (const [p, s] of bids) b.set(true, p, s);
  for (const [p, s] of asks) b.set(false, p, s);
  return b;
}

describe('consolidate', () => {
  it('merges venues in USD with attribution, touch, bands, imbalance and microprices (hand-computed)', () => {
    const c = consolidate([
      {
        venue: 'coinbase',
        usdPerQuote: 1,
        book: book(
          [
            [100, 1],
            [99.9, 2],
          ],
          [[100.1, 1]],
        ),
      },
      // A USDT venue: 100.2 USDT at 0.998 USD = 99.9996 USD, just under coinbase's best bid.
      { venue: 'binance', usdPerQuote: 0.998, book: book([[100.2, 4]], [[100.3, 2]]) },
      { venue: 'kraken', usdPerQuote: 1, book: book([[100, 3]], [[100.6, 5]]) },
    ]);
    expect(c.bestBid).toBe(100);
    expect(c.bids[0]).toEqual({
      price: 100,
      size: 4,
      venues: [
        { venue: 'coinbase', size: 1 },
        { venue: 'kraken', size: 3 },
      ],
    });
    expect(c.bids[1]?.price).toBeCloseTo(99.9996, 10);
    expect(c.bids[1]?.venues).toEqual([{ venue: 'binance', size: 4 }]);
    expect(c.asks.map((l) => l.price)).toEqual([100.3 * 0.998, 100.1, 100.6]);
    expect(c.asks[0]?.venues).toEqual([{ venue: 'binance', size: 2 }]);
    expect(c.bestAsk).toBeCloseTo(100.0994, 10);
    expect(c.crossed).toBe(false);
    const mid = (100 + 100.3 * 0.998) / 2; // 100.0497
    expect(c.mid).toBeCloseTo(mid, 12);
    // ±10 bps: bids >= 99.94965 → 100 (4) + 99.9996 (4); 99.9 is outside. Asks <= 100.14975 → 100.0994 (2) + 100.1 (1).
    expect(c.depth[0]).toEqual({ bps: 10, bidSize: 8, askSize: 3, imbalance: 5 / 11 });
    // ±50 bps: every level (99.55 .. 100.55) but kraken's 100.6 ask.
    expect(c.depth[1]).toMatchObject({ bps: 50, bidSize: 10, askSize: 3 });
    expect(c.microprice.coinbase).toBeCloseTo((100 * 1 + 100.1 * 1) / 2, 12);
    expect(c.microprice.binance).toBeCloseTo(((100.2 * 2 + 100.3 * 4) / 6) * 0.998, 12);
    expect(c.microprice.kraken).toBeCloseTo((100 * 5 + 100.6 * 3) / 8, 12);
  });

  it('says when venues cross each other, and leaves out a venue without a rate', () => {
    const c = consolidate([
      { venue: 'a', usdPerQuote: 1, book: book([[101, 1]], [[102, 1]]) },
      { venue: 'b', usdPerQuote: 1, book: book([[99, 1]], [[100, 1]]) },
      { venue: 'c', usdPerQuote: Number.NaN, book: book([[500, 1]], [[501, 1]]) },
    ]);
    expect(c.crossed).toBe(true);
    expect(c.bestBid).toBe(101);
    expect(c.microprice.c).toBeUndefined();
  });

  it('equals a brute-force merge of every level (property)', () => {
    const side = fc.array(fc.tuple(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 50 })), { maxLength: 30 });
    const venue = fc.record({ bids: side, asks: side, rate: fc.constantFrom(1, 0.999, 1.0005, 0.5) });
    fc.assert(
      fc.property(fc.array(venue, { minLength: 1, maxLength: 5 }), (vs) => {
        const inputs: VenueBookInput[] = vs.map((v, k) => {
          const b = new OrderBook();
          // Bids below 1000, asks above: each venue's own book is uncrossed, as a validated one is.
          for (const [t, s] of v.bids) b.set(true, 1000 - t / 4, s);
          for (const [t, s] of v.asks) b.set(false, 1000 + t / 4, s);
          return { venue: `v${k}`, usdPerQuote: v.rate, book: b };
        });
        const c = consolidate(inputs, { levels: 10_000 });
        for (const isBid of [true, false]) {
          // Brute force: every (USD price, size, venue) entry, grouped by price, sorted best first.
          const groups = new Map<number, { venue: string; size: number }[]>();
          for (const v of inputs) {
            const s = isBid ? v.book.bids : v.book.asks;
            for (let i = 0; i < s.length; i++) {
              const p = s.price(i) * v.usdPerQuote;
              groups.set(p, [...(groups.get(p) ?? []), { venue: v.venue, size: s.size(i) }]);
            }
          }
          const expected = [...groups]
            .sort((x, y) => (isBid ? y[0] - x[0] : x[0] - y[0]))
            .map(([price, venues]) => ({ price, size: venues.reduce((a, x) => a + x.size, 0), venues }));
          expect(isBid ? c.bids : c.asks).toEqual(expected);
        }
        const all = (isBid: boolean) => (isBid ? c.bids : c.asks);
        for (const band of c.depth) {
          const lo = c.mid * (1 - band.bps / 1e4);
          const hi = c.mid * (1 + band.bps / 1e4);
          const bid = all(true)
            .filter((l) => l.price >= lo)
            .reduce((a, l) => a + l.size, 0);
          const ask = all(false)
            .filter((l) => l.price <= hi)
            .reduce((a, l) => a + l.size, 0);
          expect(band.bidSize).toBe(Number.isFinite(c.mid) ? bid : 0);
          expect(band.askSize).toBe(Number.isFinite(c.mid) ? ask : 0);
        }
      }),
      { numRuns: 200 },
    );
  });
});
