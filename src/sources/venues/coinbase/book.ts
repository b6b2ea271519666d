/**
 * Coinbase Advanced Trade `level2` (messages on channel `l2_data`): a `snapshot` event, then
 * `update` events whose `new_quantity` is the level's new absolute size ("0" removes it), sides
 * `bid` and `offer`. Coinbase guarantees delivery on this channel and numbers every message of a
 * connection with `sequence_num` (all channels share the count), so a skipped number means a lost
 * message: every book on the connection is cleared (a `sequence` gap each) and rebuilt from the
 * next snapshot (live: unsubscribe + subscribe). The codec therefore reads `sequence_num` on every
 * frame it is given, book or not: give it the whole connection.
 */
import type { BookEvent, BookLevel } from '../../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../../core/instrument.ts';
import { type BookCodec, type BookCodecOptions, dataOutcome, toNum, VenueBookCodec } from '../books/book-state.ts';
import { readJsonObject, writeJson } from '../json-frame.ts';
import type { FrameOutcome } from '../protocol.ts';
import { isoToMs, SymbolMap } from '../protocol.ts';
import type { CoinbaseL2Data, CoinbaseSubscribe } from './messages.ts';

export class CoinbaseBookCodec extends VenueBookCodec implements BookCodec {
  private readonly symbols = new SymbolMap(canonicalInstrument);
  private lastSeq = -1;

  constructor(opts: BookCodecOptions = {}) {
    super('coinbase', opts);
  }

  subscribeFrames(symbols: readonly InstrumentId[]): string[] {
    // Heartbeats keep a quiet subscription open (Coinbase closes idle channels after 60-90 s).
    return [
      writeJson<CoinbaseSubscribe>({ type: 'subscribe', product_ids: symbols, channel: 'level2' }),
      writeJson<CoinbaseSubscribe>({ type: 'subscribe', channel: 'heartbeats' }),
    ];
  }

  /** Coinbase's resync: unsubscribe and subscribe again, which sends a fresh snapshot. */
  resyncFrames(symbol: InstrumentId): string[] {
    return [
      writeJson<CoinbaseSubscribe>({ type: 'unsubscribe', product_ids: [symbol], channel: 'level2' }),
      writeJson<CoinbaseSubscribe>({ type: 'subscribe', product_ids: [symbol], channel: 'level2' }),
    ];
  }

  /** A new connection numbers its messages from the start again. */
  reset(): void {
    this.lastSeq = -1;
    for (const b of this.books.all()) b.live = false;
  }

  protected parseFrame(frame: string, recvTs: number, out: BookEvent[]): FrameOutcome {
    const m = readJsonObject<CoinbaseL2Data>(frame);
    if (typeof m === 'string') return { kind: 'ignored', reason: m };
    const start = out.length;
    const ts = isoToMs(m.timestamp);
    if (typeof m.sequence_num === 'number') {
      const seq = m.sequence_num;
      if (this.lastSeq >= 0 && seq > this.lastSeq + 1) {
        // A message of this connection was lost: any book may have missed an update.
        for (const b of this.books.all())
          if (b.live)
            this.books.gap(b, 'sequence', this.lastSeq + 1, seq, `sequence_num ${this.lastSeq + 1}..${seq - 1} missed`, ts, recvTs, out);
      } else if (seq <= this.lastSeq) {
        // Numbering restarted: a new connection, whose snapshots rebuild every book. Until then
        // the old books cannot be continued (their updates were numbered on the old connection).
        for (const b of this.books.all()) b.live = false;
      }
      this.lastSeq = seq;
    }
    if (m.channel !== 'l2_data')
      return start === out.length ? { kind: 'ignored', reason: `channel ${String(m.channel)}` } : dataOutcome(out.length - start);
    if (!Array.isArray(m.events)) return this.error('l2_data: no events');
    for (const e of m.events as Record<string, unknown>[]) {
      if (e === null || typeof e !== 'object' || typeof e.product_id !== 'string' || !Array.isArray(e.updates))
        return this.error('l2_data: event without product_id/updates');
      const bids: BookLevel[] = [];
      const asks: BookLevel[] = [];
      for (const u of e.updates as Record<string, unknown>[]) {
        const level: BookLevel = [toNum(u?.price_level), toNum(u?.new_quantity)];
        if (u?.side === 'bid') bids.push(level);
        else if (u?.side === 'offer' || u?.side === 'ask') asks.push(level);
        else return this.error(`l2_data: side ${String(u?.side)}`);
      }
      const b = this.books.get(this.symbols.get(e.product_id));
      if (e.type === 'snapshot') {
        if (!this.books.snapshot(b, bids, asks, ts, recvTs, out)) continue;
      } else if (e.type === 'update') {
        if (!b.live) {
          this.books.counts.skipped++;
          continue;
        }
        if (!this.books.update(b, bids, asks, ts, recvTs, out)) continue;
      } else return this.error(`l2_data: event type ${String(e.type)}`);
      this.books.view(b, ts, recvTs, out);
    }
    return dataOutcome(out.length - start);
  }

  private error(message: string): FrameOutcome {
    this.books.counts.errors++;
    return { kind: 'error', message };
  }
}
