/**
 * Depth around a simulated venue's quotes: an L2 ladder whose touch is the venue's quote (its bid,
 * ask and sizes) and whose deeper levels sit every `step` away, sizes growing with the distance
 * (more resting liquidity away from the touch, as on real books) and drawn once per price so a
 * level keeps its size while the touch moves (seeded, deterministic). Each quote gives the changes
 * since the previous one, as venues send them: absolute sizes, 0 removing a level. Pure.
 *
 * The sizes carry no information about the next price (neither do the simulator's quote sizes),
 * which matters for anything measured on them: see README, Market depth.
 */
import type { BookLevel } from '../../core/events.ts';
import type { Quote } from '../../core/market.ts';
import { Rng } from '../../core/random.ts';
import { OrderBook } from '../../stream/book.ts';

export interface DepthOptions {
  /** Levels per side (default 20). */
  levels?: number;
  /** Distance between levels, in price units (default: 1 bp of the first quote's mid, on the price grid). */
  step?: number;
  /** Decimals of the venue's prices (default 2). */
  decimals?: number;
  seed?: number;
}

export interface DepthChange {
  /** True for the first quote: the whole book. */
  snapshot: boolean;
  bids: BookLevel[];
  asks: BookLevel[];
}

export class SimulatedDepth {
  readonly book: OrderBook;
  private readonly levels: number;
  private step: number;
  private readonly decimals: number;
  private readonly rng: Rng;
  /** The resting size drawn for each price away from the touch. */
  private readonly resting = new Map<number, number>();

  constructor(opts: DepthOptions = {}) {
    this.levels = opts.levels ?? 20;
    this.step = opts.step ?? Number.NaN;
    this.decimals = opts.decimals ?? 2;
    this.rng = new Rng(opts.seed ?? 1);
    this.book = new OrderBook(Math.max(this.levels, 1));
  }

  /** The book after this quote, and what changed. A crossed or empty quote changes nothing. */
  onQuote(q: Pick<Quote, 'bid' | 'ask' | 'bidSize' | 'askSize'>): DepthChange {
    if (!(q.bid > 0 && q.ask > q.bid)) return { snapshot: false, bids: [], asks: [] };
    const snapshot = Number.isNaN(this.step);
    if (snapshot) {
      const grid = 10 ** -this.decimals;
      this.step = Math.max(grid, Math.round((((q.bid + q.ask) / 2) * 1e-4) / grid) * grid);
    }
    const next = { bids: this.ladder(true, q.bid, q.bidSize), asks: this.ladder(false, q.ask, q.askSize) };
    const bids = diff(this.book, true, next.bids);
    const asks = diff(this.book, false, next.asks);
    this.book.clear();
    for (const [p, s] of next.bids) this.book.set(true, p, s);
    for (const [p, s] of next.asks) this.book.set(false, p, s);
    return snapshot ? { snapshot, bids: next.bids, asks: next.asks } : { snapshot, bids, asks };
  }

  private ladder(isBid: boolean, touch: number, touchSize: number): BookLevel[] {
    const out: BookLevel[] = [[touch, Number.isFinite(touchSize) && touchSize > 0 ? touchSize : this.size(touch, 1)]];
    for (let k = 1; k < this.levels; k++) {
      const p = round(isBid ? touch - k * this.step : touch + k * this.step, this.decimals);
      if (p <= 0) break;
      out.push([p, this.size(p, k)]);
    }
    return out;
  }

  private size(price: number, k: number): number {
    let s = this.resting.get(price);
    if (s === undefined) {
      // Mean grows with the distance from the touch; lots of 1e-4.
      s = Math.max(1, Math.round(this.rng.exponential(0.5 + 0.15 * k) * 1e4)) / 1e4;
      this.resting.set(price, s);
      if (this.resting.size > 50_000) this.resting.clear(); // bounded: a trending market visits ever new prices
    }
    return s;
  }
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

/** Levels to send so `book`'s side becomes `next`: changed or new levels, and 0 for the ones gone. */
function diff(book: OrderBook, isBid: boolean, next: readonly BookLevel[]): BookLevel[] {
  const side = isBid ? book.bids : book.asks;
  const out: BookLevel[] = [];
  const keep = new Set<number>();
  for (const [p, s] of next) {
    keep.add(p);
    if (side.sizeAt(p) !== s) out.push([p, s]);
  }
  for (let i = 0; i < side.length; i++) if (!keep.has(side.price(i))) out.push([side.price(i), 0]);
  return out;
}
