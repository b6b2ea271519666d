/**
 * Bitstamp WebSocket v2: `live_trades_<pair>` and the top of `order_book_<pair>`, subscribed
 * with `{"event":"bts:subscribe","data":{"channel":...}}`. Trade `type` 0 is a buy, 1 a sell
 * (the taker's side); times are `microtimestamp` (µs). The server may ask clients to
 * reconnect with `bts:request_reconnect`. Pairs are lower-case and glued: `btcusd`.
 */
import type { GapEvent } from '../../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../../core/instrument.ts';
import type { MarketRecord } from '../../../core/market.ts';
import { readJsonObject, writeJson } from '../json-frame.ts';
import { type FrameOutcome, guardedParse, num, type Subscription, SymbolMap, type VenueCodec } from '../protocol.ts';
import { spellSymbol } from '../symbol-style.ts';
import { BITSTAMP_SYMBOL_STYLE, type BitstampInbound, type BitstampRequest } from './messages.ts';

/** The channel of a subscription: `live_trades_btcusd`, `order_book_btcusd`. */
const bitstampChannel = (s: Subscription): string =>
  `${s.channel === 'trades' ? 'live_trades' : 'order_book'}_${spellSymbol(s.symbol, BITSTAMP_SYMBOL_STYLE)}`;

function microsToMs(v: unknown): number | null {
  const x = num(v);
  return Number.isFinite(x) ? x / 1000 : null;
}

export class BitstampClient implements VenueCodec {
  readonly venue = 'bitstamp';
  readonly url = 'wss://ws.bitstamp.net';
  private readonly symbols = new SymbolMap(canonicalInstrument);

  venueSymbol(symbol: InstrumentId): string {
    return spellSymbol(symbol, BITSTAMP_SYMBOL_STYLE);
  }

  subscribeFrames(subs: readonly Subscription[]): string[] {
    return subs.map((s) => writeJson<BitstampRequest>({ event: 'bts:subscribe', data: { channel: bitstampChannel(s) } }));
  }

  unsubscribeFrames(subs: readonly Subscription[]): string[] {
    return subs.map((s) => writeJson<BitstampRequest>({ event: 'bts:unsubscribe', data: { channel: bitstampChannel(s) } }));
  }

  parse(frame: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]): FrameOutcome {
    return guardedParse(this.parseFrame, frame, recvTs, out, gaps);
  }

  private readonly parseFrame = (frame: string, recvTs: number, out: MarketRecord[], _gaps: GapEvent[]): FrameOutcome => {
    const m = readJsonObject<BitstampInbound>(frame);
    if (typeof m === 'string') return { kind: 'error', message: m };
    switch (m.event) {
      case 'bts:subscription_succeeded':
        return { kind: 'subscribed' };
      case 'bts:request_reconnect':
        return { kind: 'reconnect' };
      case 'bts:heartbeat':
        return { kind: 'heartbeat' };
      case 'bts:error':
        return { kind: 'error', message: `venue error: ${JSON.stringify(m.data)}` };
      case 'trade': {
        const d = m.data as Record<string, unknown> | null;
        const ch = typeof m.channel === 'string' ? m.channel : '';
        if (!d || !ch.startsWith('live_trades_')) return { kind: 'error', message: 'trade: bad channel/data' };
        const price = num(d.price_str ?? d.price);
        const size = num(d.amount_str ?? d.amount);
        if (!(price > 0) || !(size >= 0)) return { kind: 'error', message: 'trade: bad price/amount' };
        out.push({
          type: 'trade',
          venue: this.venue,
          symbol: this.symbols.get(ch.slice('live_trades_'.length)),
          ts: microsToMs(d.microtimestamp) ?? (Number.isFinite(num(d.timestamp)) ? num(d.timestamp) * 1000 : null),
          recvTs,
          price,
          size,
          side: d.type === 0 ? 'buy' : d.type === 1 ? 'sell' : 'unknown',
          id: d.id === undefined ? null : String(d.id),
        });
        return { kind: 'data', count: 1 };
      }
      case 'data': {
        const d = m.data as { bids?: unknown; asks?: unknown; microtimestamp?: unknown } | null;
        const ch = typeof m.channel === 'string' ? m.channel : '';
        if (!d || !ch.startsWith('order_book_') || !Array.isArray(d.bids) || !Array.isArray(d.asks))
          return { kind: 'error', message: 'order_book: bad data' };
        const b = d.bids[0] as unknown[] | undefined;
        const a = d.asks[0] as unknown[] | undefined;
        if (!b || !a) return { kind: 'ignored', reason: 'empty book side' };
        const bid = num(b[0]);
        const ask = num(a[0]);
        if (!(bid > 0 && ask > 0)) return { kind: 'error', message: 'order_book: bad top of book' };
        out.push({
          type: 'quote',
          venue: this.venue,
          symbol: this.symbols.get(ch.slice('order_book_'.length)),
          ts: microsToMs(d.microtimestamp),
          recvTs,
          bid,
          bidSize: num(b[1]),
          ask,
          askSize: num(a[1]),
        });
        return { kind: 'data', count: 1 };
      }
      default:
        return { kind: 'ignored', reason: `event ${String(m.event)}` };
    }
  };
}
