/**
 * Kraken WebSocket v2: `trade` and `ticker` with `event_trigger: "bbo"` (a message on every
 * best bid/offer change), subscribed with `{"method":"subscribe","params":{...}}`. Numbers are
 * JSON numbers; `side` is the taker's. The server sends `{"channel":"heartbeat"}` every second
 * on a subscribed connection, which is what the idle deadline watches. Bitcoin is `BTC/USD`.
 */
import type { GapEvent } from '../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';
import { type FrameOutcome, guardedParse, isoToMs, num, type Subscription, SymbolMap, type VenueProtocol } from './protocol.ts';

export class KrakenProtocol implements VenueProtocol {
  readonly venue = 'kraken';
  readonly url = 'wss://ws.kraken.com/v2';
  private readonly symbols = new SymbolMap(canonicalInstrument);
  private reqId = 1;

  venueSymbol(symbol: InstrumentId): string {
    return symbol.replace('-', '/');
  }

  private frames(method: 'subscribe' | 'unsubscribe', subs: readonly Subscription[]): string[] {
    const out: string[] = [];
    const trades = subs.filter((s) => s.channel === 'trades').map((s) => this.venueSymbol(s.symbol));
    const quotes = subs.filter((s) => s.channel === 'quotes').map((s) => this.venueSymbol(s.symbol));
    if (trades.length)
      out.push(JSON.stringify({ method, params: { channel: 'trade', symbol: trades, snapshot: false }, req_id: this.reqId++ }));
    if (quotes.length)
      out.push(JSON.stringify({ method, params: { channel: 'ticker', symbol: quotes, event_trigger: 'bbo' }, req_id: this.reqId++ }));
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
    let m: { channel?: unknown; type?: unknown; data?: unknown; method?: unknown; success?: unknown; error?: unknown };
    try {
      m = JSON.parse(frame) as typeof m;
    } catch {
      return { kind: 'error', message: 'not JSON' };
    }
    if (m === null || typeof m !== 'object') return { kind: 'error', message: 'not an object' };
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

  // Server side.

  onClientFrame(text: string): { replies: string[]; subscribe?: Subscription[]; unsubscribe?: Subscription[] } {
    let m: { method?: unknown; params?: { channel?: unknown; symbol?: unknown }; req_id?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return { replies: [JSON.stringify({ error: 'Malformed request', success: false })] };
    }
    const now = new Date().toISOString();
    if (m.method === 'ping') return { replies: [JSON.stringify({ method: 'pong', req_id: m.req_id, time_in: now, time_out: now })] };
    if (m.method !== 'subscribe' && m.method !== 'unsubscribe')
      return { replies: [JSON.stringify({ error: 'Unsupported method', success: false })] };
    const ch = m.params?.channel === 'trade' ? 'trades' : m.params?.channel === 'ticker' ? 'quotes' : null;
    if (!ch || !Array.isArray(m.params?.symbol)) {
      return { replies: [JSON.stringify({ method: m.method, error: 'Invalid channel or symbol', success: false, req_id: m.req_id })] };
    }
    const symbols = m.params.symbol as unknown[];
    const subs = symbols.map((s) => ({ symbol: canonicalInstrument(String(s)), channel: ch }) as Subscription);
    const replies = symbols.map((s) =>
      JSON.stringify({
        method: m.method,
        result: { channel: m.params?.channel, symbol: s },
        success: true,
        time_in: now,
        time_out: now,
        req_id: m.req_id,
      }),
    );
    return m.method === 'subscribe' ? { replies, subscribe: subs } : { replies, unsubscribe: subs };
  }

  encode(r: MarketRecord, _seq: number): string {
    const symbol = this.venueSymbol(r.symbol);
    const timestamp = new Date(r.ts ?? r.recvTs).toISOString();
    if (r.type === 'trade') {
      return JSON.stringify({
        channel: 'trade',
        type: 'update',
        data: [
          {
            symbol,
            side: r.side === 'sell' ? 'sell' : 'buy',
            price: r.price,
            qty: r.size,
            ord_type: 'market',
            trade_id: Number(r.id ?? 0),
            timestamp,
          },
        ],
      });
    }
    return JSON.stringify({
      channel: 'ticker',
      type: 'update',
      data: [{ symbol, bid: r.bid, bid_qty: r.bidSize, ask: r.ask, ask_qty: r.askSize, last: (r.bid + r.ask) / 2, timestamp }],
    });
  }

  heartbeat(): string {
    return '{"channel":"heartbeat"}';
  }
}
