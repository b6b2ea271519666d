/**
 * Bitstamp WebSocket v2 books. `diff_order_book_<pair>` sends the changed levels (absolute
 * amounts, 0 removes a level) with `microtimestamp`; the starting book is the REST snapshot
 * (`GET /api/v2/order_book/<pair>/` → `{timestamp, microtimestamp, bids, asks}`) or an
 * `order_book_<pair>` message (the top 100 levels, a whole book each time, applied as a snapshot).
 * Bitstamp numbers nothing, so sequencing is by time: diffs received before the snapshot are
 * buffered and those not newer than its `microtimestamp` dropped (the snapshot contains them), as
 * are such diffs received after it (the REST answer and the socket are not ordered: a diff the
 * snapshot contains may still be on its way), and a diff older than the last applied diff is out
 * of order — a `sequence` gap, the book rebuilt from the next snapshot. A lost diff between two
 * in-order ones cannot be seen on this channel (no sequence number, no checksum); crossed books
 * and unreadable levels still are (`invalid`).
 *
 * A recorded REST body names no pair: it applies to the one book waiting for a snapshot, or to the
 * pair in a `pair` / `symbol` field, which this codec accepts as an extension.
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
  toNum,
  VenueBookCodec,
} from '../books/book-state.ts';
import { readJsonObject, writeJson } from '../json-frame.ts';
import type { FrameOutcome } from '../protocol.ts';
import { SymbolMap } from '../protocol.ts';
import { spellSymbol } from '../symbol-style.ts';
import { BITSTAMP_SYMBOL_STYLE, type BitstampInbound, type BitstampRequest, type BitstampRestBook } from './messages.ts';

interface Diff {
  micros: number;
  recvTs: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

export class BitstampBookCodec extends VenueBookCodec implements BookCodec {
  private readonly symbols = new SymbolMap(canonicalInstrument);
  /** Diff events held while a snapshot is awaited (at most 1,000 a symbol: a snapshot comes well before). */
  readonly pending = new PendingDiffs<Diff>(1000);

  constructor(opts: BookCodecOptions = {}) {
    super('bitstamp', opts);
  }

  subscribeFrames(symbols: readonly InstrumentId[]): string[] {
    return symbols.map((s) =>
      writeJson<BitstampRequest>({ event: 'bts:subscribe', data: { channel: `diff_order_book_${spellSymbol(s, BITSTAMP_SYMBOL_STYLE)}` } }),
    );
  }

  snapshotUrl(symbol: InstrumentId): string {
    return `https://www.bitstamp.net/api/v2/order_book/${spellSymbol(symbol, BITSTAMP_SYMBOL_STYLE)}/`;
  }

  awaitingSnapshot(): InstrumentId[] {
    return [...this.pending.symbols()].filter((s) => !this.isLive(s));
  }

  protected parseFrame(frame: string, recvTs: number, out: BookEvent[]): FrameOutcome {
    const m = readJsonObject<BitstampInbound | BitstampRestBook>(frame);
    if (typeof m === 'string') return { kind: 'ignored', reason: m };
    if (m.event === undefined && 'microtimestamp' in m && 'bids' in m) return this.restSnapshot(m as Record<string, unknown>, recvTs, out);
    if (typeof m.channel !== 'string') return { kind: 'ignored', reason: 'no channel' };
    const diff = m.channel.startsWith('diff_order_book_');
    const full = !diff && m.channel.startsWith('order_book_');
    if (!diff && !full) return { kind: 'ignored', reason: `channel ${m.channel}` };
    if (m.event === 'bts:subscription_succeeded') return { kind: 'subscribed' };
    if (m.event !== 'data') return { kind: 'ignored', reason: `event ${String(m.event)}` };
    const d = m.data as Record<string, unknown> | null;
    const bids = pairLevels(d?.bids);
    const asks = pairLevels(d?.asks);
    const micros = toNum(d?.microtimestamp);
    if (bids === undefined || asks === undefined || !Number.isFinite(micros))
      return this.error(`${m.channel}: bad bids/asks/microtimestamp`);
    const b = this.books.get(this.symbols.get(m.channel.slice(diff ? 16 : 11)));
    const start = out.length;
    if (full) {
      this.replace(b, bids, asks, micros, recvTs, out);
      return dataOutcome(out.length - start);
    }
    const ev: Diff = { micros, recvTs, bids, asks };
    if (!b.live) this.pending.push(b.symbol, ev);
    else this.apply(b, ev, out);
    return dataOutcome(out.length - start);
  }

  private apply(b: SymbolBook, ev: Diff, out: BookEvent[]): void {
    if (!b.chained && ev.micros <= b.seq) {
      // Sent before the snapshot was taken and delivered after it: already in the book.
      this.books.counts.skipped++;
      return;
    }
    if (ev.micros < b.seq) {
      this.books.gap(
        b,
        'sequence',
        b.seq,
        ev.micros,
        `diff at ${ev.micros} µs is older than the last applied (${b.seq} µs)`,
        ev.micros / 1000,
        ev.recvTs,
        out,
      );
      return;
    }
    if (!this.books.update(b, ev.bids, ev.asks, ev.micros / 1000, ev.recvTs, out)) return;
    b.seq = ev.micros;
    b.chained = true;
    this.books.view(b, ev.micros / 1000, ev.recvTs, out);
  }

  private restSnapshot(d: Record<string, unknown>, recvTs: number, out: BookEvent[]): FrameOutcome {
    const bids = pairLevels(d.bids);
    const asks = pairLevels(d.asks);
    const micros = toNum(d.microtimestamp);
    if (bids === undefined || asks === undefined || !Number.isFinite(micros))
      return this.error('order book snapshot: bad bids/asks/microtimestamp');
    const named = typeof d.pair === 'string' ? d.pair : typeof d.symbol === 'string' ? d.symbol : undefined;
    let symbol: InstrumentId;
    if (named !== undefined) symbol = this.symbols.get(named.replace('/', ''));
    else {
      const waiting = this.awaitingSnapshot();
      if (waiting.length !== 1)
        return this.error(
          waiting.length === 0
            ? 'order book snapshot with no pair, and no book waiting for one'
            : `order book snapshot with no pair, and ${waiting.length} books waiting (${waiting.join(', ')})`,
        );
      symbol = waiting[0] as InstrumentId;
    }
    const start = out.length;
    this.replace(this.books.get(symbol), bids, asks, micros, recvTs, out);
    return dataOutcome(out.length - start);
  }

  /** A whole book (REST body or order_book_ message), then the buffered diffs newer than it. */
  private replace(b: SymbolBook, bids: BookLevel[], asks: BookLevel[], micros: number, recvTs: number, out: BookEvent[]): void {
    const buf = this.pending.take(b.symbol);
    if (!this.books.snapshot(b, bids, asks, micros / 1000, recvTs, out)) return;
    b.seq = micros;
    b.chained = false;
    this.books.view(b, micros / 1000, recvTs, out);
    for (const ev of buf) {
      if (ev.micros <= micros) {
        this.books.counts.skipped++;
        continue;
      }
      if (!b.live) this.pending.push(b.symbol, ev);
      else this.apply(b, ev, out);
    }
  }

  private error(message: string): FrameOutcome {
    this.books.counts.errors++;
    return { kind: 'error', message };
  }
}
