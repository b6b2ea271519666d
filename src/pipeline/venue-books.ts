/**
 * A venue connection that carries L2 books as well as trades and quotes: `BookingCodec` wraps the
 * venue's trade/quote codec and its book codec behind the one codec a VenueConnection drives.
 * Book frames go to the book codec, everything else to the trade codec (Coinbase numbers every
 * message of a connection, so there the trade codec sees the book frames too; Bitstamp's
 * `order_book_` top is the quote, not a book snapshot). A book found out of
 * sync is resynced the venue's way: Kraken, OKX and Coinbase by unsubscribing and subscribing
 * again (the venue sends a fresh snapshot), Binance and Bitstamp by fetching the REST snapshot
 * while the diffs are buffered. Each (re)connect starts with fresh books, as a new connection
 * starts a new stream. Gaps and completed resyncs are counted for the venue's health.
 */
import type { BookEvent, BookGapEvent, GapEvent } from '../core/events.ts';
import type { InstrumentId } from '../core/instrument.ts';
import type { MarketRecord } from '../core/market.ts';
import type { BookCodec } from '../sources/venues/books/index.ts';
import { OrderBook } from '../stream/book.ts';
import type { FrameOutcome, Subscription, VenueCodec } from '../stream/codec.ts';
import type { VenueBookRef } from './stages.ts';

/** Book codecs whose resync is a REST snapshot (Binance, Bitstamp). */
interface SnapshotResync {
  awaitingSnapshot(): InstrumentId[];
  snapshotUrl(symbol: InstrumentId): string;
}
/** Book codecs whose resync is unsubscribe + subscribe (Kraken, OKX, Coinbase). */
interface SubscribeResync {
  resyncFrames(symbol: InstrumentId): string[];
}

const hasSnapshotResync = (c: BookCodec): c is BookCodec & SnapshotResync =>
  typeof (c as Partial<SnapshotResync>).awaitingSnapshot === 'function' && typeof (c as Partial<SnapshotResync>).snapshotUrl === 'function';
const hasSubscribeResync = (c: BookCodec): c is BookCodec & SubscribeResync =>
  typeof (c as Partial<SubscribeResync>).resyncFrames === 'function';

export interface BookingCodecOptions {
  /** The venue pairs whose books to keep (canonical, as the venue lists them: BTC-USDT on Binance). */
  pairs: readonly InstrumentId[];
  /** A fresh book codec (one per connection: it holds that connection's books and sequence state). */
  books: () => BookCodec;
  /**
   * Where REST snapshots are fetched (`http://127.0.0.1:port` for a loopback server): replaces
   * the origin of the venue's snapshot URL. Default: the venue's own.
   */
  restOrigin?: string;
  /** Levels kept per side (default 1000). */
  maxDepth?: number;
  /** Wait before retrying a failed REST snapshot, ms (default 1000). */
  snapshotRetryMs?: number;
  /** Receipt clock for REST snapshots (the connection's own clock for frames). */
  clock?: () => number;
}

export interface BookListener {
  book(ref: VenueBookRef): void;
  gap(e: BookGapEvent): void;
  /** A REST snapshot could not be fetched (retried). */
  warn(message: string): void;
}

const EMPTY = new OrderBook(1);

/** A stable handle on one pair's book: it reads whatever book the current connection's codec holds. */
class PairBook implements VenueBookRef {
  constructor(
    private readonly owner: BookingCodec,
    readonly venue: string,
    readonly pair: InstrumentId,
  ) {}
  get book(): OrderBook {
    return this.owner.books.book(this.pair) ?? EMPTY;
  }
  live(): boolean {
    return this.owner.books.isLive(this.pair);
  }
}

export class BookingCodec implements VenueCodec {
  readonly venue: string;
  readonly url: string;
  readonly maxConnectionAgeMs?: number;
  readonly appPing?: VenueCodec['appPing'];
  readonly channels?: VenueCodec['channels'];
  /** The current connection's book codec. */
  books: BookCodec;
  readonly stats = { resyncs: 0, snapshotFetches: 0, snapshotFailures: 0, gaps: 0 };
  private readonly refs: PairBook[];
  private readonly events: BookEvent[] = [];
  private readonly outgoing: string[] = [];
  /** Pairs found out of sync whose fresh snapshot has not been applied yet. */
  private readonly resyncing = new Set<InstrumentId>();
  /** REST snapshots in flight or waiting to be retried. */
  private readonly fetching = new Set<InstrumentId>();
  /** Set while a REST-resynced book may be waiting for its snapshot (cleared once all are live). */
  private checkSnapshots = false;
  /** Bumped at each connect: answers to an older connection's requests are dropped. */
  private generation = 0;
  private listener: BookListener = { book() {}, gap() {}, warn() {} };
  private readonly sharesSequence: boolean;
  /**
   * Bitstamp's `order_book_<pair>` is the quote channel here (its top is the quote), and the
   * loopback server sends only that top: the book starts from the REST snapshot instead.
   */
  private readonly quoteOnly: string | undefined;
  private readonly clock: () => number;

  constructor(
    readonly inner: VenueCodec,
    private readonly opts: BookingCodecOptions,
  ) {
    this.venue = inner.venue;
    this.url = inner.url;
    if (inner.maxConnectionAgeMs !== undefined) this.maxConnectionAgeMs = inner.maxConnectionAgeMs;
    if (inner.appPing !== undefined) this.appPing = inner.appPing;
    if (inner.channels !== undefined) this.channels = inner.channels;
    this.books = opts.books();
    // Coinbase counts every message of the connection: its trade codec must see the book frames.
    this.sharesSequence = inner.venue === 'coinbase';
    this.quoteOnly = inner.venue === 'bitstamp' ? '"channel":"order_book_' : undefined;
    this.clock = opts.clock ?? Date.now;
    this.refs = opts.pairs.map((p) => new PairBook(this, this.venue, p));
  }

