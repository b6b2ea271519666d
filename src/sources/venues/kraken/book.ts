/**
 * Kraken WebSocket v2 `book` channel, validated as Kraken documents it ("Book checksum
 * (WebSocket v2)", docs.kraken.com): every snapshot and update carries a CRC32 over the top 10
 * levels of the book after the whole message is applied and the book truncated to the subscribed
 * depth (Kraken sends no deletes for levels that fall out of scope). The checksum string is, for
 * the 10 best asks (low to high) then the 10 best bids (high to low), each price and quantity
 * printed at the pair's precision with the point and leading zeros removed. The wire carries
 * JSON numbers, so the precision (trailing zeros count) comes from the `instrument` channel when
 * the stream has it, else from the table below. A mismatch: the book is cleared, a `checksum`
 * gap emitted, and the book is rebuilt from the next snapshot (live: unsubscribe + subscribe).
 */
import type { BookEvent, BookLevel } from '../../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../../core/instrument.ts';
import type { BookSide } from '../../../stream/book.ts';
import { type BookCodec, type BookCodecOptions, dataOutcome, type SymbolBook, toNum, VenueBookCodec } from '../books/book-state.ts';
import { crc32 } from '../books/crc32.ts';
import { readJsonObject, writeJson } from '../json-frame.ts';
import type { FrameOutcome } from '../protocol.ts';
import { isoToMs, SymbolMap } from '../protocol.ts';
import { spellSymbol } from '../symbol-style.ts';
import { KRAKEN_SYMBOL_STYLE, type KrakenBook, type KrakenInstrument, type KrakenMethodAck, type KrakenMethodCall } from './messages.ts';

/**
 * Price and quantity precision (decimals) of the pairs the project lists, as Kraken's
 * `instrument` channel gives them: BTC/USD 1 and 8 is the documented checksum example's pair.
 */
export const KRAKEN_PRECISION: Readonly<Record<string, { price: number; qty: number }>> = {
  'BTC/USD': { price: 1, qty: 8 },
  'ETH/USD': { price: 2, qty: 8 },
  'SOL/USD': { price: 2, qty: 8 },
  'BTC/EUR': { price: 1, qty: 8 },
  'ETH/EUR': { price: 2, qty: 8 },
};

/** Depths Kraken's `book` subscription accepts. */
const DEPTHS = [10, 25, 100, 500, 1000];

/** One token of the checksum string: fixed at `decimals`, point and leading zeros removed. */
export function checksumToken(x: number, decimals: number): string {
  const s = x.toFixed(decimals).replace('.', '');
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  return s.slice(i);
}

/** Kraken's v2 book checksum over the 10 best levels of each side. */
export function krakenChecksum(bids: BookSide, asks: BookSide, priceDecimals: number, qtyDecimals: number): number {
  let s = '';
  for (let i = 0; i < 10 && i < asks.length; i++)
    s += checksumToken(asks.price(i), priceDecimals) + checksumToken(asks.size(i), qtyDecimals);
  for (let i = 0; i < 10 && i < bids.length; i++)
    s += checksumToken(bids.price(i), priceDecimals) + checksumToken(bids.size(i), qtyDecimals);
  return crc32(s);
}

/** The price and quantity decimals under which the book's top 10 has this checksum, if any. */
function learnPrecision(b: SymbolBook, expected: number): { price: number; qty: number } | undefined {
  for (let price = 0; price <= 10; price++)
    for (let qty = 0; qty <= 10; qty++) if (krakenChecksum(b.book.bids, b.book.asks, price, qty) === expected) return { price, qty };
  return undefined;
}

/** Kraken v2 level objects ({price, qty}) as numeric levels; undefined when not an array of objects. */
function objectLevels(v: unknown): BookLevel[] | undefined {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return undefined;
  const out: BookLevel[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const l = v[i] as { price?: unknown; qty?: unknown } | null;
    if (l === null || typeof l !== 'object') return undefined;
    out[i] = [toNum(l.price), toNum(l.qty)];
  }
  return out;
}

export class KrakenBookCodec extends VenueBookCodec implements BookCodec {
  private readonly symbols = new SymbolMap(canonicalInstrument);
  /** Precision learnt from the `instrument` channel, by Kraken symbol. */
  private readonly precision = new Map<string, { price: number; qty: number }>();
  /** Precision found from a snapshot's checksum, for pairs the instrument channel has not described. */
  private readonly learned = new Map<string, { price: number; qty: number }>();
  /** Subscribed depth by Kraken symbol (from the subscribe acknowledgement, or the snapshot's size). */
  private readonly depth = new Map<string, number>();
  /** Checks skipped because the pair's precision is unknown. */
  unchecked = 0;
  private reqId = 1;

  constructor(
    opts: BookCodecOptions = {},
    private readonly subscribeDepth = 10,
  ) {
    super('kraken', opts);
  }

  subscribeFrames(symbols: readonly InstrumentId[]): string[] {
    const symbol = symbols.map((s) => spellSymbol(s, KRAKEN_SYMBOL_STYLE));
    return [
      writeJson<KrakenMethodCall>({ method: 'subscribe', params: { channel: 'instrument', snapshot: true }, req_id: this.reqId++ }),
      writeJson<KrakenMethodCall>({
        method: 'subscribe',
        params: { channel: 'book', symbol, depth: this.subscribeDepth, snapshot: true },
        req_id: this.reqId++,
      }),
    ];
  }

