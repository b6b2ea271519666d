/**
 * What every venue's book codec shares: one OrderBook per symbol, whether it is live (built from
 * a snapshot and every update since) or waiting for the next snapshot, the counters, and the
 * events out (snapshot, delta, the top-N view after each applied update, gaps). The venue files
 * decide what a message means and whether it is in sequence; this file applies it.
 */
import type { BookEvent, BookGapReason, BookLevel } from '../../../core/events.ts';
import type { InstrumentId } from '../../../core/instrument.ts';
import { OrderBook } from '../../../stream/book.ts';
import type { FrameOutcome } from '../protocol.ts';

export interface BookCodecOptions {
  /** Levels kept per side (memory bound), default 1000. */
  maxDepth?: number;
  /** Levels per side in each `book` view, default 10; 0 emits no views. */
  topN?: number;
  /** Emit `book_snapshot` / `book_delta` events too (default false: views and gaps only). */
  changes?: boolean;
}

/** A venue's L2 book codec: frames in, validated book events out. Never throws. */
export interface BookCodec {
  readonly venue: string;
  /** Frames that subscribe to the venue's book channel for these canonical symbols. */
  subscribeFrames(symbols: readonly InstrumentId[]): string[];
  /**
   * Parses one frame. Frames that are not book frames come back `ignored` (the caller may hand
   * them to the trade/quote codec); a malformed book frame is an `error` and leaves books as they were.
   */
  parse(frame: string, recvTs: number, out: BookEvent[]): FrameOutcome;
  /** The current book of a symbol (undefined before its first message). */
  book(symbol: InstrumentId): OrderBook | undefined;
  /** Whether the symbol's book is built and in sequence. */
  isLive(symbol: InstrumentId): boolean;
  readonly counts: BookCounts;
}

export interface BookCounts {
  snapshots: number;
  updates: number;
  gaps: Record<BookGapReason, number>;
  /** Malformed book frames (refused whole). */
  errors: number;
  /** Updates dropped while a book waited for its snapshot, or already contained in it. */
  skipped: number;
  /**
   * Levels set to 0 that the book did not hold. Counted, not resynced: Binance documents them as
   * normal, and a depth-capped copy legitimately lacks the far levels a venue may delete.
   */
  unknownDeletes: number;
}

export interface SymbolBook {
  readonly symbol: InstrumentId;
  readonly book: OrderBook;
  live: boolean;
  /** Venue sequence state (Binance u, OKX seqId, Bitstamp microtimestamp); NaN when unknown. */
  seq: number;
  /**
   * Whether an update has been applied since the snapshot (Binance futures' `pu` chaining starts
   * then; until then Bitstamp drops a late diff the snapshot contains instead of calling it out of order).
   */
  chained: boolean;
}

/** A parsed level list: [price, size] pairs as numbers (NaN where the venue sent something unreadable). */
export type Levels = readonly BookLevel[];

export class VenueBooks {
  private readonly books = new Map<InstrumentId, SymbolBook>();
  readonly counts: BookCounts = {
    snapshots: 0,
    updates: 0,
    gaps: { sequence: 0, checksum: 0, invalid: 0 },
    errors: 0,
    skipped: 0,
    unknownDeletes: 0,
  };
  private readonly maxDepth: number;
  private readonly topN: number;
  private readonly changes: boolean;

  constructor(
    readonly venue: string,
    opts: BookCodecOptions = {},
  ) {
    this.maxDepth = opts.maxDepth ?? 1000;
    this.topN = opts.topN ?? 10;
    this.changes = opts.changes ?? false;
  }

  get(symbol: InstrumentId): SymbolBook {
    let b = this.books.get(symbol);
    if (b === undefined) {
      b = { symbol, book: new OrderBook(this.maxDepth), live: false, seq: Number.NaN, chained: false };
      this.books.set(symbol, b);
    }
    return b;
  }

  peek(symbol: InstrumentId): SymbolBook | undefined {
    return this.books.get(symbol);
  }

  all(): IterableIterator<SymbolBook> {
    return this.books.values();
  }

  /**
   * Replaces the book with a snapshot and marks it live. Returns false (after a gap event) when
   * the snapshot itself is invalid. `truncate` trims to a venue's subscribed depth (Kraken).
   */
  snapshot(b: SymbolBook, bids: Levels, asks: Levels, ts: number | null, recvTs: number, out: BookEvent[], truncate?: number): boolean {
    b.book.clear();
    b.live = true;
    const problem = this.setAll(b, bids, asks);
    if (problem !== undefined) {
      this.gap(b, 'invalid', null, null, `snapshot: ${problem}`, ts, recvTs, out);
      return false;
    }
    if (truncate !== undefined) {
      b.book.bids.truncate(truncate);
      b.book.asks.truncate(truncate);
    }
    if (b.book.crossed()) {
      this.gap(b, 'invalid', null, null, `snapshot crossed: bid ${b.book.bestBid} >= ask ${b.book.bestAsk}`, ts, recvTs, out);
      return false;
    }
    this.counts.snapshots++;
    if (this.changes) {
      const all = b.book.top(this.maxDepth);
      out.push({ type: 'book_snapshot', venue: this.venue, symbol: b.symbol, ts, recvTs, bids: all.bids, asks: all.asks });
    }
    return true;
  }

