/**
 * OKX v5 `books` channel (400 levels, incremental), chained as OKX documents it: every message
 * carries `seqId` and `prevSeqId`; a snapshot starts the chain (`prevSeqId` -1), and each update's
 * `prevSeqId` must equal the `seqId` of the message before it. A message with no changes keeps
 * `seqId` (its `prevSeqId` equals it), and after maintenance `seqId` may restart lower — both still
 * name the previous message, which is all that is checked. A broken chain is a `sequence` gap; the
 * book is rebuilt from the next snapshot (live: unsubscribe + subscribe). OKX's `checksum` field
 * is deprecated (always 0 since June 2026) and is not used.
 * Levels are `[price, size, "0", orderCount]`; size is absolute, "0" removes the level.
 */
import type { BookEvent } from '../../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../../core/instrument.ts';
import { type BookCodec, type BookCodecOptions, dataOutcome, pairLevels, toNum, VenueBookCodec } from '../books/book-state.ts';
import { readJsonObject, writeJson } from '../json-frame.ts';
import type { FrameOutcome } from '../protocol.ts';
import { SymbolMap } from '../protocol.ts';
import type { OkxBookData, OkxEvent, OkxPush, OkxRequest } from './messages.ts';

export class OkxBookCodec extends VenueBookCodec implements BookCodec {
  private readonly symbols = new SymbolMap(canonicalInstrument);

  constructor(opts: BookCodecOptions = {}) {
    super('okx', opts);
  }

  subscribeFrames(symbols: readonly InstrumentId[]): string[] {
    return [writeJson<OkxRequest>({ op: 'subscribe', args: symbols.map((instId) => ({ channel: 'books', instId })) })];
  }

  /** OKX's resync: unsubscribe and subscribe again, which sends a fresh snapshot. */
  resyncFrames(symbol: InstrumentId): string[] {
    const args = [{ channel: 'books', instId: symbol }];
    return [writeJson<OkxRequest>({ op: 'unsubscribe', args }), writeJson<OkxRequest>({ op: 'subscribe', args })];
  }

  protected parseFrame(frame: string, recvTs: number, out: BookEvent[]): FrameOutcome {
    const read = readJsonObject<OkxPush<OkxBookData> | OkxEvent>(frame);
    if (read === 'not JSON') return { kind: 'ignored', reason: read };
    const m = read as Exclude<typeof read, string> & { arg?: { channel?: unknown; instId?: unknown } };
    if (typeof read === 'string' || m.arg?.channel !== 'books') return { kind: 'ignored', reason: 'not a books frame' };
    if (m.event === 'subscribe') return { kind: 'subscribed' };
    if (m.event !== undefined) return { kind: 'ignored', reason: `event ${String(m.event)}` };
    if (typeof m.arg.instId !== 'string') return this.error('books: no instId');
    if (m.action !== 'snapshot' && m.action !== 'update') return this.error(`books: action ${String(m.action)}`);
    if (!Array.isArray(m.data)) return this.error('books: no data');
    const b = this.books.get(this.symbols.get(m.arg.instId));
    const start = out.length;
    for (const d of m.data as Record<string, unknown>[]) {
      const bids = pairLevels(d?.bids ?? []);
      const asks = pairLevels(d?.asks ?? []);
      const seq = d?.seqId;
      const prev = d?.prevSeqId;
      if (bids === undefined || asks === undefined) return this.error('books: bids/asks not lists of levels');
      if (!Number.isInteger(seq) || !Number.isInteger(prev)) return this.error('books: no seqId/prevSeqId');
      const tsNum = toNum(d.ts);
      const ts = Number.isFinite(tsNum) ? tsNum : null;
      if (m.action === 'snapshot') {
        if (!this.books.snapshot(b, bids, asks, ts, recvTs, out)) continue;
      } else {
        if (!b.live) {
          this.books.counts.skipped++;
          continue;
        }
        if (prev !== b.seq) {
          this.books.gap(
            b,
            'sequence',
            b.seq,
            prev as number,
            `prevSeqId ${String(prev)} does not name the last seqId ${b.seq}`,
            ts,
            recvTs,
            out,
          );
          continue;
        }
        if (bids.length === 0 && asks.length === 0) {
          // OKX's keep-alive for a quiet book: in sequence, nothing changed, nothing to print.
          b.seq = seq as number;
          continue;
        }
        if (!this.books.update(b, bids, asks, ts, recvTs, out)) continue;
      }
      b.seq = seq as number;
      this.books.view(b, ts, recvTs, out);
    }
    return dataOutcome(out.length - start);
  }

  private error(message: string): FrameOutcome {
    this.books.counts.errors++;
    return { kind: 'error', message };
  }
}
