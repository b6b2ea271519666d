/**
 * The book channels of a loopback venue server: each simulated venue's L2 book (SimulatedDepth
 * around its quotes) served in the venue's own protocol — Binance `<sym>@depth@100ms` diffs and
 * the REST depth snapshot, Coinbase `level2` (numbered with the connection's other messages),
 * Kraken v2 `book` with its CRC32 (and the `instrument` channel that gives the precision), Bitstamp
 * `diff_order_book_<pair>` and the REST order book, OKX `books` with `seqId`/`prevSeqId` — with
 * faults on request: a sequence gap (a lost diff; on Bitstamp, which numbers nothing, a diff out of
 * order) or a bad checksum (Kraken). Pure: the server owns the sockets and hands frames here.
 */
import type { BookLevel } from '../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../core/instrument.ts';
import type { Quote } from '../../core/market.ts';
import type { OrderBook } from '../../stream/book.ts';
import { SimulatedDepth } from '../simulator/depth.ts';
import {
  BinanceBookEncoder,
  BitstampBookEncoder,
  type BookFault,
  type BookFrameEncoder,
  CoinbaseBookEncoder,
  KrakenBookEncoder,
  OkxBookEncoder,
} from './book-encoders.ts';

/** `book_gap`: the next update of every book goes missing (Bitstamp: arrives out of order); `book_checksum`: Kraken's next checksum is wrong. */
export type BookMisbehaviour = 'book_gap' | 'book_checksum';

const BOOK_VENUES = new Set(['binance', 'coinbase', 'kraken', 'bitstamp', 'okx']);
/** Venues whose stream is the same for every client (a REST snapshot must agree with it). */
const SHARED_STREAM = new Set(['binance', 'bitstamp']);

export interface LoopbackBooksOptions {
  /** Decimals of a pair's prices (the simulator's quote grid); default 2. */
  decimals?: (pair: InstrumentId) => number;
  /** Levels per side of each simulated book (default 20). */
  levels?: number;
  seed?: number;
}

interface PairBook {
  readonly pair: InstrumentId;
  readonly depth: SimulatedDepth;
  /** Binance and Bitstamp: one stream for every client. */
  readonly shared: BookFrameEncoder | undefined;
  fault: BookFault | undefined;
  /** Bitstamp's fault: a diff held back, sent after the next one (out of order). */
  held: string[] | undefined;
  ts: number;
}

/** One book update, as every subscribed client gets it. */
export interface BookUpdate {
  pair: InstrumentId;
  bids: BookLevel[];
  asks: BookLevel[];
  ts: number;
  fault: BookFault | undefined;
  /** The frames, when the stream is the same for every client. */
  sharedFrames: string[] | undefined;
}

/** The books of one loopback venue (all its pairs), shared by its clients. */
export class LoopbackBooks {
  private readonly books = new Map<InstrumentId, PairBook>();
  private readonly levels: number;
  readonly stats = { updates: 0, faults: { book_gap: 0, book_checksum: 0 }, restSnapshots: 0 };

  constructor(
    readonly venue: string,
    private readonly opts: LoopbackBooksOptions = {},
  ) {
    if (!BOOK_VENUES.has(venue)) throw new RangeError(`no book channel for venue "${venue}"`);
    this.levels = opts.levels ?? 20;
  }

  static supports(venue: string): boolean {
    return BOOK_VENUES.has(venue);
  }

  decimals(pair: InstrumentId): number {
    return this.opts.decimals?.(pair) ?? 2;
  }

  /** The simulated (true) book of a pair, undefined before its first quote. */
  trueBook(pair: InstrumentId): OrderBook | undefined {
    const b = this.books.get(pair);
    return b && b.ts > 0 ? b.depth.book : undefined;
  }

  /** A client connection's view of these books. */
  client(nextSequence?: () => number): LoopbackBookClient {
    return new LoopbackBookClient(this, nextSequence);
  }

