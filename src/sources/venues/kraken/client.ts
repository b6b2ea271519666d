/**
 * Kraken WebSocket v2: `trade` and `ticker` with `event_trigger: "bbo"` (a message on every
 * best bid/offer change), subscribed with `{"method":"subscribe","params":{...}}`. Numbers are
 * JSON numbers; `side` is the taker's. The server sends `{"channel":"heartbeat"}` every second
 * on a subscribed connection, which is what the idle deadline watches. Bitcoin is `BTC/USD`.
 */
import type { GapEvent } from '../../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../../core/instrument.ts';
import type { MarketRecord } from '../../../core/market.ts';
import { readJsonObject, writeJson } from '../json-frame.ts';
import { type FrameOutcome, guardedParse, isoToMs, num, type Subscription, SymbolMap, type VenueCodec } from '../protocol.ts';
import { spellSymbol } from '../symbol-style.ts';
import { KRAKEN_SYMBOL_STYLE, type KrakenInbound, type KrakenMethodCall } from './messages.ts';

export class KrakenClient implements VenueCodec {
  readonly venue = 'kraken';
  readonly url = 'wss://ws.kraken.com/v2';
  private readonly symbols = new SymbolMap(canonicalInstrument);
  private reqId = 1;

  venueSymbol(symbol: InstrumentId): string {
    return spellSymbol(symbol, KRAKEN_SYMBOL_STYLE);
  }

  private frames(method: 'subscribe' | 'unsubscribe', subs: readonly Subscription[]): string[] {
    const out: string[] = [];
    const trades = subs.filter((s) => s.channel === 'trades').map((s) => this.venueSymbol(s.symbol));
    const quotes = subs.filter((s) => s.channel === 'quotes').map((s) => this.venueSymbol(s.symbol));
    if (trades.length)
      out.push(
        writeJson<KrakenMethodCall>({ method, params: { channel: 'trade', symbol: trades, snapshot: false }, req_id: this.reqId++ }),
      );
    if (quotes.length)
      out.push(
        writeJson<KrakenMethodCall>({ method, params: { channel: 'ticker', symbol: quotes, event_trigger: 'bbo' }, req_id: this.reqId++ }),
      );
    return out;
  }

  subscribeFrames(subs: readonly Subscription[]): string[] {
    return this.frames('subscribe', subs);
  }

  unsubscribeFrames(subs: readonly Subscription[]): string[] {
    return this.frames('unsubscribe', subs);
  }

  parse(frame: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]): FrameOutcome {
    return guardedParse(this.parseFrame, frame, recvTs, out, gaps);
  }

  private readonly parseFrame = (frame: string, recvTs: number, out: MarketRecord[], _gaps: GapEvent[]): FrameOutcome => {
    const m = readJsonObject<KrakenInbound>(frame);
    if (typeof m === 'string') return { kind: 'error', message: m };
    if (m.method === 'subscribe' || m.method === 'unsubscribe') {
      return m.success === true ? { kind: 'subscribed' } : { kind: 'error', message: `subscribe failed: ${String(m.error)}` };
    }
    if (m.method === 'pong') return { kind: 'pong' };
    switch (m.channel) {
      case 'heartbeat':
        return { kind: 'heartbeat' };
      case 'status':
        return { kind: 'ignored', reason: 'status' };
      case 'trade': {
        if (!Array.isArray(m.data)) return { kind: 'error', message: 'trade: no data' };
        for (const t of m.data as Record<string, unknown>[]) {
          const price = num(t.price);
          const size = num(t.qty);
          if (typeof t.symbol !== 'string' || !(price > 0) || !(size >= 0))
            return { kind: 'error', message: 'trade: bad symbol/price/qty' };
          out.push({
            type: 'trade',
            venue: this.venue,
            symbol: this.symbols.get(t.symbol),
            ts: isoToMs(t.timestamp),
            recvTs,
            price,
            size,
            side: t.side === 'buy' ? 'buy' : t.side === 'sell' ? 'sell' : 'unknown',
            id: t.trade_id === undefined ? null : String(t.trade_id),
          });
        }
        return { kind: 'data', count: (m.data as unknown[]).length };
      }
      case 'ticker': {
        if (!Array.isArray(m.data)) return { kind: 'error', message: 'ticker: no data' };
        for (const t of m.data as Record<string, unknown>[]) {
          const bid = num(t.bid);
          const ask = num(t.ask);
          if (typeof t.symbol !== 'string' || !(bid > 0 && ask > 0)) return { kind: 'error', message: 'ticker: bad symbol/bid/ask' };
          out.push({
            type: 'quote',
            venue: this.venue,
            symbol: this.symbols.get(t.symbol),
            ts: isoToMs(t.timestamp),
            recvTs,
            bid,
            bidSize: num(t.bid_qty),
            ask,
            askSize: num(t.ask_qty),
          });
        }
        return { kind: 'data', count: (m.data as unknown[]).length };
      }
      default:
        return { kind: 'ignored', reason: `channel ${String(m.channel)}` };
    }
  };
}