  /**
   * Applies one update's levels to a live book. Returns false (after a gap event, the book
   * cleared) when a level is unreadable or the book ends crossed; the caller then checks its
   * checksum, if the venue has one, and calls `view`.
   */
  update(b: SymbolBook, bids: Levels, asks: Levels, ts: number | null, recvTs: number, out: BookEvent[], truncate?: number): boolean {
    const unknownBefore = b.book.unknownDeletes;
    const problem = this.setAll(b, bids, asks);
    this.counts.unknownDeletes += b.book.unknownDeletes - unknownBefore;
    if (problem !== undefined) {
      this.gap(b, 'invalid', null, null, problem, ts, recvTs, out);
      return false;
    }
    if (truncate !== undefined) {
      b.book.bids.truncate(truncate);
      b.book.asks.truncate(truncate);
    }
    if (b.book.crossed()) {
      this.gap(b, 'invalid', null, null, `crossed: bid ${b.book.bestBid} >= ask ${b.book.bestAsk}`, ts, recvTs, out);
      return false;
    }
    this.counts.updates++;
    if (this.changes)
      out.push({ type: 'book_delta', venue: this.venue, symbol: b.symbol, ts, recvTs, bids: bids.map(copy), asks: asks.map(copy) });
    return true;
  }

  /** The top-N view of a book after an applied update. */
  view(b: SymbolBook, ts: number | null, recvTs: number, out: BookEvent[]): void {
    if (this.topN <= 0) return;
    const t = b.book.top(this.topN);
    out.push({ type: 'book', venue: this.venue, symbol: b.symbol, ts, recvTs, bids: t.bids, asks: t.asks });
  }

  /** The book is out of sync: counted, cleared, not live until the next snapshot. */
  gap(
    b: SymbolBook,
    reason: BookGapReason,
    expected: number | null,
    received: number | null,
    detail: string,
    ts: number | null,
    recvTs: number,
    out: BookEvent[],
  ): void {
    this.counts.gaps[reason]++;
    b.book.clear();
    b.live = false;
    b.seq = Number.NaN;
    out.push({ type: 'book_gap', venue: this.venue, symbol: b.symbol, ts, recvTs, reason, expected, received, detail });
  }

  private setAll(b: SymbolBook, bids: Levels, asks: Levels): string | undefined {
    for (const [p, s] of bids) {
      const problem = b.book.set(true, p, s);
      if (problem !== undefined) return `bid level ${p} ${s}: bad ${problem}`;
    }
    for (const [p, s] of asks) {
      const problem = b.book.set(false, p, s);
      if (problem !== undefined) return `ask level ${p} ${s}: bad ${problem}`;
    }
    return undefined;
  }
}

function copy(l: BookLevel): BookLevel {
  return [l[0], l[1]];
}

/** [["price","size",...], ...] (Binance, OKX, Bitstamp) as numeric levels; undefined when not an array of arrays. */
export function pairLevels(v: unknown): BookLevel[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: BookLevel[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const l = v[i] as unknown;
    if (!Array.isArray(l) || l.length < 2) return undefined;
    out[i] = [toNum(l[0]), toNum(l[1])];
  }
  return out;
}

/** A venue's numeric field (string or number) as a number; NaN otherwise, which the book refuses as invalid. */
export function toNum(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return Number.NaN;
}

/** The outcome for a frame that produced `n` book events. */
export function dataOutcome(n: number): FrameOutcome {
  return { kind: 'data', count: n };
}

/**
 * The part every venue's book codec has in common: its books and counters, the per-symbol views,
 * and a parse that turns any exception in the venue's own frame handling into a counted error
 * outcome (nothing half-applied stays in `out`). The venue supplies `parseFrame`.
 */
export abstract class VenueBookCodec {
  protected readonly books: VenueBooks;

  constructor(
    readonly venue: string,
    opts: BookCodecOptions,
  ) {
    this.books = new VenueBooks(venue, opts);
  }

  get counts(): BookCounts {
    return this.books.counts;
  }

  book(symbol: InstrumentId): OrderBook | undefined {
    return this.books.peek(symbol)?.book;
  }

  isLive(symbol: InstrumentId): boolean {
    return this.books.peek(symbol)?.live ?? false;
  }

  parse(frame: string, recvTs: number, out: BookEvent[]): FrameOutcome {
    const start = out.length;
    try {
      return this.parseFrame(frame, recvTs, out);
    } catch (err) {
      out.length = start;
      this.books.counts.errors++;
      return { kind: 'error', message: `${this.venue} book: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  protected abstract parseFrame(frame: string, recvTs: number, out: BookEvent[]): FrameOutcome;
}

/**
 * Diff events held per symbol while its REST snapshot is awaited (Binance, Bitstamp): bounded,
 * the oldest dropped first and counted, so a snapshot that never comes cannot grow memory.
 */
export class PendingDiffs<T> {
  private readonly buffers = new Map<InstrumentId, T[]>();
  /** Events dropped because a buffer was full (the snapshot came too late for them). */
  overflow = 0;

  constructor(private readonly max: number) {}

  push(symbol: InstrumentId, ev: T): void {
    let buf = this.buffers.get(symbol);
    if (buf === undefined) {
      buf = [];
      this.buffers.set(symbol, buf);
    }
    if (buf.length >= this.max) {
      buf.shift();
      this.overflow++;
    }
    buf.push(ev);
  }

  /** The events held for a symbol, removed. */
  take(symbol: InstrumentId): T[] {
    const buf = this.buffers.get(symbol) ?? [];
    this.buffers.delete(symbol);
    return buf;
  }

  symbols(): IterableIterator<InstrumentId> {
    return this.buffers.keys();
  }
}