  private get(pair: InstrumentId): PairBook {
    let b = this.books.get(pair);
    if (b === undefined) {
      const seed = (this.opts.seed ?? 1) * 7919 + this.books.size * 104_729 + this.venue.length;
      b = {
        pair,
        depth: new SimulatedDepth({ levels: this.levels, decimals: this.decimals(pair), seed }),
        shared: SHARED_STREAM.has(this.venue)
          ? this.venue === 'binance'
            ? new BinanceBookEncoder()
            : new BitstampBookEncoder()
          : undefined,
        fault: undefined,
        held: undefined,
        ts: 0,
      };
      this.books.set(pair, b);
    }
    return b;
  }

  /** A quote moved the venue's touch: the book update every subscriber of the pair gets (undefined: no change). */
  onQuote(q: Pick<Quote, 'symbol' | 'bid' | 'ask' | 'bidSize' | 'askSize' | 'ts' | 'recvTs'>): BookUpdate | undefined {
    const b = this.get(q.symbol);
    const change = b.depth.onQuote(q);
    if (change.bids.length === 0 && change.asks.length === 0) return undefined;
    b.ts = q.ts ?? q.recvTs;
    const fault = b.fault;
    b.fault = undefined;
    this.stats.updates++;
    // A shared stream moves on whether or not anyone listens, so a REST snapshot always matches it.
    let sharedFrames: string[] | undefined;
    if (b.shared !== undefined) {
      if (fault === 'out_of_order') {
        // Delivered late, after the next diff: the client sees a diff older than the last it applied.
        b.held = b.shared.delta(b.pair, change.bids, change.asks, b.ts);
        sharedFrames = [];
      } else {
        sharedFrames = b.shared.delta(b.pair, change.bids, change.asks, b.ts, fault);
        if (b.held !== undefined) {
          sharedFrames.push(...b.held);
          b.held = undefined;
        }
      }
    }
    return { pair: b.pair, bids: change.bids, asks: change.asks, ts: b.ts, fault, sharedFrames };
  }

  /** Faults the next update of every book (returns false when the venue cannot show that fault). */
  misbehave(kind: BookMisbehaviour): boolean {
    if (kind === 'book_checksum' && this.venue !== 'kraken') return false;
    const fault: BookFault = kind === 'book_checksum' ? 'bad_checksum' : this.venue === 'bitstamp' ? 'out_of_order' : 'lost';
    for (const b of this.books.values()) b.fault = fault;
    this.stats.faults[kind]++;
    return true;
  }

  /**
   * A REST request (Binance `/api/v3/depth?symbol=`, Bitstamp `/api/v2/order_book/<pair>/`): the
   * whole book as of the last update sent, undefined for a path that is not a book snapshot.
   */
  restSnapshot(url: string): { status: number; body: string } | undefined {
    const u = new URL(url, 'http://loopback');
    let raw: string | undefined;
    if (this.venue === 'binance' && u.pathname === '/api/v3/depth') raw = u.searchParams.get('symbol') ?? '';
    else if (this.venue === 'bitstamp') raw = /^\/api\/v2\/order_book\/([a-z0-9]+)\/?$/.exec(u.pathname)?.[1];
    if (raw === undefined) return undefined;
    let pair: InstrumentId;
    try {
      pair = canonicalInstrument(raw);
    } catch {
      return { status: 400, body: JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }) };
    }
    const b = this.books.get(pair);
    if (!b || b.ts === 0 || !b.shared) return { status: 400, body: JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }) };
    this.stats.restSnapshots++;
    const top = b.depth.book.top(this.levels);
    return { status: 200, body: b.shared.snapshot(pair, top.bids, top.asks, b.ts)[0] as string };
  }

  /** The whole current book of a pair (for a snapshot to a new subscriber). */
  top(pair: InstrumentId): { bids: BookLevel[]; asks: BookLevel[]; ts: number } | undefined {
    const b = this.books.get(pair);
    if (!b || b.ts === 0) return undefined;
    return { ...b.depth.book.top(this.levels), ts: b.ts };
  }
}

