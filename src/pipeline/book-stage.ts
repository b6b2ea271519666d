/**
 * The consolidated book of each instrument, built from the venues' own validated books and
 * published at most every `everyMs` per instrument. The venue codecs keep the books; this stage
 * only holds references to them, so an applied update costs a map lookup and a flag here, and the
 * merge (allocation included) runs once per publish, not once per update.
 */
import type { BookGapEvent, BookGapReason, BookLevel, ConsolidatedBookEvent, VenueBookSummary } from '../core/events.ts';
import type { InstrumentId } from '../core/instrument.ts';
import type { BookSide } from '../stream/book.ts';
import { consolidate, type VenueBookInput } from '../stream/consolidated-book.ts';
import type { VenueBookRef } from './stages.ts';

export interface BookStageOptions {
  /** Shortest time between two publishes of one instrument's book, ms (default 250: 4 a second). */
  everyMs?: number;
  /** Consolidated levels per side in each event (default 50). */
  levels?: number;
  /** Levels per side of each venue's own book in each event (default 20). */
  venueLevels?: number;
  /** Depth bands around the mid, bps (default 10 and 50). */
  bands?: readonly number[];
}

/** The instrument a venue pair feeds and the factor that turns its prices into USD (fusion's harmonizer). */
export type PairTarget = (pair: InstrumentId) => { symbol: string; factor: number };

interface Lane {
  /** Venue → its book of this instrument (one pair per venue and instrument). */
  readonly refs: Map<string, VenueBookRef>;
  dirty: boolean;
  lastPublish: number;
  latest: ConsolidatedBookEvent | undefined;
}

export class BookStage {
  private readonly lanes = new Map<string, Lane>();
  /** Venue pair → instrument, resolved once per pair (the harmonizer's answer allocates). */
  private readonly instrumentOf = new Map<InstrumentId, string>();
  private readonly everyMs: number;
  private readonly levels: number;
  private readonly venueLevels: number;
  private readonly bands: readonly number[];
  readonly stats = {
    /** Book updates seen (applied updates, snapshots, gaps). */
    updates: 0,
    published: 0,
    /** Books found out of sync, per venue and reason. */
    gaps: new Map<string, Record<BookGapReason, number>>(),
  };

  constructor(
    instruments: readonly string[],
    private readonly target: PairTarget,
    opts: BookStageOptions = {},
  ) {
    this.everyMs = opts.everyMs ?? 250;
    this.levels = opts.levels ?? 50;
    this.venueLevels = opts.venueLevels ?? 20;
    this.bands = opts.bands ?? [10, 50];
    for (const s of instruments) this.lanes.set(s, { refs: new Map(), dirty: false, lastPublish: 0, latest: undefined });
  }

  /** A venue book changed (an applied update, a snapshot, or a gap that cleared it). */
  onBook(ref: VenueBookRef): void {
    this.stats.updates++;
    let symbol = this.instrumentOf.get(ref.pair);
    if (symbol === undefined) {
      symbol = this.target(ref.pair).symbol;
      this.instrumentOf.set(ref.pair, symbol);
    }
    const lane = this.lanes.get(symbol);
    if (lane === undefined) return;
    // A reconnect makes new books: the latest reference replaces the old one.
    if (lane.refs.get(ref.venue) !== ref) lane.refs.set(ref.venue, ref);
    lane.dirty = true;
  }

  onGap(e: BookGapEvent): void {
    let g = this.stats.gaps.get(e.venue);
    if (g === undefined) this.stats.gaps.set(e.venue, (g = { sequence: 0, checksum: 0, invalid: 0 }));
    g[e.reason]++;
  }

  /** Gaps of a venue, all reasons. */
  gapsOf(venue: string): number {
    const g = this.stats.gaps.get(venue);
    return g ? g.sequence + g.checksum + g.invalid : 0;
  }

  /** Publishes the instruments whose books changed and whose last publish is at least `everyMs` old. */
  flush(now: number, publish: (e: ConsolidatedBookEvent) => void): void {
    for (const [symbol, lane] of this.lanes) {
      if (!lane.dirty || now - lane.lastPublish < this.everyMs) continue;
      lane.dirty = false;
      lane.lastPublish = now;
      const e = this.build(symbol, lane, now);
      lane.latest = e;
      this.stats.published++;
      publish(e);
    }
  }

  /** The last published book of an instrument. */
  latest(symbol: string): ConsolidatedBookEvent | undefined {
    return this.lanes.get(symbol)?.latest;
  }

  private build(symbol: string, lane: Lane, now: number): ConsolidatedBookEvent {
    const inputs: VenueBookInput[] = [];
    const venues: VenueBookSummary[] = [];
    for (const [venue, ref] of lane.refs) {
      // A book waiting for its snapshot (or cleared by a gap) says nothing about the market.
      if (!ref.live()) continue;
      const usdPerQuote = this.target(ref.pair).factor;
      if (!(usdPerQuote > 0 && Number.isFinite(usdPerQuote))) continue;
      inputs.push({ venue, book: ref.book, usdPerQuote });
      venues.push({
        venue,
        pair: ref.pair,
        usdPerQuote,
        bids: usdLevels(ref.book.bids, this.venueLevels, usdPerQuote),
        asks: usdLevels(ref.book.asks, this.venueLevels, usdPerQuote),
        gaps: this.gapsOf(venue),
      });
    }
    const c = consolidate(inputs, { levels: this.levels, bands: this.bands });
    return {
      type: 'consolidated_book',
      symbol,
      ts: now,
      bestBid: finite(c.bestBid),
      bestAsk: finite(c.bestAsk),
      mid: finite(c.mid),
      crossed: c.crossed,
      bids: c.bids,
      asks: c.asks,
      depth: c.depth.map((d) => ({ bps: d.bps, bidSize: d.bidSize, askSize: d.askSize, imbalance: finite(d.imbalance) })),
      venues,
    };
  }
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function usdLevels(side: BookSide, n: number, usdPerQuote: number): BookLevel[] {
  const m = Math.min(n, side.length);
  const out: BookLevel[] = new Array(m);
  for (let i = 0; i < m; i++) out[i] = [side.price(i) * usdPerQuote, side.size(i)];
  return out;
}
