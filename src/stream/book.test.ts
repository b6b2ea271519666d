import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderBook } from './book.ts';

/** The naive reference: a Map per side, sorted on every read. */
class NaiveBook {
  bids = new Map<number, number>();
  asks = new Map<number, number>();
  set(isBid: boolean, price: number, size: number): void {
    const side = isBid ? this.bids : this.asks;
    if (size === 0) side.delete(price);
    else side.set(price, size);
  }
  top(n: number, depth: number): { bids: [number, number][]; asks: [number, number][] } {
    const bids = [...this.bids].sort((a, b) => b[0] - a[0]);
    const asks = [...this.asks].sort((a, b) => a[0] - b[0]);
    // A side capped at `depth` keeps its best levels.
    for (const [side, list] of [
      [this.bids, bids],
      [this.asks, asks],
    ] as const)
      for (const [p] of list.slice(depth)) side.delete(p);
    return { bids: bids.slice(0, Math.min(n, depth)), asks: asks.slice(0, Math.min(n, depth)) };
  }
}

describe('OrderBook', () => {
  it('keeps levels best first, updates, removes, counts unknown deletes', () => {
    const b = new OrderBook(10);
    b.set(true, 100, 1);
    b.set(true, 101, 2);
    b.set(true, 99, 3);
    b.set(false, 103, 4);
    b.set(false, 102, 5);
    expect(b.top(10)).toEqual({
      bids: [
        [101, 2],
        [100, 1],
        [99, 3],
      ],
      asks: [
        [102, 5],
        [103, 4],
      ],
    });
    b.set(true, 100, 7);
    b.set(true, 101, 0);
    b.set(false, 104, 0);
    expect(b.top(2).bids).toEqual([
      [100, 7],
      [99, 3],
    ]);
    expect(b.unknownDeletes).toBe(1);
    expect(b.bestAsk).toBe(102);
    expect(b.crossed()).toBe(false);
    b.set(true, 102.5, 1);
    expect(b.crossed()).toBe(true);
  });

  it('refuses bad levels without changing the book', () => {
    const b = new OrderBook(10);
    b.set(true, 100, 1);
    expect(b.set(true, 100, -1)).toBe('size');
    expect(b.set(true, Number.NaN, 1)).toBe('price');
    expect(b.set(false, 0, 1)).toBe('price');
    expect(b.set(false, 101, Number.POSITIVE_INFINITY)).toBe('size');
    expect(b.top(5)).toEqual({ bids: [[100, 1]], asks: [] });
  });

  it('bounds memory by depth: a full side keeps its best levels', () => {
    const b = new OrderBook(3);
    for (const p of [10, 11, 12, 13, 9, 14]) b.set(true, p, 1);
    expect(b.bids.length).toBe(3);
    expect(b.top(5).bids.map((l) => l[0])).toEqual([14, 13, 12]);
    expect(b.dropped).toBe(1); // 9 came when the side was full with better levels
  });

  it('microprice leans toward the thin side; depth within a limit', () => {
    const b = new OrderBook();
    b.set(true, 100, 3);
    b.set(false, 101, 1);
    // (100·1 + 101·3) / 4 = 100.75: the small offer is the one about to be taken.
    expect(b.microprice()).toBeCloseTo(100.75, 12);
    expect(b.mid()).toBe(100.5);
    b.set(true, 99, 2);
    b.set(true, 98, 5);
    expect(b.bids.sizeWithin(99)).toBe(5);
    expect(b.asks.sizeWithin(101)).toBe(1);
  });

  it('equals a naive sorted-map book under random snapshots and deltas (property)', () => {
    const level = fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 60 }), fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1000 })));
    fc.assert(
      fc.property(fc.array(level, { maxLength: 400 }), fc.integer({ min: 1, max: 40 }), (ops, depth) => {
        const book = new OrderBook(depth);
        const ref = new NaiveBook();
        for (const [isBid, tick, size] of ops) {
          // Prices on a 0.5 grid, sizes in lots of 0.001: exact in binary where it matters.
          const price = tick / 2;
          book.set(isBid, price, size / 1000);
          ref.set(isBid, price, size / 1000);
          // The reference applies the same depth cap after every change.
          ref.top(0, depth);
          const sizeAt = (isBid ? book.bids : book.asks).sizeAt(price);
          expect(sizeAt).toBe((isBid ? ref.bids : ref.asks).get(price) ?? 0);
        }
        expect(book.top(depth)).toEqual(ref.top(depth, depth));
      }),
      { numRuns: 300 },
    );
  });
});
