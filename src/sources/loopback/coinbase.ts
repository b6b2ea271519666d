/** Coinbase's side of `market_trades`, `ticker` and `heartbeats`: one sequence over every message of a connection. */
import { canonicalInstrument } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';
import type { Subscription } from '../../stream/codec.ts';
import type {
  CoinbaseError,
  CoinbaseHeartbeat,
  CoinbaseSubscribe,
  CoinbaseSubscriptions,
  CoinbaseTickers,
  CoinbaseTrades,
} from '../venues/coinbase/messages.ts';
import { readJsonObject, writeJson } from '../venues/json-frame.ts';
import type { ClientFrameAnswer, VenueServerCodec } from './server-codec.ts';

export class CoinbaseServer implements VenueServerCodec {
  readonly venue = 'coinbase';
  private seqOut = 0;

  /** Other channels' messages on this connection (the book) take their numbers from the same count. */
  nextSequence(): number {
    return this.seqOut++;
  }

  onClientFrame(text: string): ClientFrameAnswer {
    const m = readJsonObject<CoinbaseSubscribe>(text);
    if (typeof m === 'string') return { replies: [writeJson<CoinbaseError>({ type: 'error', message: 'failure to parse JSON' })] };
    if ((m.type !== 'subscribe' && m.type !== 'unsubscribe') || typeof m.channel !== 'string') {
      return { replies: [writeJson<CoinbaseError>({ type: 'error', message: 'type and channel are required' })] };
    }
    if (m.channel === 'heartbeats') return { replies: [] };
    const ch = m.channel === 'market_trades' ? 'trades' : m.channel === 'ticker' ? 'quotes' : null;
    if (!ch || !Array.isArray(m.product_ids))
      return { replies: [writeJson<CoinbaseError>({ type: 'error', message: `unknown channel ${String(m.channel)}` })] };
    const subs = m.product_ids.map((p) => ({ symbol: canonicalInstrument(String(p)), channel: ch }) as Subscription);
    const ack = writeJson<CoinbaseSubscriptions>({
      channel: 'subscriptions',
      client_id: '',
      timestamp: new Date().toISOString(),
      sequence_num: this.seqOut++,
      events: [{ subscriptions: { [m.channel]: m.product_ids } }],
    });
    return m.type === 'subscribe' ? { replies: [ack], subscribe: subs } : { replies: [ack], unsubscribe: subs };
  }

  encode(r: MarketRecord, _seq: number): string {
    const ts = new Date(r.ts ?? r.recvTs).toISOString();
    if (r.type === 'trade') {
      return writeJson<CoinbaseTrades>({
        channel: 'market_trades',
        client_id: '',
        timestamp: ts,
        sequence_num: this.seqOut++,
        events: [
          {
            type: 'update',
            trades: [
              {
                trade_id: r.id ?? '0',
                product_id: r.symbol,
                price: String(r.price),
                size: String(r.size),
                side: r.side === 'buy' ? 'SELL' : 'BUY',
                time: ts,
              },
            ],
          },
        ],
      });
    }
    return writeJson<CoinbaseTickers>({
      channel: 'ticker',
      client_id: '',
      timestamp: ts,
      sequence_num: this.seqOut++,
      events: [
        {
          type: 'update',
          tickers: [
            {
              type: 'ticker',
              product_id: r.symbol,
              price: String((r.bid + r.ask) / 2),
              best_bid: String(r.bid),
              best_bid_quantity: String(r.bidSize),
              best_ask: String(r.ask),
              best_ask_quantity: String(r.askSize),
            },
          ],
        },
      ],
    });
  }

  heartbeat(_seq: number, now: number): string {
    return writeJson<CoinbaseHeartbeat>({
      channel: 'heartbeats',
      client_id: '',
      timestamp: new Date(now).toISOString(),
      sequence_num: this.seqOut++,
      events: [{ current_time: new Date(now).toISOString(), heartbeat_counter: String(this.seqOut) }],
    });
  }
}
