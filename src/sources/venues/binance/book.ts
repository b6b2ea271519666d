/**
 * Binance spot diff depth (`<symbol>@depth@100ms`), kept as Binance documents it ("How to manage
 * a local order book correctly"): buffer the diff events, take a REST snapshot
 * (`GET /api/v3/depth?symbol=…&limit=5000` → `{lastUpdateId, bids, asks}`), drop buffered events
 * with `u` <= `lastUpdateId`, then apply the rest in order. An event with `u` at or below the
 * book's update id is old (ignored); one whose first id `U` is beyond the book's id + 1 means an
 * event was missed: the book is discarded (a `sequence` gap) and rebuilt from the next snapshot,
 * with the events since buffered again. Quantities are absolute; 0 removes a level, and a delete
 * of a level the book does not hold "can happen and is normal" (counted, not a resync). On the
 * futures streams, whose ids are not consecutive, each event's `pu` must be the last applied `u`.
 *
 * Recorded files interleave the REST snapshot body with the stream frames. The body names no
 * symbol, so it applies to the one book waiting for a snapshot; a `symbol` (or `s`) field on it,
 * which this codec accepts as an extension, says which when several wait.
 */
import type { BookEvent, BookLevel } from '../../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../../core/instrument.ts';
import {
  type BookCodec,
  type BookCodecOptions,
  dataOutcome,
  PendingDiffs,
  pairLevels,
  type SymbolBook,
  VenueBookCodec,
} from '../books/book-state.ts';
import { readJsonObject, writeJson } from '../json-frame.ts';
import type { FrameOutcome } from '../protocol.ts';
import { SymbolMap } from '../protocol.ts';
import { spellSymbol } from '../symbol-style.ts';
import {
  BINANCE_SYMBOL_STYLE,
  type BinanceCombined,
  type BinanceDepthSnapshot,
  type BinanceDepthUpdate,
  type BinanceMethodCall,
} from './messages.ts';

interface DiffEvent {
  /** Futures streams name the previous event's last id (`pu`); spot streams do not (NaN). */
  prevLast: number;
  first: number;
  last: number;
  ts: number | null;
  recvTs: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

export class BinanceBookCodec extends VenueBookCodec implements BookCodec {
  private readonly symbols = new SymbolMap(canonicalInstrument);
  /** Diff events held while a snapshot is awaited (at most 1,000 a symbol: a snapshot comes well before). */
  readonly pending = new PendingDiffs<DiffEvent>(1000);
  private nextId = 1;

  constructor(opts: BookCodecOptions = {}) {
    super('binance', opts);
  }

  subscribeFrames(symbols: readonly InstrumentId[]): string[] {
    const params = symbols.map((s) => `${spellSymbol(s, BINANCE_SYMBOL_STYLE).toLowerCase()}@depth@100ms`);
    return [writeJson<BinanceMethodCall>({ method: 'SUBSCRIBE', params, id: this.nextId++ })];
  }

  /** The REST snapshot a book needs (Binance's resync is a new snapshot; the stream goes on). */
  snapshotUrl(symbol: InstrumentId, limit = 5000): string {
    return `https://api.binance.com/api/v3/depth?symbol=${spellSymbol(symbol, BINANCE_SYMBOL_STYLE)}&limit=${limit}`;
  }

  /** Symbols whose book waits for a REST snapshot. */
  awaitingSnapshot(): InstrumentId[] {
    return [...this.pending.symbols()].filter((s) => !this.isLive(s));
  }

  protected parseFrame(frame: string, recvTs: number, out: BookEvent[]): FrameOutcome {
    const read = readJsonObject<BinanceDepthUpdate | BinanceDepthSnapshot | BinanceCombined>(frame);
    if (typeof read === 'string') return { kind: 'ignored', reason: read };
    const m = read as Record<string, unknown>;
    const d = (typeof m.stream === 'string' && m.data && typeof m.data === 'object' ? m.data : m) as Record<string, unknown>;
    if ('lastUpdateId' in d) return this.snapshot(d, recvTs, out);
    if (d.e !== 'depthUpdate') return { kind: 'ignored', reason: `event ${String(d.e)}` };
    const first = d.U;
    const last = d.u;
    if (typeof d.s !== 'string' || !Number.isInteger(first) || !Number.isInteger(last) || (last as number) < (first as number))
      return this.error('depthUpdate: bad s/U/u');
    const bids = pairLevels(d.b);
    const asks = pairLevels(d.a);
    if (bids === undefined || asks === undefined) return this.error('depthUpdate: b/a not lists of [price, qty]');
    const ev: DiffEvent = {
      prevLast: Number.isInteger(d.pu) ? (d.pu as number) : Number.NaN,
      first: first as number,
      last: last as number,
      ts: typeof d.E === 'number' ? d.E : null,
      recvTs,
      bids,
      asks,
    };
    const b = this.books.get(this.symbols.get(d.s));
    if (!b.live) {
      this.pending.push(b.symbol, ev);
      return dataOutcome(0);
    }
    const start = out.length;
    this.apply(b, ev, out);
    return dataOutcome(out.length - start);
  }

