/**
 * Coinbase Advanced Trade WebSocket messages: every server message is an envelope with a
 * per-connection `sequence_num` and a list of events; channels `market_trades`, `ticker`,
 * `heartbeats`, `subscriptions` and `l2_data`. Prices and sizes are decimal strings; times
 * ISO-8601 with up to nanoseconds.
 */
import type { VenueIdentity } from '../identity.ts';

/** Coinbase lists crypto against USD and writes BTC-USD, as the project does. */
export const COINBASE_VENUE = {
  name: 'coinbase',
  assetClass: 'crypto',
  quote: 'USD',
  symbolStyle: 'dash',
} as const satisfies VenueIdentity;
export const COINBASE_SYMBOL_STYLE = COINBASE_VENUE.symbolStyle;

/** The channel names of the trade and quote subscriptions. */
export const COINBASE_CHANNEL = { trades: 'market_trades', quotes: 'ticker' } as const;

export interface CoinbaseSubscribe {
  type: 'subscribe' | 'unsubscribe';
  product_ids?: readonly string[];
  channel: string;
}

interface CoinbaseEnvelope<Channel extends string, Event> {
  channel: Channel;
  client_id: string;
  timestamp: string;
  sequence_num: number;
  events: Event[];
}

/** Trade `side` is the maker's (the taker is the opposite side). */
interface CoinbaseTrade {
  trade_id: string;
  product_id: string;
  price: string;
  size: string;
  side: 'BUY' | 'SELL';
  time: string;
}

interface CoinbaseTicker {
  type: 'ticker';
  product_id: string;
  price: string;
  best_bid: string;
  best_bid_quantity: string;
  best_ask: string;
  best_ask_quantity: string;
}

export type CoinbaseTrades = CoinbaseEnvelope<'market_trades', { type: 'snapshot' | 'update'; trades: CoinbaseTrade[] }>;
export type CoinbaseTickers = CoinbaseEnvelope<'ticker', { type: 'snapshot' | 'update'; tickers: CoinbaseTicker[] }>;
export type CoinbaseHeartbeat = CoinbaseEnvelope<'heartbeats', { current_time: string; heartbeat_counter: string }>;
export type CoinbaseSubscriptions = CoinbaseEnvelope<'subscriptions', { subscriptions: Record<string, unknown> }>;

/** One change of an `l2_data` event: the new absolute quantity at a price (`offer` is the ask side). */
export interface CoinbaseL2Update {
  side: 'bid' | 'offer';
  event_time: string;
  price_level: string;
  new_quantity: string;
}
export type CoinbaseL2Data = CoinbaseEnvelope<'l2_data', { type: 'snapshot' | 'update'; product_id: string; updates: CoinbaseL2Update[] }>;

export interface CoinbaseError {
  type: 'error';
  message: string;
}

/** What a client may receive on the trade and quote channels. */
export type CoinbaseInbound = CoinbaseTrades | CoinbaseTickers | CoinbaseHeartbeat | CoinbaseSubscriptions | CoinbaseError;
