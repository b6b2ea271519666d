/**
 * A consolidated L2 book across venues: every venue's levels in USD (a USDT venue's prices times
 * the USDT/USD rate the caller passes, e.g. the fusion harmonizer's live estimate), merged best
 * first with each level's venues named; the cross-venue best bid and offer, the depth within ±10
 * and ±50 bps of the consolidated mid, the imbalance there, and each venue's microprice. Pure: the
 * books come in, a summary goes out; nothing is kept between calls.
 *
 * Sizes stay in base units (BTC): harmonizing the quote currency changes prices, not quantities.
 */
import type { OrderBook } from './book.ts';

export interface VenueBookInput {
  venue: string;
  book: OrderBook;
  /** USD per unit of the venue's quote currency (1 for USD venues, the USDT/USD rate for USDT ones). */
  usdPerQuote: number;
}

export interface ConsolidatedLevel {
  /** USD price. */
  price: number;
  /** Total size at this price across venues. */
  size: number;
  /** Who rests there, in input order. */
  venues: { venue: string; size: number }[];
}

export interface DepthBand {
  bps: number;
  /** Bid size priced at or above mid·(1 − bps/10⁴), ask size at or below mid·(1 + bps/10⁴). */
  bidSize: number;
  askSize: number;
  /** (bid − ask) / (bid + ask), in [−1, 1]; NaN when the band is empty. */
  imbalance: number;
}

export interface ConsolidatedBook {
  bids: ConsolidatedLevel[];
  asks: ConsolidatedLevel[];
  /** Cross-venue touch; NaN when no venue has that side. */
  bestBid: number;
  bestAsk: number;
  mid: number;
  /** Best bid at or above best ask across venues: an arbitrage, or a venue's stale book. */
  crossed: boolean;
  depth: DepthBand[];
  /** Each venue's microprice in USD (NaN when its touch is incomplete). */
  microprice: Record<string, number>;
}

export interface ConsolidateOptions {
  /** Levels per side in the merged ladder (default 50); the depth bands read every level regardless. */
  levels?: number;
  /** Depth bands around the mid, in bps (default 10 and 50). */
  bands?: readonly number[];
}

/** Merges venue books into one USD book. Venues with a rate that is not a positive number are left out. */
export function consolidate(inputs: readonly VenueBookInput[], opts: ConsolidateOptions = {}): ConsolidatedBook {
  const levels = opts.levels ?? 50;
  const bands = opts.bands ?? [10, 50];
  const live = inputs.filter((v) => v.usdPerQuote > 0 && Number.isFinite(v.usdPerQuote));
  const bids = merge(live, true, levels);
  const asks = merge(live, false, levels);
  const bestBid = bids[0]?.price ?? Number.NaN;
  const bestAsk = asks[0]?.price ?? Number.NaN;
  const mid = (bestBid + bestAsk) / 2;
  const depth: DepthBand[] = bands.map((bps) => {
    let bidSize = 0;
    let askSize = 0;
    if (Number.isFinite(mid)) {
      const lo = mid * (1 - bps / 1e4);
      const hi = mid * (1 + bps / 1e4);
      // Compared in USD, level by level from the touch: the same arithmetic as the merged ladder.
      for (const v of live) {
        const b = v.book.bids;
        for (let i = 0; i < b.length && b.price(i) * v.usdPerQuote >= lo; i++) bidSize += b.size(i);
        const a = v.book.asks;
        for (let i = 0; i < a.length && a.price(i) * v.usdPerQuote <= hi; i++) askSize += a.size(i);
      }
    }
    const total = bidSize + askSize;
    return { bps, bidSize, askSize, imbalance: total > 0 ? (bidSize - askSize) / total : Number.NaN };
  });
  const microprice: Record<string, number> = {};
  for (const v of live) microprice[v.venue] = v.book.microprice() * v.usdPerQuote;
  return { bids, asks, bestBid, bestAsk, mid, crossed: bestBid >= bestAsk, depth, microprice };
}

/**
 * K-way merge of one side over the venues, best first, equal USD prices aggregated. Each venue's
 * side is already sorted, so this reads only the levels it returns (plus one per venue).
 */
function merge(venues: readonly VenueBookInput[], isBid: boolean, levels: number): ConsolidatedLevel[] {
  const pos = new Array<number>(venues.length).fill(0);
  const out: ConsolidatedLevel[] = [];
  while (out.length < levels) {
    let best = Number.NaN;
    for (let k = 0; k < venues.length; k++) {
      const v = venues[k] as VenueBookInput;
      const side = isBid ? v.book.bids : v.book.asks;
      const i = pos[k] as number;
      if (i >= side.length) continue;
      const p = side.price(i) * v.usdPerQuote;
      if (Number.isNaN(best) || (isBid ? p > best : p < best)) best = p;
    }
    if (Number.isNaN(best)) break;
    const level: ConsolidatedLevel = { price: best, size: 0, venues: [] };
    for (let k = 0; k < venues.length; k++) {
      const v = venues[k] as VenueBookInput;
      const side = isBid ? v.book.bids : v.book.asks;
      const i = pos[k] as number;
      if (i < side.length && side.price(i) * v.usdPerQuote === best) {
        const s = side.size(i);
        level.size += s;
        level.venues.push({ venue: v.venue, size: s });
        pos[k] = i + 1;
      }
    }
    out.push(level);
  }
  return out;
}
