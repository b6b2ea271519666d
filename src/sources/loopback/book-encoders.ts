/**
 * The server side of the venue book channels: a book's snapshot and changes as each venue would
 * send them (sequence numbers, Kraken's checksum over the server's own copy), with faults on
 * request — a message lost on the way (the server's book moves on, the client never hears of it),
 * a corrupted checksum (Kraken), a message out of order (Bitstamp, which numbers nothing). For the
 * local venue servers and the tests that drive the book codecs end to end. Pure: no sockets.
 */
import type { BookLevel } from '../../core/events.ts';
import type { InstrumentId } from '../../core/instrument.ts';
import { OrderBook } from '../../stream/book.ts';
import type { BinanceDepthSnapshot, BinanceDepthUpdate } from '../venues/binance/messages.ts';
import { BINANCE_SYMBOL_STYLE } from '../venues/binance/messages.ts';
import type { BitstampBook, BitstampRestBook } from '../venues/bitstamp/messages.ts';
import { BITSTAMP_SYMBOL_STYLE } from '../venues/bitstamp/messages.ts';
import type { CoinbaseL2Data, CoinbaseL2Update } from '../venues/coinbase/messages.ts';
import { writeJson } from '../venues/json-frame.ts';
import { KRAKEN_PRECISION, krakenChecksum } from '../venues/kraken/book.ts';
import type { KrakenBook, KrakenInstrument } from '../venues/kraken/messages.ts';
import { KRAKEN_SYMBOL_STYLE } from '../venues/kraken/messages.ts';
import type { OkxBookData, OkxLevel, OkxPush } from '../venues/okx/messages.ts';
import { spellSymbol } from '../venues/symbol-style.ts';

export type BookFault = 'lost' | 'bad_checksum' | 'out_of_order';

export interface BookFrameEncoder {
  readonly venue: string;
  /** Frames (or, for Binance and Bitstamp, the REST body) that give a client the whole book. */
  snapshot(symbol: InstrumentId, bids: readonly BookLevel[], asks: readonly BookLevel[], ts: number): string[];
  /** Frames for one update (absolute sizes, 0 removes), or none when `fault` is `lost`. */
  delta(symbol: InstrumentId, bids: readonly BookLevel[], asks: readonly BookLevel[], ts: number, fault?: BookFault): string[];
  /** The faults this venue's protocol lets a client see. */
  readonly detectable: readonly BookFault[];
}

/** Decimal strings as the venues send them (8 places: every simulated or test price and size fits exactly). */
const str = (l: readonly BookLevel[], pd: number, qd: number): [string, string][] => l.map(([p, s]) => [p.toFixed(pd), s.toFixed(qd)]);

/** The server's copy of each book, for checksums and for snapshots after changes. */
class ServerBooks {
  private readonly books = new Map<string, OrderBook>();
  constructor(private readonly depth: number) {}
  reset(symbol: string, bids: readonly BookLevel[], asks: readonly BookLevel[]): OrderBook {
    const b = new OrderBook(this.depth);
    this.apply(b, bids, asks);
    this.books.set(symbol, b);
    return b;
  }
  get(symbol: string): OrderBook {
    return this.books.get(symbol) ?? this.reset(symbol, [], []);
  }
  apply(b: OrderBook, bids: readonly BookLevel[], asks: readonly BookLevel[]): void {
    for (const [p, s] of bids) b.set(true, p, s);
    for (const [p, s] of asks) b.set(false, p, s);
  }
}

export class BinanceBookEncoder implements BookFrameEncoder {
  readonly venue = 'binance';
  readonly detectable: readonly BookFault[] = ['lost'];
  private id = 1000;
  constructor(private readonly decimals = { price: 8, qty: 8 }) {}
  snapshot(symbol: InstrumentId, bids: readonly BookLevel[], asks: readonly BookLevel[]): string[] {
    const { price, qty } = this.decimals;
    return [
      writeJson<BinanceDepthSnapshot>({
        lastUpdateId: this.id,
        symbol: spellSymbol(symbol, BINANCE_SYMBOL_STYLE),
        bids: str(bids, price, qty),
        asks: str(asks, price, qty),
      }),
    ];
  }
  delta(symbol: InstrumentId, bids: readonly BookLevel[], asks: readonly BookLevel[], ts: number, fault?: BookFault): string[] {
    // Each event covers a few update ids, as Binance's 100 ms batches do.
    const first = this.id + 1;
    this.id += 3;
    if (fault === 'lost') return [];
    const { price, qty } = this.decimals;
    return [
      writeJson<BinanceDepthUpdate>({
        e: 'depthUpdate',
        E: ts,
        s: spellSymbol(symbol, BINANCE_SYMBOL_STYLE),
        U: first,
        u: this.id,
        b: str(bids, price, qty),
        a: str(asks, price, qty),
      }),
    ];
  }
}

