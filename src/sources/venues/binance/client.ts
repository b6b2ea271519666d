/**
 * Binance spot public market data: `<symbol>@trade` and `<symbol>@bookTicker` on the raw
 * stream endpoint, subscribed with `{"method":"SUBSCRIBE","params":[...],"id":n}`. Trades carry
 * `m` (the buyer is the maker), so the taker sold when `m` is true. Trade ids are consecutive
 * per symbol, which is how gaps are seen. The server pings at the WebSocket level (answered by
 * the socket library) and closes connections after 24 h, so we rotate before that.
 */

import type { GapEvent } from '../../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../../core/instrument.ts';
import type { MarketRecord } from '../../../core/market.ts';
import { readJsonObject, type Unchecked, writeJson } from '../json-frame.ts';
import { type FrameOutcome, guardedParse, num, type Subscription, SymbolMap, type VenueCodec } from '../protocol.ts';
import { spellSymbol } from '../symbol-style.ts';
import { BINANCE_SYMBOL_STYLE, type BinanceInbound, type BinanceMethodCall } from './messages.ts';

/** The stream name of a subscription: `btcusdt@trade`, `btcusdt@bookTicker`. */
const binanceStreamName = (symbol: InstrumentId, channel: Subscription['channel']): string =>
  `${spellSymbol(symbol, BINANCE_SYMBOL_STYLE).toLowerCase()}@${channel === 'trades' ? 'trade' : 'bookTicker'}`;

export class BinanceClient implements VenueCodec {
  readonly venue = 'binance';
  readonly url = 'wss://stream.binance.com:9443/ws';
  readonly maxConnectionAgeMs = 23 * 3_600_000;
  private readonly symbols = new SymbolMap(canonicalInstrument);
  private readonly lastTradeId = new Map<string, number>();
  private nextId = 1;

  venueSymbol(symbol: InstrumentId): string {
    return spellSymbol(symbol, BINANCE_SYMBOL_STYLE);
  }

  private call(method: BinanceMethodCall['method'], subs: readonly Subscription[]): string[] {
    return [writeJson<BinanceMethodCall>({ method, params: subs.map((s) => binanceStreamName(s.symbol, s.channel)), id: this.nextId++ })];
  }

  subscribeFrames(subs: readonly Subscription[]): string[] {
    return this.call('SUBSCRIBE', subs);
  }

  unsubscribeFrames(subs: readonly Subscription[]): string[] {
    return this.call('UNSUBSCRIBE', subs);
  }

  parse(frame: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]): FrameOutcome {
    return guardedParse(this.parseFrame, frame, recvTs, out, gaps);
  }

  private readonly parseFrame = (frame: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]): FrameOutcome => {
    const m = readJsonObject<BinanceInbound>(frame);
    if (typeof m === 'string') return { kind: 'error', message: m };
    // Combined-stream envelope {"stream": ..., "data": {...}} is accepted too.
    const d = (typeof m.stream === 'string' && m.data && typeof m.data === 'object' ? m.data : m) as Unchecked<BinanceInbound>;
    if ('result' in d && 'id' in d) return d.result === null ? { kind: 'subscribed' } : { kind: 'ignored', reason: 'method result' };
    if ('code' in d && 'msg' in d) return { kind: 'error', message: `venue error ${String(d.code)}: ${String(d.msg)}` };
    if (d.e === 'trade') {
      const price = num(d.p);
      const size = num(d.q);
      if (typeof d.s !== 'string' || !(price > 0) || !(size >= 0)) return { kind: 'error', message: 'trade: bad s/p/q' };
      const symbol = this.symbols.get(d.s);
      const id = typeof d.t === 'number' ? d.t : Number.NaN;
      const prev = this.lastTradeId.get(d.s);
      if (prev !== undefined && id > prev + 1)
        gaps.push({ type: 'gap', venue: this.venue, symbol, ts: recvTs, expected: prev + 1, received: id });
      if (!Number.isNaN(id)) this.lastTradeId.set(d.s, id);
      out.push({
        type: 'trade',
        venue: this.venue,
        symbol,
        ts: typeof d.T === 'number' ? d.T : typeof d.E === 'number' ? d.E : null,
        recvTs,
        price,
        size,
        side: d.m === true ? 'sell' : d.m === false ? 'buy' : 'unknown',
        id: Number.isNaN(id) ? null : String(id),
      });
      return { kind: 'data', count: 1 };
    }
    // bookTicker has no event type field: recognized by its shape.
    if (typeof d.u === 'number' && typeof d.s === 'string' && 'b' in d && 'a' in d) {
      const bid = num(d.b);
      const ask = num(d.a);
      const bidSize = num(d.B);
      const askSize = num(d.A);
      if (!(bid > 0 && ask > 0) || Number.isNaN(bidSize) || Number.isNaN(askSize))
        return { kind: 'error', message: 'bookTicker: bad b/a/B/A' };
      out.push({ type: 'quote', venue: this.venue, symbol: this.symbols.get(d.s), ts: null, recvTs, bid, bidSize, ask, askSize });
      return { kind: 'data', count: 1 };
    }
    return { kind: 'ignored', reason: `unknown event ${String(d.e ?? '?')}` };
  };
}
