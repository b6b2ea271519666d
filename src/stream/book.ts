/**
 * A price-level (L2) order book: the pure model every venue's book codec maintains. No I/O, no
 * time, no venue rules (sequencing and checksums live with the venue codecs in
 * src/sources/venues/books/); only levels, absolute sizes, and the questions asked of a book.
 *
 * Each side is two parallel Float64Arrays kept sorted so the BEST level is at the END: updates
 * cluster at the top of the book, and an insert or delete there moves only the few levels after
 * it (an array with the best level first would shift the whole side on every top-of-book change).
 * Memory is bounded by `maxDepth` levels per side; a new level worse than a full side's worst is
 * dropped, and a better one evicts the worst.
 */

/** What setting one level did (plain numbers: no enum, so the module strips to JavaScript as is). */
export const LevelChange = {
  Updated: 0,
  Inserted: 1,
  Removed: 2,
  /** A size of 0 for a price the book does not hold (normal on Binance, suspicious elsewhere). */
  UnknownDelete: 3,
  /** A new level beyond a full side's depth: not kept. */
  Dropped: 4,
} as const;
export type LevelChange = (typeof LevelChange)[keyof typeof LevelChange];

/** One side of a book, best level last internally, read best-first through `price(i)` / `size(i)`. */
export class BookSide {
  /** Sort keys ascending toward the best level: the price for bids, minus the price for asks. */
  private keys: Float64Array;
  private sizes: Float64Array;
  private n = 0;

  constructor(
    readonly isBid: boolean,
    readonly maxDepth: number,
  ) {
    if (!(Number.isInteger(maxDepth) && maxDepth > 0)) throw new RangeError(`book depth must be a positive integer, got ${maxDepth}`);
    // Start small and grow by doubling up to maxDepth: most books are far shallower than the cap.
    const cap = Math.min(maxDepth, 64);
    this.keys = new Float64Array(cap);
    this.sizes = new Float64Array(cap);
  }

  get length(): number {
    return this.n;
  }

  /** The i-th best price (0 = best), NaN past the end. */
  price(i: number): number {
    if (i < 0 || i >= this.n) return Number.NaN;
    const k = this.keys[this.n - 1 - i] as number;
    return this.isBid ? k : -k;
  }

  /** The size at the i-th best price, NaN past the end. */
  size(i: number): number {
    if (i < 0 || i >= this.n) return Number.NaN;
    return this.sizes[this.n - 1 - i] as number;
  }

  /** The size resting at `price`, 0 when the book holds no such level. */
  sizeAt(price: number): number {
    const key = this.isBid ? price : -price;
    const i = this.search(key);
    return i < this.n && this.keys[i] === key ? (this.sizes[i] as number) : 0;
  }

  clear(): void {
    this.n = 0;
  }

  /** Keeps the best `depth` levels. */
  truncate(depth: number): void {
    if (this.n <= depth) return;
    const drop = this.n - depth;
    this.keys.copyWithin(0, drop, this.n);
    this.sizes.copyWithin(0, drop, this.n);
    this.n = depth;
  }

  /**
   * Sets the absolute size at a price (0 removes the level). The caller has checked that price
   * is finite and positive and size finite and non-negative (OrderBook.set does).
   */
  set(price: number, size: number): LevelChange {
    const key = this.isBid ? price : -price;
    const i = this.search(key);
    const found = i < this.n && this.keys[i] === key;
    if (size === 0) {
      if (!found) return LevelChange.UnknownDelete;
      this.keys.copyWithin(i, i + 1, this.n);
      this.sizes.copyWithin(i, i + 1, this.n);
      this.n--;
      return LevelChange.Removed;
    }
    if (found) {
      this.sizes[i] = size;
      return LevelChange.Updated;
    }
    let at = i;
    if (this.n === this.maxDepth) {
      // Full: a level worse than the worst is out of scope; otherwise the worst (index 0) goes.
      if (at === 0) return LevelChange.Dropped;
      this.keys.copyWithin(0, 1, at);
      this.sizes.copyWithin(0, 1, at);
      at--;
      this.keys[at] = key;
      this.sizes[at] = size;
      return LevelChange.Inserted;
    }
    if (this.n === this.keys.length) this.grow();
    this.keys.copyWithin(at + 1, at, this.n);
    this.sizes.copyWithin(at + 1, at, this.n);
    this.keys[at] = key;
    this.sizes[at] = size;
    this.n++;
    return LevelChange.Inserted;
  }