export class KrakenBookEncoder implements BookFrameEncoder {
  readonly venue = 'kraken';
  readonly detectable: readonly BookFault[] = ['lost', 'bad_checksum'];
  /** The server's whole book; a client sees its top `depth` levels. */
  private readonly books = new ServerBooks(1000);
  /** `precision`: decimals of prices and quantities (default: the built-in table's, else 1 and 8). */
  constructor(
    private readonly depth = 10,
    private readonly precision?: { price: number; qty: number },
  ) {}
  /** Kraken's `instrument` snapshot for a pair: how a client learns the precision of the checksum. */
  instrumentFrame(symbol: InstrumentId): string {
    const pair = spellSymbol(symbol, KRAKEN_SYMBOL_STYLE);
    const p = this.precision ?? KRAKEN_PRECISION[pair] ?? { price: 1, qty: 8 };
    return writeJson<KrakenInstrument>({
      channel: 'instrument',
      type: 'snapshot',
      data: { assets: [], pairs: [{ symbol: pair, price_precision: p.price, qty_precision: p.qty }] },
    });
  }
  private frame(
    type: KrakenBook['type'],
    symbol: InstrumentId,
    b: OrderBook,
    bids: readonly BookLevel[],
    asks: readonly BookLevel[],
    ts: number,
    bad: boolean,
  ): string {
    const pair = spellSymbol(symbol, KRAKEN_SYMBOL_STYLE);
    const p = this.precision ?? KRAKEN_PRECISION[pair] ?? { price: 1, qty: 8 };
    const checksum = krakenChecksum(b.bids, b.asks, p.price, p.qty);
    const lv = (l: readonly BookLevel[]) =>
      l.map(([price, qty]) => ({ price: Number(price.toFixed(p.price)), qty: Number(qty.toFixed(p.qty)) }));
    return writeJson<KrakenBook>({
      channel: 'book',
      type,
      data: [
        {
          symbol: pair,
          bids: lv(bids),
          asks: lv(asks),
          checksum: bad ? (checksum ^ 1) >>> 0 : checksum,
          timestamp: new Date(ts).toISOString(),
        },
      ],
    });
  }
  snapshot(symbol: InstrumentId, bids: readonly BookLevel[], asks: readonly BookLevel[], ts: number): string[] {
    const b = this.books.reset(symbol, bids, asks);
    const t = b.top(this.depth);
    return [this.frame('snapshot', symbol, b, t.bids, t.asks, ts, false)];
  }
  /**
   * What a depth-limited subscriber is told: changes within the top `depth` after the update,
   * levels coming into scope, and deletes of levels it held; a level merely pushed out of scope
   * is not mentioned (the client truncates), as Kraken's guide describes.
   */
  delta(symbol: InstrumentId, bids: readonly BookLevel[], asks: readonly BookLevel[], ts: number, fault?: BookFault): string[] {
    const b = this.books.get(symbol);
    const before = b.top(this.depth);
    this.books.apply(b, bids, asks);
    const after = b.top(this.depth);
    const seen = (prev: BookLevel[], next: BookLevel[], isBid: boolean): BookLevel[] => {
      const was = new Map(prev);
      const out: BookLevel[] = next.filter(([px, sz]) => was.get(px) !== sz);
      const now = new Set(next.map((l) => l[0]));
      for (const [px] of prev) if (!now.has(px) && (isBid ? b.bids : b.asks).sizeAt(px) === 0) out.push([px, 0]);
      return out;
    };
    if (fault === 'lost') return [];
    return [
      this.frame(
        'update',
        symbol,
        b,
        seen(before.bids, after.bids, true),
        seen(before.asks, after.asks, false),
        ts,
        fault === 'bad_checksum',
      ),
    ];
  }
}

