import { describe, expect, it } from 'vitest';
import type { BookEvent } from '../../src/core/events.ts';
import { BOOK_ENCODERS, type BookFrameEncoder, KrakenBookEncoder } from '../../src/sources/loopback/book-encoders.ts';
import { SimulatedDepth } from '../../src/sources/simulator/depth.ts';
import { MarketSimulator } from '../../src/sources/simulator/index.ts';
import { bookCodecFor } from '../../src/sources/venues/books/index.ts';
import { consolidate } from '../../src/stream/consolidated-book.ts';

/**
 * The whole chain on the simulator: each venue's quotes become a 20-level book (SimulatedDepth),
 * sent in the venue's own book protocol, rebuilt by its codec; the five books then consolidated
 * in USD at the simulator's true USDT basis. Every rebuilt view must equal the simulated book's
 * top 10, and the consolidated touch and bands must equal a brute-force reading of the books.
 */
describe('simulated depth through the venue protocols into a consolidated book', () => {
  it('five venues, ten simulated minutes', () => {
    const sim = new MarketSimulator({ seed: 11, durationMs: 600_000, instruments: [{ symbol: 'BTC-USD', initialPrice: 60_000 }] });
    const basis = new Map<number, number>();
    for (const t of sim.truth()) basis.set(t.ts, t.usdtBasis);
    const venues = new Map<
      string,
      { depth: SimulatedDepth; enc: BookFrameEncoder; codec: NonNullable<ReturnType<typeof bookCodecFor>>; symbol: string; quotes: number }
    >();
    let lastBasis = 1;
    let consolidatedChecks = 0;
    let viewChecks = 0;
    for (const r of sim.records()) {
      if (r.type !== 'quote') continue;
      let v = venues.get(r.venue);
      if (v === undefined) {
        // The simulator quotes BTC with 2 decimals; Kraken's checksum is told so on its instrument channel.
        const enc =
          r.venue === 'kraken' ? new KrakenBookEncoder(10, { price: 2, qty: 8 }) : (BOOK_ENCODERS[r.venue] as () => BookFrameEncoder)();
        const codec = bookCodecFor(r.venue);
        if (codec === undefined) throw new Error(r.venue);
        v = { depth: new SimulatedDepth({ seed: r.venue.length, decimals: 2 }), enc, codec, symbol: r.symbol, quotes: 0 };
        venues.set(r.venue, v);
        if (enc instanceof KrakenBookEncoder) codec.parse(enc.instrumentFrame(r.symbol), r.recvTs, []);
      }
      const ch = v.depth.onQuote(r);
      const frames = ch.snapshot ? v.enc.snapshot(r.symbol, ch.bids, ch.asks, r.recvTs) : v.enc.delta(r.symbol, ch.bids, ch.asks, r.recvTs);
      const out: BookEvent[] = [];
      for (const f of frames) expect(v.codec.parse(f, r.recvTs, out).kind).not.toBe('error');
      expect(out.filter((e) => e.type === 'book_gap')).toEqual([]);
      const view = out.filter((e) => e.type === 'book').at(-1);
      if (view?.type === 'book') {
        expect({ bids: view.bids, asks: view.asks }).toEqual(v.depth.book.top(10));
        viewChecks++;
      }
      v.quotes++;
      const b = [...basis.keys()].length ? basis.get(Math.floor((r.ts ?? r.recvTs) / 1000) * 1000) : undefined;
      if (b !== undefined) lastBasis = b;
      if (venues.size === 5 && v.quotes % 50 === 0) {
        const inputs = [...venues].map(([venue, x]) => ({
          venue,
          usdPerQuote: x.symbol.endsWith('USDT') ? lastBasis : 1,
          book: x.codec.book(x.symbol) as NonNullable<ReturnType<typeof x.codec.book>>,
        }));
        const c = consolidate(inputs);
        const bestBid = Math.max(...inputs.map((i) => i.book.bestBid * i.usdPerQuote));
        const bestAsk = Math.min(...inputs.map((i) => i.book.bestAsk * i.usdPerQuote));
        expect(c.bestBid).toBe(bestBid);
        expect(c.bestAsk).toBe(bestAsk);
        const lo = c.mid * (1 - 10 / 1e4);
        let within = 0;
        for (const i of inputs) for (const [p, s] of i.book.top(1000).bids) if (p * i.usdPerQuote >= lo) within += s;
        expect(c.depth[0]?.bidSize).toBeCloseTo(within, 9);
        consolidatedChecks++;
      }
    }
    expect(venues.size).toBe(5);
    expect(viewChecks).toBeGreaterThan(1500);
    expect(consolidatedChecks).toBeGreaterThan(20);
  });

  it('a touch moving within a step moves no deeper level, and the sizes kept stay bounded on a trending price', () => {
    const d = new SimulatedDepth({ seed: 3, decimals: 2, step: 6 });
    const quote = (bid: number): ReturnType<SimulatedDepth['onQuote']> =>
      d.onQuote({ bid: bid / 100, ask: (bid + 2) / 100, bidSize: 1, askSize: 1 });
    const first = quote(6_000_003);
    expect(first.snapshot).toBe(true);
    // Deeper levels sit on multiples of the step (600 ticks), the first strictly beyond the touch.
    expect(first.bids.slice(1, 3).map((l) => l[0])).toEqual([60_000, 59_994]);
    expect(first.asks.slice(1, 3).map((l) => l[0])).toEqual([60_006, 60_012]);
    const deeper = d.book.top(20).bids.slice(1);
    // One tick up: the old touch goes, the new one comes; no deeper level changes price or size.
    const moved = quote(6_000_004);
    expect(moved.bids).toEqual([
      [60_000.04, 1],
      [60_000.03, 0],
    ]);
    expect(d.book.top(20).bids.slice(1)).toEqual(deeper);
    // A walk that trends a long way: every book is a 20-level ladder, and the memory of drawn sizes stays bounded.
    const resting = (d as unknown as { resting: Map<number, number> }).resting;
    let most = 0;
    for (let i = 0; i < 200_000; i++) {
      quote(6_000_000 + i * 7 + ((i * 7919) % 13));
      most = Math.max(most, resting.size);
      if (i % 10_000 === 0) expect(d.book.top(20).bids).toHaveLength(20);
    }
    // 16 ladders' worth (16 × 20) before the sizes far from the touch are forgotten; without that, one per lattice price visited (2,372).
    expect(most).toBeLessThanOrEqual(16 * 20 + 2);
  });
});