  /** Kraken's resync: unsubscribe and subscribe again, which sends a fresh snapshot. */
  resyncFrames(symbol: InstrumentId): string[] {
    const s = [spellSymbol(symbol, KRAKEN_SYMBOL_STYLE)];
    return [
      writeJson<KrakenMethodCall>({
        method: 'unsubscribe',
        params: { channel: 'book', symbol: s, depth: this.subscribeDepth },
        req_id: this.reqId++,
      }),
      writeJson<KrakenMethodCall>({
        method: 'subscribe',
        params: { channel: 'book', symbol: s, depth: this.subscribeDepth, snapshot: true },
        req_id: this.reqId++,
      }),
    ];
  }

  protected parseFrame(frame: string, recvTs: number, out: BookEvent[]): FrameOutcome {
    const m = readJsonObject<KrakenBook | KrakenInstrument | KrakenMethodAck>(frame);
    if (typeof m === 'string') return { kind: 'ignored', reason: m };
    if (m.method === 'subscribe' && m.success === true) {
      const r = m.result as { channel?: unknown; depth?: unknown; symbol?: unknown } | undefined;
      if (r?.channel === 'book' && typeof r.symbol === 'string' && typeof r.depth === 'number') {
        this.depth.set(r.symbol, r.depth);
        return { kind: 'subscribed' };
      }
      return { kind: 'ignored', reason: 'not a book subscription' };
    }
    if (m.channel === 'instrument') return this.instrument(m.data);
    if (m.channel !== 'book') return { kind: 'ignored', reason: `channel ${String(m.channel)}` };
    if (m.type !== 'snapshot' && m.type !== 'update') return this.error(`book: type ${String(m.type)}`);
    if (!Array.isArray(m.data)) return this.error('book: no data');
    const start = out.length;
    for (const d of m.data as Record<string, unknown>[]) {
      if (d === null || typeof d !== 'object' || typeof d.symbol !== 'string') return this.error('book: no symbol');
      const bids = objectLevels(d.bids);
      const asks = objectLevels(d.asks);
      if (bids === undefined || asks === undefined) return this.error('book: bids/asks not lists of levels');
      const checksum = typeof d.checksum === 'number' ? d.checksum : Number.NaN;
      const ts = isoToMs(d.timestamp);
      const b = this.books.get(this.symbols.get(d.symbol));
      if (m.type === 'snapshot') {
        let depth = this.depth.get(d.symbol);
        if (depth === undefined) {
          // No acknowledgement seen: the snapshot is as deep as the subscription (or the whole book).
          const n = Math.max(bids.length, asks.length);
          depth = DEPTHS.find((x) => x >= n) ?? 1000;
          this.depth.set(d.symbol, depth);
        }
        if (!this.books.snapshot(b, bids, asks, ts, recvTs, out, depth)) continue;
      } else {
        if (!b.live) {
          this.books.counts.skipped++;
          continue;
        }
        if (!this.books.update(b, bids, asks, ts, recvTs, out, this.depth.get(d.symbol))) continue;
      }
      if (!this.verify(b, d.symbol, checksum, m.type === 'snapshot', ts, recvTs, out)) continue;
      this.books.view(b, ts, recvTs, out);
    }
    return dataOutcome(out.length - start);
  }

  /** Compares the venue's checksum with the local book's; on a mismatch the book resyncs. */
  private verify(
    b: SymbolBook,
    symbol: string,
    expected: number,
    snapshot: boolean,
    ts: number | null,
    recvTs: number,
    out: BookEvent[],
  ): boolean {
    if (Number.isNaN(expected)) {
      this.unchecked++;
      return true;
    }
    const announced = this.precision.get(symbol);
    const p = announced ?? this.learned.get(symbol) ?? KRAKEN_PRECISION[symbol];
    if (p !== undefined && krakenChecksum(b.book.bids, b.book.asks, p.price, p.qty) === expected >>> 0) return true;
    if (snapshot && announced === undefined) {
      // No instrument message for this pair (or the table is out of date): the precision that
      // reproduces the snapshot's checksum is the pair's. A wrong pair matching by chance is a
      // 1-in-4-billion event per candidate, so this does not weaken the check that follows.
      const found = learnPrecision(b, expected >>> 0);
      if (found !== undefined) {
        this.learned.set(symbol, found);
        return true;
      }
    }
    if (p === undefined) {
      this.unchecked++;
      return true;
    }
    const local = krakenChecksum(b.book.bids, b.book.asks, p.price, p.qty);
    this.books.gap(b, 'checksum', expected, local, `checksum ${expected} from kraken, ${local} over the local top 10`, ts, recvTs, out);
    return false;
  }

  private instrument(data: unknown): FrameOutcome {
    const pairs = (data as { pairs?: unknown } | null)?.pairs;
    if (!Array.isArray(pairs)) return { kind: 'ignored', reason: 'instrument: no pairs' };
    for (const p of pairs as Record<string, unknown>[]) {
      if (p && typeof p.symbol === 'string' && Number.isInteger(p.price_precision) && Number.isInteger(p.qty_precision))
        this.precision.set(p.symbol, { price: p.price_precision as number, qty: p.qty_precision as number });
    }
    return { kind: 'ignored', reason: 'instrument (precision noted)' };
  }

  private error(message: string): FrameOutcome {
    this.books.counts.errors++;
    return { kind: 'error', message };
  }
}
