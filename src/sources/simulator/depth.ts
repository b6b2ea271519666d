/**
 * Depth around a simulated venue's quotes: an L2 ladder whose touch is the venue's quote (its bid,
 * ask and sizes) and whose deeper levels sit on a fixed lattice every `step` beyond it, sizes growing
 * with the distance (more resting liquidity away from the touch, as on real books) and drawn once
 * per price, so a deeper level keeps its price and size while the touch moves within a step
 * (seeded, deterministic). Each quote gives the changes since the previous one, as venues send
 * them: absolute sizes, 0 removing a level. Pure; memory bounded by the depth (sizes far from the
 * touch are forgotten and drawn afresh if the price comes back).
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
  /** Distance between levels in grid units (10^-decimals), NaN until the first quote. */
  private stepTicks: number;
  private readonly scale: number;
  private readonly rng: Rng;
  /** The resting size drawn for each price away from the touch, by its grid index (an integer key: cheap to hash). */
  private readonly resting = new Map<number, number>();
  /** `resting`'s size that triggers forgetting the sizes far from the touch (doubles with what is kept: amortised O(1)). */
  private pruneAt: number;
  /** The ladders last sent, best first (the book holds the same levels). */
  private prev: { bids: BookLevel[]; asks: BookLevel[] } = { bids: [], asks: [] };

  constructor(opts: DepthOptions = {}) {
    this.levels = opts.levels ?? 20;
    const decimals = opts.decimals ?? 2;
    this.scale = 10 ** decimals;
    this.stepTicks = opts.step === undefined ? Number.NaN : Math.max(1, Math.round(opts.step * this.scale));
    this.rng = new Rng(opts.seed ?? 1);
    this.book = new OrderBook(Math.max(this.levels, 1));
    this.pruneAt = this.pruneFloor();
  }

  /** The book after this quote, and what changed. A crossed or empty quote changes nothing. */
  onQuote(q: Pick<Quote, 'bid' | 'ask' | 'bidSize' | 'askSize'>): DepthChange {
    if (!(q.bid > 0 && q.ask > q.bid)) return { snapshot: false, bids: [], asks: [] };
    // The first quote gives the whole book (with or without a step given).
    const snapshot = this.prev.bids.length === 0;
    // 1 bp of the first mid, on the price grid.
    if (Number.isNaN(this.stepTicks)) this.stepTicks = Math.max(1, Math.round(((q.bid + q.ask) / 2) * 1e-4 * this.scale));
    const next = { bids: this.ladder(true, q.bid, q.bidSize), asks: this.ladder(false, q.ask, q.askSize) };
    const bids = diff(this.prev.bids, next.bids, true);
    const asks = diff(this.prev.asks, next.asks, false);
    this.prev = next;
    if (this.resting.size > this.pruneAt) this.prune(Math.round(q.bid * this.scale));
    this.book.clear();
    // Worst level first: each one lands at the book's best end, where setting a level moves nothing.
    for (let i = next.bids.length - 1; i >= 0; i--) {
      const l = next.bids[i] as BookLevel;
      this.book.set(true, l[0], l[1]);
    }
    for (let i = next.asks.length - 1; i >= 0; i--) {
      const l = next.asks[i] as BookLevel;
      this.book.set(false, l[0], l[1]);
    }
    return snapshot ? { snapshot, bids: next.bids, asks: next.asks } : { snapshot, bids, asks };
  }

  private ladder(isBid: boolean, touch: number, touchSize: number): BookLevel[] {
    const touchIndex = Math.round(touch * this.scale);
    const out: BookLevel[] = [[touch, Number.isFinite(touchSize) && touchSize > 0 ? touchSize : this.size(touchIndex, 1)]];
    const step = this.stepTicks;
    // The first lattice price strictly beyond the touch: a one-tick move of the touch moves no deeper level.
    const first = isBid ? Math.floor((touchIndex - 1) / step) * step : Math.ceil((touchIndex + 1) / step) * step;
    for (let k = 1; k < this.levels; k++) {
      const index = isBid ? first - (k - 1) * step : first + (k - 1) * step;
      if (index <= 0) break;
      out.push([index / this.scale, this.size(index, k)]);
    }
    return out;
  }

  /** Forgets the sizes more than four ladders from the touch: a trending market visits ever new prices. */
  private prune(touchIndex: number): void {
    const span = 4 * this.levels * this.stepTicks;
    for (const index of this.resting.keys()) if (Math.abs(index - touchIndex) > span) this.resting.delete(index);
    this.pruneAt = Math.max(this.pruneFloor(), 2 * this.resting.size);
  }

  /** Sixteen ladders' worth of sizes are kept before any is forgotten. */
  private pruneFloor(): number {
    return 16 * Math.max(this.levels, 1);
  }

  private size(index: number, k: number): number {
    let s = this.resting.get(index);
    if (s === undefined) {
      // Mean grows with the distance from the touch; lots of 1e-4.
      s = Math.max(1, Math.round(this.rng.exponential(0.5 + 0.15 * k) * 1e4)) / 1e4;
      this.resting.set(index, s);
    }
    return s;
  }
}

/**
 * Levels to send so a side that was `prev` becomes `next` (both best first): changed or new levels
 * in `next`'s order, then 0 for the ones gone, in `prev`'s order. One merge pass over the two
 * sorted ladders.
 */
function diff(prev: readonly BookLevel[], next: readonly BookLevel[], isBid: boolean): BookLevel[] {
  const out: BookLevel[] = [];
  const kept = new Uint8Array(prev.length);
  // Prices times `dir` grow toward the touch (no closure here: this runs per level).
  const dir = isBid ? 1 : -1;
  let j = 0;
  for (const level of next) {
    const p = level[0];
    while (j < prev.length && dir * ((prev[j] as BookLevel)[0] - p) > 0) j++;
    const old = prev[j];
    if (old !== undefined && old[0] === p) {
      kept[j] = 1;
      if (old[1] !== level[1]) out.push(level);
    } else out.push(level);
  }
  for (let i = 0; i < prev.length; i++) if (kept[i] === 0) out.push([(prev[i] as BookLevel)[0], 0]);
  return out;
}
