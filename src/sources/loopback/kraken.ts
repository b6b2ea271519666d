/** Kraken v2's side of `trade`, `ticker` (bbo) and `heartbeat`, and its `ping`. */
import { canonicalInstrument } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';
import type { Subscription } from '../../stream/codec.ts';
import { readJsonObject, writeJson } from '../venues/json-frame.ts';
import type {
  KrakenError,
  KrakenHeartbeat,
  KrakenMethodAck,
  KrakenMethodCall,
  KrakenPong,
  KrakenTickers,
  KrakenTrades,
} from '../venues/kraken/messages.ts';
import { KRAKEN_SYMBOL_STYLE } from '../venues/kraken/messages.ts';
import { spellSymbol } from '../venues/symbol-style.ts';
import type { ClientFrameAnswer, VenueServerCodec } from './server-codec.ts';

export class KrakenServer implements VenueServerCodec {
  readonly venue = 'kraken';

  onClientFrame(text: string): ClientFrameAnswer {
    const m = readJsonObject<KrakenMethodCall>(text);
    if (typeof m === 'string') return { replies: [writeJson<KrakenError>({ error: 'Malformed request', success: false })] };
    const now = new Date().toISOString();
    if (m.method === 'ping') return { replies: [writeJson<KrakenPong>({ method: 'pong', req_id: m.req_id, time_in: now, time_out: now })] };
    if (m.method !== 'subscribe' && m.method !== 'unsubscribe')
      return { replies: [writeJson<KrakenError>({ error: 'Unsupported method', success: false })] };
    const params = m.params as { channel?: unknown; symbol?: unknown } | undefined;
    const ch = params?.channel === 'trade' ? 'trades' : params?.channel === 'ticker' ? 'quotes' : null;
    if (!ch || !Array.isArray(params?.symbol)) {
      return {
        replies: [writeJson<KrakenError>({ method: m.method, error: 'Invalid channel or symbol', success: false, req_id: m.req_id })],
      };
    }
    const symbols = params.symbol as unknown[];
    const subs = symbols.map((s) => ({ symbol: canonicalInstrument(String(s)), channel: ch }) as Subscription);
    const replies = symbols.map((s) =>
      writeJson<KrakenMethodAck>({
        method: m.method as string,
        result: { channel: params?.channel, symbol: s },
        success: true,
        time_in: now,
        time_out: now,
        req_id: m.req_id,
      }),
    );
    return m.method === 'subscribe' ? { replies, subscribe: subs } : { replies, unsubscribe: subs };
  }

  encode(r: MarketRecord, _seq: number): string {
    const symbol = spellSymbol(r.symbol, KRAKEN_SYMBOL_STYLE);
    const timestamp = new Date(r.ts ?? r.recvTs).toISOString();
    if (r.type === 'trade') {
      return writeJson<KrakenTrades>({
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
    return writeJson<KrakenTickers>({
      channel: 'ticker',
      type: 'update',
      data: [{ symbol, bid: r.bid, bid_qty: r.bidSize, ask: r.ask, ask_qty: r.askSize, last: (r.bid + r.ask) / 2, timestamp }],
    });
  }

  heartbeat(): string {
    return writeJson<KrakenHeartbeat>({ channel: 'heartbeat' });
  }
}