export class OkxBookEncoder implements BookFrameEncoder {
  readonly venue = 'okx';
  readonly detectable: readonly BookFault[] = ['lost'];
  private seq = 5000;
  private frame(
    action: OkxPush<OkxBookData>['action'],
    symbol: InstrumentId,
    bids: readonly BookLevel[],
    asks: readonly BookLevel[],
    ts: number,
    prev: number,
  ): string {
    const l = (x: readonly BookLevel[]): OkxLevel[] => str(x, 8, 8).map(([p, s]) => [p, s, '0', '1']);
    return writeJson<OkxPush<OkxBookData>>({
      arg: { channel: 'books', instId: symbol },
      action,
      data: [{ asks: l(asks), bids: l(bids), ts: String(ts), checksum: 0, prevSeqId: prev, seqId: this.seq }],
    });
  }
  snapshot(symbol: InstrumentId, bids: readonly BookLevel[], asks: readonly BookLevel[], ts: number): string[] {
    this.seq += 7;
    return [this.frame('snapshot', symbol, bids, asks, ts, -1)];
  }
  delta(symbol: InstrumentId, bids: readonly BookLevel[], asks: readonly BookLevel[], ts: number, fault?: BookFault): string[] {
    const prev = this.seq;
    this.seq += 1 + (prev % 13); // OKX's steps are irregular; only the chain matters
    if (fault === 'lost') return [];
    return [this.frame('update', symbol, bids, asks, ts, prev)];
  }
}

export class CoinbaseBookEncoder implements BookFrameEncoder {
  readonly venue = 'coinbase';
  readonly detectable: readonly BookFault[] = ['lost'];
  private seq = 0;
  /**
   * `sequence`: the connection's message counter, when the book frames share it with the other
   * channels as on Coinbase (default: the encoder's own count).
   */
  constructor(private readonly sequence: () => number = () => this.seq++) {}
  private frame(
    type: 'snapshot' | 'update',
    symbol: InstrumentId,
    bids: readonly BookLevel[],
    asks: readonly BookLevel[],
    ts: number,
  ): string {
    const time = new Date(ts).toISOString();
    const updates: CoinbaseL2Update[] = [
      ...str(bids, 8, 8).map(([price_level, new_quantity]) => ({ side: 'bid' as const, event_time: time, price_level, new_quantity })),
      ...str(asks, 8, 8).map(([price_level, new_quantity]) => ({ side: 'offer' as const, event_time: time, price_level, new_quantity })),
    ];
    return writeJson<CoinbaseL2Data>({
      channel: 'l2_data',
      client_id: '',
      timestamp: time,
      sequence_num: this.sequence(),
      events: [{ type, product_id: symbol, updates }],
    });
  }
  snapshot(symbol: InstrumentId, bids: readonly BookLevel[], asks: readonly BookLevel[], ts: number): string[] {
    return [this.frame('snapshot', symbol, bids, asks, ts)];
  }
  delta(symbol: InstrumentId, bids: readonly BookLevel[], asks: readonly BookLevel[], ts: number, fault?: BookFault): string[] {
    if (fault === 'lost') {
      this.sequence();
      return [];
    }
    return [this.frame('update', symbol, bids, asks, ts)];
  }
}

export class BitstampBookEncoder implements BookFrameEncoder {
  readonly venue = 'bitstamp';
  // A lost diff is invisible on Bitstamp's channel: only a diff out of time order can be seen.
  readonly detectable: readonly BookFault[] = ['out_of_order'];
  private micros = 0;
  snapshot(symbol: InstrumentId, bids: readonly BookLevel[], asks: readonly BookLevel[], ts: number): string[] {
    this.micros = Math.max(this.micros + 1, ts * 1000);
    return [
      writeJson<BitstampRestBook>({
        pair: symbol,
        timestamp: String(Math.floor(ts / 1000)),
        microtimestamp: String(this.micros),
        bids: str(bids, 8, 8),
        asks: str(asks, 8, 8),
      }),
    ];
  }
  delta(symbol: InstrumentId, bids: readonly BookLevel[], asks: readonly BookLevel[], ts: number, fault?: BookFault): string[] {
    this.micros = Math.max(this.micros + 1, ts * 1000);
    if (fault === 'lost') return [];
    const micros = fault === 'out_of_order' ? this.micros - 500_000 : this.micros;
    const channel = `diff_order_book_${spellSymbol(symbol, BITSTAMP_SYMBOL_STYLE)}`;
    return [
      writeJson<BitstampBook>({
        event: 'data',
        channel,
        data: { timestamp: String(Math.floor(micros / 1e6)), microtimestamp: String(micros), bids: str(bids, 8, 8), asks: str(asks, 8, 8) },
      }),
    ];
  }
}

export const BOOK_ENCODERS: Record<string, () => BookFrameEncoder> = {
  binance: () => new BinanceBookEncoder(),
  kraken: () => new KrakenBookEncoder(),
  okx: () => new OkxBookEncoder(),
  coinbase: () => new CoinbaseBookEncoder(),
  bitstamp: () => new BitstampBookEncoder(),
};