  /** One event on a live book: old ones ignored, a missed one a gap. */
  private apply(b: SymbolBook, ev: DiffEvent, out: BookEvent[]): void {
    if (ev.last <= b.seq) {
      this.books.counts.skipped++;
      return;
    }
    // On a futures stream `pu` must be the last applied event's `u` (ids there are not consecutive);
    // the first event after a snapshot is exempt, its predecessor being inside the snapshot.
    const futuresGap = !Number.isNaN(ev.prevLast) && b.chained && ev.prevLast !== b.seq;
    if (futuresGap || ((Number.isNaN(ev.prevLast) || !b.chained) && ev.first > b.seq + 1)) {
      if (futuresGap)
        this.books.gap(b, 'sequence', b.seq, ev.prevLast, `pu ${ev.prevLast} is not the last applied u ${b.seq}`, ev.ts, ev.recvTs, out);
      else this.books.gap(b, 'sequence', b.seq + 1, ev.first, `update ids ${b.seq + 1}..${ev.first - 1} missed`, ev.ts, ev.recvTs, out);
      // The stream goes on: this event is the first of the next buffer.
      this.pending.push(b.symbol, ev);
      return;
    }
    if (!this.books.update(b, ev.bids, ev.asks, ev.ts, ev.recvTs, out)) return;
    b.seq = ev.last;
    b.chained = true;
    this.books.view(b, ev.ts, ev.recvTs, out);
  }

  private snapshot(d: Record<string, unknown>, recvTs: number, out: BookEvent[]): FrameOutcome {
    const id = d.lastUpdateId;
    const bids = pairLevels(d.bids);
    const asks = pairLevels(d.asks);
    if (!Number.isInteger(id) || bids === undefined || asks === undefined) return this.error('depth snapshot: bad lastUpdateId/bids/asks');
    const named = typeof d.symbol === 'string' ? d.symbol : typeof d.s === 'string' ? d.s : undefined;
    let symbol: InstrumentId | undefined;
    if (named !== undefined) symbol = this.symbols.get(named);
    else {
      const waiting = this.awaitingSnapshot();
      if (waiting.length !== 1)
        return this.error(
          waiting.length === 0
            ? 'depth snapshot with no symbol, and no book waiting for one'
            : `depth snapshot with no symbol, and ${waiting.length} books waiting (${waiting.join(', ')})`,
        );
      symbol = waiting[0] as InstrumentId;
    }
    const b = this.books.get(symbol);
    const start = out.length;
    const lastUpdateId = id as number;
    const buf = this.pending.take(symbol).filter((ev) => ev.last > lastUpdateId);
    const first = buf[0];
    if (first !== undefined && first.first > lastUpdateId + 1) {
      // Older than the buffered stream: the events between are in neither. Another snapshot is needed.
      this.books.gap(b, 'sequence', lastUpdateId + 1, first.first, 'snapshot older than the buffered events', null, recvTs, out);
      for (const ev of buf) this.pending.push(symbol, ev);
      return dataOutcome(out.length - start);
    }
    if (!this.books.snapshot(b, bids, asks, null, recvTs, out)) return dataOutcome(out.length - start);
    b.seq = lastUpdateId;
    b.chained = false;
    this.books.view(b, null, recvTs, out);
    for (const ev of buf) {
      if (!b.live) {
        this.pending.push(symbol, ev);
        continue;
      }
      this.apply(b, ev, out);
    }
    return dataOutcome(out.length - start);
  }

  private error(message: string): FrameOutcome {
    this.books.counts.errors++;
    return { kind: 'error', message };
  }
}