  /** Total size of the levels at or better than `limit` (inclusive). */
  sizeWithin(limit: number): number {
    let total = 0;
    for (let i = this.n - 1; i >= 0; i--) {
      const k = this.keys[i] as number;
      const p = this.isBid ? k : -k;
      if (this.isBid ? p < limit : p > limit) break;
      total += this.sizes[i] as number;
    }
    return total;
  }

  /** The best `n` levels, best first, as [price, size] pairs. */
  top(n: number): [number, number][] {
    const m = Math.min(n, this.n);
    const out: [number, number][] = new Array(m);
    for (let j = 0; j < m; j++) {
      const k = this.keys[this.n - 1 - j] as number;
      out[j] = [this.isBid ? k : -k, this.sizes[this.n - 1 - j] as number];
    }
    return out;
  }

  /** First index whose key is >= `key` (n when none). */
  private search(key: number): number {
    // The best end is the common case: check it before bisecting.
    const n = this.n;
    if (n === 0 || key > (this.keys[n - 1] as number)) return n;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.keys[mid] as number) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private grow(): void {
    const cap = Math.min(this.maxDepth, this.keys.length * 2);
    const keys = new Float64Array(cap);
    const sizes = new Float64Array(cap);
    keys.set(this.keys.subarray(0, this.n));
    sizes.set(this.sizes.subarray(0, this.n));
    this.keys = keys;
    this.sizes = sizes;
  }
}

/** Why a level was refused: the book that received it can no longer be trusted. */
export type LevelProblem = 'price' | 'size';

export class OrderBook {
  readonly bids: BookSide;
  readonly asks: BookSide;
  /** Levels set to 0 that the book did not hold, and new levels past the depth cap, since creation. */
  unknownDeletes = 0;
  dropped = 0;

  constructor(readonly maxDepth = 1000) {
    this.bids = new BookSide(true, maxDepth);
    this.asks = new BookSide(false, maxDepth);
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }

  /**
   * Sets one level to an absolute size (0 removes it). A price that is not finite and positive,
   * or a size that is negative or not finite, is refused with its problem and leaves the book
   * unchanged: the caller flags the book invalid (it has missed or misread something).
   */
  set(isBid: boolean, price: number, size: number): LevelProblem | undefined {
    if (!(price > 0 && price < Number.POSITIVE_INFINITY)) return 'price';
    if (!(size >= 0 && size < Number.POSITIVE_INFINITY)) return 'size';
    const r = (isBid ? this.bids : this.asks).set(price, size);
    if (r === LevelChange.UnknownDelete) this.unknownDeletes++;
    else if (r === LevelChange.Dropped) this.dropped++;
    return undefined;
  }

  get bestBid(): number {
    return this.bids.price(0);
  }

  get bestAsk(): number {
    return this.asks.price(0);
  }

  /** Best bid at or above the best ask: impossible on a real venue, so a desynchronized copy. */
  crossed(): boolean {
    return this.bids.length > 0 && this.asks.length > 0 && this.bids.price(0) >= this.asks.price(0);
  }

  /** The best `n` levels of each side, best first. */
  top(n: number): { bids: [number, number][]; asks: [number, number][] } {
    return { bids: this.bids.top(n), asks: this.asks.top(n) };
  }

  /** Mid of the best bid and ask, NaN when a side is empty. */
  mid(): number {
    return (this.bids.price(0) + this.asks.price(0)) / 2;
  }

  /**
   * The size-weighted mid of the touch (Stoikov's "weighted mid"): the bid weighted by the ask's
   * size and vice versa, so a thin offer pulls the fair value toward the ask. NaN when a side is
   * empty or both touch sizes are zero.
   */
  microprice(): number {
    const b = this.bids.price(0);
    const a = this.asks.price(0);
    const qb = this.bids.size(0);
    const qa = this.asks.size(0);
    const q = qb + qa;
    if (!(q > 0)) return Number.NaN;
    return (b * qa + a * qb) / q;
  }
}
