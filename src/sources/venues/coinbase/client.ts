/**
 * Coinbase Advanced Trade public market data: channels `market_trades`, `ticker` and
 * `heartbeats` (one subscribe message per channel). Every message carries a per-connection
 * `sequence_num`, so a skipped number is a gap. Trade `side` follows the maker-side convention
 * of Coinbase's match feeds, so the taker is the opposite side. Times are ISO-8601 with up to
 * nanoseconds.
 */
import type { GapEvent } from '../../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../../core/instrument.ts';
import type { MarketRecord } from '../../../core/market.ts';
import { readJsonObject, writeJson } from '../json-frame.ts';
import { type FrameOutcome, guardedParse, isoToMs, num, type Subscription, SymbolMap, type VenueCodec } from '../protocol.ts';
import { spellSymbol } from '../symbol-style.ts';
import { COINBASE_CHANNEL, COINBASE_SYMBOL_STYLE, type CoinbaseInbound, type CoinbaseSubscribe } from './messages.ts';

export class CoinbaseClient implements VenueCodec {
  readonly venue = 'coinbase';
  readonly url = 'wss://advanced-trade-ws.coinbase.com';
  private readonly symbols = new SymbolMap(canonicalInstrument);
  private lastSeq = -1;

  venueSymbol(symbol: InstrumentId): string {
    return spellSymbol(symbol, COINBASE_SYMBOL_STYLE);
  }

  private frames(type: 'subscribe' | 'unsubscribe', subs: readonly Subscription[]): string[] {
    const out: string[] = [];
    for (const ch of ['trades', 'quotes'] as const) {
      const ids = subs.filter((s) => s.channel === ch).map((s) => s.symbol);
      if (ids.length) out.push(writeJson<CoinbaseSubscribe>({ type, product_ids: ids, channel: COINBASE_CHANNEL[ch] }));
    }
    // Heartbeats keep a quiet connection provably alive (and numbered).
    if (type === 'subscribe' && subs.length) out.push(writeJson<CoinbaseSubscribe>({ type, channel: 'heartbeats' }));
    return out;
  }

  subscribeFrames(subs: readonly Subscription[]): string[] {
    // A new connection starts its sequence numbers again.
    this.lastSeq = -1;
    return this.frames('subscribe', subs);
  }

  unsubscribeFrames(subs: readonly Subscription[]): string[] {
    return this.frames('unsubscribe', subs);
  }

  parse(frame: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]): FrameOutcome {
    return guardedParse(this.parseFrame, frame, recvTs, out, gaps);
  }

  private readonly parseFrame = (frame: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]): FrameOutcome => {
    const m = readJsonObject<CoinbaseInbound>(frame);
    if (typeof m === 'string') return { kind: 'error', message: m };
    if (m.type === 'error') return { kind: 'error', message: `venue error: ${String(m.message)}` };
    if (typeof m.sequence_num === 'number') {
      if (this.lastSeq >= 0 && m.sequence_num > this.lastSeq + 1) {
        gaps.push({ type: 'gap', venue: this.venue, symbol: null, ts: recvTs, expected: this.lastSeq + 1, received: m.sequence_num });
      }
      this.lastSeq = m.sequence_num;
    }
    if (!Array.isArray(m.events)) return { kind: 'error', message: 'no events array' };
    switch (m.channel) {
      case 'subscriptions':
        return { kind: 'subscribed' };
      case 'heartbeats':
        return { kind: 'heartbeat' };
      case 'market_trades': {
        let n = 0;
        for (const ev of m.events as { trades?: unknown }[]) {
          if (!Array.isArray(ev?.trades)) return { kind: 'error', message: 'market_trades: no trades' };
          for (const t of ev.trades as Record<string, unknown>[]) {
            const price = num(t.price);
            const size = num(t.size);
            if (typeof t.product_id !== 'string' || !(price > 0) || !(size >= 0))
              return { kind: 'error', message: 'market_trades: bad trade' };
            out.push({
              type: 'trade',
              venue: this.venue,
              symbol: this.symbols.get(t.product_id),
              ts: isoToMs(t.time),
              recvTs,
              price,
              size,
              side: t.side === 'BUY' ? 'sell' : t.side === 'SELL' ? 'buy' : 'unknown',
              id: typeof t.trade_id === 'string' ? t.trade_id : null,
            });
            n++;
          }
        }
        return { kind: 'data', count: n };
      }
      case 'ticker': {
        const ts = isoToMs(m.timestamp);
        let n = 0;
        for (const ev of m.events as { tickers?: unknown }[]) {
          if (!Array.isArray(ev?.tickers)) return { kind: 'error', message: 'ticker: no tickers' };
          for (const t of ev.tickers as Record<string, unknown>[]) {
            const bid = num(t.best_bid);
            const ask = num(t.best_ask);
            if (typeof t.product_id !== 'string' || !(bid > 0 && ask > 0))
              return { kind: 'error', message: 'ticker: bad best_bid/best_ask' };
            out.push({
              type: 'quote',
              venue: this.venue,
              symbol: this.symbols.get(t.product_id),
              ts,
              recvTs,
              bid,
              bidSize: num(t.best_bid_quantity),
              ask,
              askSize: num(t.best_ask_quantity),
            });
            n++;
          }
        }
        return { kind: 'data', count: n };
      }
      default:
        return { kind: 'ignored', reason: `channel ${String(m.channel)}` };
    }
  };
}
