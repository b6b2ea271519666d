/**
 * Bitstamp WebSocket v2 messages: `{event, channel, data}` envelopes on `live_trades_<pair>`,
 * `order_book_<pair>` (top of book) and `diff_order_book_<pair>`, and the REST order-book body.
 * Times are strings of seconds and microseconds; prices and amounts decimal strings (trades carry
 * numbers too).
 */
import type { VenueIdentity } from '../identity.ts';

/** Bitstamp lists crypto against USD and writes btcusd. */
export const BITSTAMP_VENUE = {
  name: 'bitstamp',
  assetClass: 'crypto',
  quote: 'USD',
  symbolStyle: 'glued-lower',
} as const satisfies VenueIdentity;
export const BITSTAMP_SYMBOL_STYLE = BITSTAMP_VENUE.symbolStyle;

interface BitstampEnvelope<Event extends string, Data> {
  data: Data;
  channel: string;
  event: Event;
}

export interface BitstampRequest {
  event: 'bts:subscribe' | 'bts:unsubscribe' | 'bts:heartbeat';
  data: { channel: string };
}

/** `type` 0 is a buy, 1 a sell (the taker's side). */
interface BitstampTrade {
  id: number;
  timestamp: string;
  amount: number;
  amount_str: string;
  price: number;
  price_str: string;
  type: 0 | 1;
  microtimestamp: string;
}

/** `order_book_<pair>`, `diff_order_book_<pair>` data and the REST body: [price, amount] levels. */
interface BitstampBookData {
  timestamp: string;
  microtimestamp: string;
  bids: string[][];
  asks: string[][];
}

/** The REST order book (`pair` is this project's extension for recorded files). */
export interface BitstampRestBook extends BitstampBookData {
  pair?: string;
}

export type BitstampTrades = BitstampEnvelope<'trade', BitstampTrade>;
export type BitstampBook = BitstampEnvelope<'data', BitstampBookData>;
export type BitstampControl = BitstampEnvelope<
  'bts:subscription_succeeded' | 'bts:unsubscription_succeeded' | 'bts:request_reconnect' | 'bts:heartbeat' | 'bts:error',
  unknown
>;

/** What a client may receive. */
export type BitstampInbound = BitstampTrades | BitstampBook | BitstampControl;