/** One client connection's book subscriptions, and its own stream state where the venue has one per connection. */
export class LoopbackBookClient {
  private readonly subs = new Set<InstrumentId>();
  /** Kraken, OKX, Coinbase: an encoder per pair per connection, and whether its snapshot went out. */
  private readonly own = new Map<InstrumentId, { enc: BookFrameEncoder; started: boolean }>();
  /** Kraken: the client asked for the `instrument` channel (each pair's precision, sent with its book). */
  private wantsInstrument = false;

  constructor(
    private readonly books: LoopbackBooks,
    private readonly nextSequence: (() => number) | undefined,
  ) {}

  subscribed(pair: InstrumentId): boolean {
    return this.subs.has(pair);
  }

  /**
   * A client frame about books: the replies to send (acknowledgements, snapshots), or undefined
   * when the frame is not about books (the venue's trade/quote server answers it).
   */
  onClientFrame(text: string): string[] | undefined {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    if (m === null || typeof m !== 'object') return undefined;
    const req = bookRequest(this.books.venue, m, this.nextSequence);
    if (req === undefined) return undefined;
    const replies = [...req.replies];
    if (req.instrument !== undefined) {
      this.wantsInstrument = req.instrument;
      if (req.instrument) for (const pair of this.subs) replies.push(this.instrumentFrame(pair));
    }
    for (const pair of req.pairs) {
      if (req.op === 'unsubscribe') {
        this.subs.delete(pair);
        this.own.delete(pair);
        continue;
      }
      this.subs.add(pair);
      if (this.books.venue === 'binance' || this.books.venue === 'bitstamp') continue; // the client fetches the REST snapshot
      // A new subscription gets a fresh snapshot (the venue's resync is unsubscribe + subscribe).
      this.own.delete(pair);
      if (this.wantsInstrument) replies.push(this.instrumentFrame(pair));
      replies.push(...this.snapshot(pair));
    }
    return replies;
  }

  /** The frames of one update for this client (none when it is not subscribed to the pair). */
  frames(u: BookUpdate): string[] {
    if (!this.subs.has(u.pair)) return [];
    if (u.sharedFrames !== undefined) return u.sharedFrames;
    const own = this.own.get(u.pair);
    // Subscribed before the book existed: its first message is the snapshot.
    if (!own?.started) return this.snapshot(u.pair);
    return own.enc.delta(u.pair, u.bids, u.asks, u.ts, u.fault);
  }

  private snapshot(pair: InstrumentId): string[] {
    const top = this.books.top(pair);
    if (top === undefined) return [];
    const enc = this.encoder(pair);
    (this.own.get(pair) as { started: boolean }).started = true;
    return enc.snapshot(pair, top.bids, top.asks, top.ts);
  }

  /** Kraken's `instrument` snapshot for a pair: the precision its checksum is computed at. */
  private instrumentFrame(pair: InstrumentId): string {
    return new KrakenBookEncoder(10, { price: this.books.decimals(pair), qty: 8 }).instrumentFrame(pair);
  }

  private encoder(pair: InstrumentId): BookFrameEncoder {
    let own = this.own.get(pair);
    if (own === undefined) {
      const venue = this.books.venue;
      const enc =
        venue === 'kraken'
          ? new KrakenBookEncoder(10, { price: this.books.decimals(pair), qty: 8 })
          : venue === 'okx'
            ? new OkxBookEncoder()
            : new CoinbaseBookEncoder(this.nextSequence);
      own = { enc, started: false };
      this.own.set(pair, own);
    }
    return own.enc;
  }
}

interface BookRequest {
  op: 'subscribe' | 'unsubscribe';
  pairs: InstrumentId[];
  replies: string[];
  /** Kraken's `instrument` channel: the pairs' precisions follow. */
  instrument?: boolean;
}

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

