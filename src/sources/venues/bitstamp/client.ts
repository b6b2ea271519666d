/**
 * Bitstamp WebSocket v2: `live_trades_<pair>` and the top of `order_book_<pair>`, subscribed
 * with `{"event":"bts:subscribe","data":{"channel":...}}`. Trade `type` 0 is a buy, 1 a sell
 * (the taker's side); times are `microtimestamp` (µs). The server may ask clients to
 * reconnect with `bts:request_reconnect`. Pairs are lower-case and glued: `btcusd`.
 */
import type { GapEvent } from '../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';
import { type FrameOutcome, guardedParse, num, type Subscription, SymbolMap, type VenueProtocol } from './protocol.ts';

const channelName = (s: Subscription): string =>
  `${s.channel === 'trades' ? 'live_trades' : 'order_book'}_${s.symbol.replace('-', '').toLowerCase()}`;

function microsToMs(v: unknown): number | null {
  const x = num(v);
  return Number.isFinite(x) ? x / 1000 : null;
}

export class BitstampProtocol implements VenueProtocol {
  readonly venue = 'bitstamp';
  readonly url = 'wss://ws.bitstamp.net';
  private readonly symbols = new SymbolMap(canonicalInstrument);

  venueSymbol(symbol: InstrumentId): string {
    return symbol.replace('-', '').toLowerCase();
  }

  subscribeFrames(subs: readonly Subscription[]): string[] {
    return subs.map((s) => JSON.stringify({ event: 'bts:subscribe', data: { channel: channelName(s) } }));
  }

  unsubscribeFrames(subs: readonly Subscription[]): string[] {
    return subs.map((s) => JSON.stringify({ event: 'bts:unsubscribe', data: { channel: channelName(s) } }));
  }

  parse(frame: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]): FrameOutcome {
    return guardedParse(this.parseFrame, frame, recvTs, out, gaps);
  }

  private readonly parseFrame = (frame: string, recvTs: number, out: MarketRecord[], _gaps: GapEvent[]): FrameOutcome => {
    let m: { event?: unknown; channel?: unknown; data?: unknown };
    try {
      m = JSON.parse(frame) as typeof m;
    } catch {
      return { kind: 'error', message: 'not JSON' };
    }
    if (m === null || typeof m !== 'object') return { kind: 'error', message: 'not an object' };
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

  // Server side.

  onClientFrame(text: string): { replies: string[]; subscribe?: Subscription[]; unsubscribe?: Subscription[] } {
    let m: { event?: unknown; data?: { channel?: unknown } };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return { replies: [JSON.stringify({ event: 'bts:error', channel: '', data: { code: null, message: 'Bad subscription string.' } })] };
    }
    if (m.event === 'bts:heartbeat')
      return { replies: [JSON.stringify({ event: 'bts:heartbeat', channel: '', data: { status: 'success' } })] };
    const ch = typeof m.data?.channel === 'string' ? m.data.channel : '';
    const x = /^(live_trades|order_book)_([a-z0-9]+)$/.exec(ch);
    if ((m.event !== 'bts:subscribe' && m.event !== 'bts:unsubscribe') || !x) {
      return {
        replies: [JSON.stringify({ event: 'bts:error', channel: ch, data: { code: null, message: 'Incorrect channel supplied.' } })],
      };
    }
    const sub: Subscription = { symbol: canonicalInstrument(x[2] as string), channel: x[1] === 'live_trades' ? 'trades' : 'quotes' };
    const ok = m.event === 'bts:subscribe' ? 'bts:subscription_succeeded' : 'bts:unsubscription_succeeded';
    return m.event === 'bts:subscribe'
      ? { replies: [JSON.stringify({ event: ok, channel: ch, data: {} })], subscribe: [sub] }
      : { replies: [JSON.stringify({ event: ok, channel: ch, data: {} })], unsubscribe: [sub] };
  }

  encode(r: MarketRecord, seq: number): string {
    const pair = this.venueSymbol(r.symbol);
    const us = Math.round((r.ts ?? r.recvTs) * 1000);
    if (r.type === 'trade') {
      return JSON.stringify({
        data: {
          id: Number(r.id ?? seq),
          timestamp: String(Math.floor(us / 1e6)),
          amount: r.size,
          amount_str: String(r.size),
          price: r.price,
          price_str: String(r.price),
          type: r.side === 'sell' ? 1 : 0,
          microtimestamp: String(us),
        },
        channel: `live_trades_${pair}`,
        event: 'trade',
      });
    }
    return JSON.stringify({
      data: {
        timestamp: String(Math.floor(us / 1e6)),
        microtimestamp: String(us),
        bids: [[String(r.bid), String(r.bidSize)]],
        asks: [[String(r.ask), String(r.askSize)]],
      },
      channel: `order_book_${pair}`,
      event: 'data',
    });
  }

  reconnectRequest(): string {
    return JSON.stringify({ event: 'bts:request_reconnect', channel: '', data: '' });
  }
}