  /** Where book changes and gaps go (the pipeline's sink). */
  listen(listener: BookListener): void {
    this.listener = listener;
  }

  /** The handle of each pair's book. */
  bookRefs(): readonly VenueBookRef[] {
    return this.refs;
  }

  venueSymbol(symbol: InstrumentId): string {
    return this.inner.venueSymbol(symbol);
  }

  /** Called on every connect: a new connection starts new books (and REST snapshots again). */
  subscribeFrames(subs: readonly Subscription[]): string[] {
    this.generation++;
    this.books = this.opts.books();
    this.fetching.clear();
    this.resyncing.clear();
    this.outgoing.length = 0;
    this.checkSnapshots = hasSnapshotResync(this.books);
    for (const r of this.refs) this.listener.book(r);
    return [...this.inner.subscribeFrames(subs), ...(this.opts.pairs.length > 0 ? this.books.subscribeFrames(this.opts.pairs) : [])];
  }

  unsubscribeFrames(subs: readonly Subscription[]): string[] {
    return this.inner.unsubscribeFrames(subs);
  }

  takeOutgoing(): string[] | undefined {
    if (this.outgoing.length === 0) return undefined;
    return this.outgoing.splice(0);
  }

  parse(frame: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]): FrameOutcome {
    this.events.length = 0;
    if (this.quoteOnly !== undefined && frame.includes(this.quoteOnly)) return this.inner.parse(frame, recvTs, out, gaps);
    const bo = this.books.parse(frame, recvTs, this.events);
    let outcome = bo;
    if (bo.kind === 'ignored') outcome = this.inner.parse(frame, recvTs, out, gaps);
    else if (this.sharesSequence) {
      // The trade codec keeps its numbering; a frame with trades reports them.
      const io = this.inner.parse(frame, recvTs, out, gaps);
      if (io.kind === 'data' && io.count > 0) outcome = io;
    }
    if (bo.kind === 'data') this.afterBooks();
    return outcome;
  }

  /** After the book codec took a frame or a snapshot: report, resync what fell out of sync. */
  private afterBooks(): void {
    for (const e of this.events) {
      if (e.type !== 'book_gap') continue;
      this.stats.gaps++;
      this.resyncing.add(e.symbol);
      this.listener.gap(e);
      const books = this.books;
      if (hasSnapshotResync(books)) this.checkSnapshots = true;
      else if (hasSubscribeResync(books)) this.outgoing.push(...books.resyncFrames(e.symbol));
    }
    this.events.length = 0;
    // Every pair of the venue may have changed; the pipeline reads the books only when it publishes.
    for (const r of this.refs) this.listener.book(r);
    if (this.resyncing.size > 0)
      for (const s of this.resyncing)
        if (this.books.isLive(s)) {
          this.resyncing.delete(s);
          this.stats.resyncs++;
        }
    if (this.checkSnapshots) this.requestSnapshots();
  }

  private requestSnapshots(): void {
    const books = this.books;
    if (!hasSnapshotResync(books)) return;
    const waiting = books.awaitingSnapshot();
    if (waiting.length === 0 && this.opts.pairs.every((p) => books.isLive(p))) {
      this.checkSnapshots = false;
      return;
    }
    for (const s of waiting) if (!this.fetching.has(s)) void this.fetchSnapshot(books, s, this.generation);
  }

  private async fetchSnapshot(books: BookCodec & SnapshotResync, symbol: InstrumentId, generation: number): Promise<void> {
    this.fetching.add(symbol);
    let url = books.snapshotUrl(symbol);
    if (this.opts.restOrigin) {
      const u = new URL(url);
      url = `${this.opts.restOrigin}${u.pathname}${u.search}`;
    }
    this.stats.snapshotFetches++;
    let body: unknown;
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      body = await r.json();
    } catch (err) {
      this.stats.snapshotFailures++;
      if (generation !== this.generation) return;
      this.listener.warn(`${this.venue}: book snapshot ${url}: ${(err as Error).message}; retrying`);
      this.retryLater(symbol, generation);
      return;
    }
    if (generation !== this.generation) return;
    this.fetching.delete(symbol);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      this.stats.snapshotFailures++;
      this.listener.warn(`${this.venue}: book snapshot ${url}: not a JSON object; retrying`);
      this.retryLater(symbol, generation);
      return;
    }
    // The REST body names no pair: say which one it is for (the codecs accept a `symbol` field).
    this.events.length = 0;
    const outcome = this.books.parse(JSON.stringify({ ...body, symbol }), this.clock(), this.events);
    if (outcome.kind === 'error') {
      this.stats.snapshotFailures++;
      this.listener.warn(`${this.venue}: book snapshot ${url}: ${outcome.message}; retrying`);
      this.retryLater(symbol, generation);
      return;
    }
    this.afterBooks();
  }

  /** Asks for the symbol's snapshot again after a pause (never in a tight loop against a failing server). */
  private retryLater(symbol: InstrumentId, generation: number): void {
    this.fetching.add(symbol);
    setTimeout(() => {
      if (generation !== this.generation) return;
      this.fetching.delete(symbol);
      this.requestSnapshots();
    }, this.opts.snapshotRetryMs ?? 1000).unref();
  }
}