/** A book (un)subscription as the venue spells it, with the venue's acknowledgement; undefined when the frame is about something else. */
function bookRequest(venue: string, m: Record<string, unknown>, nextSequence: (() => number) | undefined): BookRequest | undefined {
  switch (venue) {
    case 'binance': {
      const params = strings(m.params);
      if ((m.method !== 'SUBSCRIBE' && m.method !== 'UNSUBSCRIBE') || !params || params.length === 0) return undefined;
      if (!params.every((p) => /@depth(@100ms)?$/.test(p))) return undefined;
      return {
        op: m.method === 'SUBSCRIBE' ? 'subscribe' : 'unsubscribe',
        pairs: params.map((p) => canonicalInstrument(p.split('@')[0] as string)),
        replies: [JSON.stringify({ result: null, id: m.id ?? null })],
      };
    }
    case 'coinbase': {
      const ids = strings(m.product_ids);
      if ((m.type !== 'subscribe' && m.type !== 'unsubscribe') || m.channel !== 'level2' || !ids) return undefined;
      const ack = JSON.stringify({
        channel: 'subscriptions',
        client_id: '',
        timestamp: new Date().toISOString(),
        sequence_num: nextSequence?.() ?? 0,
        events: [{ subscriptions: { level2: ids } }],
      });
      return { op: m.type, pairs: ids.map(canonicalInstrument), replies: [ack] };
    }
    case 'kraken': {
      const params = m.params as Record<string, unknown> | undefined;
      if ((m.method !== 'subscribe' && m.method !== 'unsubscribe') || params === null || typeof params !== 'object') return undefined;
      if (params.channel === 'instrument') return { op: m.method, pairs: [], replies: [], instrument: m.method === 'subscribe' };
      const symbols = strings(params.symbol);
      if (params.channel !== 'book' || !symbols) return undefined;
      const depth = typeof params.depth === 'number' ? params.depth : 10;
      return {
        op: m.method,
        pairs: symbols.map(canonicalInstrument),
        replies: symbols.map((symbol) =>
          JSON.stringify({
            method: m.method,
            result: { channel: 'book', symbol, depth, snapshot: true },
            success: true,
            time_in: new Date().toISOString(),
            time_out: new Date().toISOString(),
            req_id: m.req_id ?? null,
          }),
        ),
      };
    }
    case 'bitstamp': {
      const data = m.data as Record<string, unknown> | undefined;
      const channel = data && typeof data === 'object' ? data.channel : undefined;
      if ((m.event !== 'bts:subscribe' && m.event !== 'bts:unsubscribe') || typeof channel !== 'string') return undefined;
      const pair = /^diff_order_book_([a-z0-9]+)$/.exec(channel)?.[1];
      if (pair === undefined) return undefined;
      const subscribe = m.event === 'bts:subscribe';
      return {
        op: subscribe ? 'subscribe' : 'unsubscribe',
        pairs: [canonicalInstrument(pair)],
        replies: [JSON.stringify({ event: subscribe ? 'bts:subscription_succeeded' : 'bts:unsubscription_succeeded', channel, data: {} })],
      };
    }
    case 'okx': {
      const args = m.args;
      if ((m.op !== 'subscribe' && m.op !== 'unsubscribe') || !Array.isArray(args) || args.length === 0) return undefined;
      const books = args as { channel?: unknown; instId?: unknown }[];
      if (!books.every((a) => a !== null && typeof a === 'object' && a.channel === 'books' && typeof a.instId === 'string'))
        return undefined;
      return {
        op: m.op,
        pairs: books.map((a) => canonicalInstrument(a.instId as string)),
        replies: books.map((a) => JSON.stringify({ event: m.op, arg: { channel: 'books', instId: a.instId }, connId: 'loopback' })),
      };
    }
    default:
      return undefined;
  }
}
