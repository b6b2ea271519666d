/**
 * Kraken WebSocket v2 messages: method calls (`subscribe`, `unsubscribe`, `ping`) and their
 * acknowledgements, and channel messages (`trade`, `ticker`, `book`, `instrument`, `heartbeat`,
 * `status`). Prices and quantities are JSON numbers; times ISO-8601.
 */
import type { VenueIdentity } from '../identity.ts';

/** Kraken lists crypto against USD and writes BTC/USD. */
export const KRAKEN_VENUE = { name: 'kraken', assetClass: 'crypto', quote: 'USD', symbolStyle: 'slash' } as const satisfies VenueIdentity;
export const KRAKEN_SYMBOL_STYLE = KRAKEN_VENUE.symbolStyle;

export interface KrakenMethodCall {
  method: 'subscribe' | 'unsubscribe' | 'ping';
  params?: { channel: string; symbol?: string[]; snapshot?: boolean; event_trigger?: 'bbo' | 'trades'; depth?: number };
  req_id?: number;
}

export interface KrakenMethodAck {
  method: string;
  result?: { channel: unknown; symbol: unknown; depth?: number };
  success: boolean;
  error?: string;
  time_in?: string;
  time_out?: string;
  req_id?: unknown;
}

export interface KrakenPong {
  method: 'pong';
  req_id: unknown;
  time_in: string;
  time_out: string;
}

interface KrakenChannelMessage<Channel extends string, Data> {
  channel: Channel;
  type: 'snapshot' | 'update';
  data: Data;
}

/** `side` is the taker's. */
interface KrakenTrade {
  symbol: string;
  side: 'buy' | 'sell';
  price: number;
  qty: number;
  ord_type: string;
  trade_id: number;
  timestamp: string;
}

interface KrakenTicker {
  symbol: string;
  bid: number;
  bid_qty: number;
  ask: number;
  ask_qty: number;
  last: number;
  timestamp: string;
}

interface KrakenBookLevel {
  price: number;
  qty: number;
}

/** A book snapshot or update, with the CRC32 checksum of the top 10 levels after it. */
interface KrakenBookData {
  symbol: string;
  bids: KrakenBookLevel[];
  asks: KrakenBookLevel[];
  checksum: number;
  timestamp: string;
}

/** The `instrument` channel: how a client learns the precisions the book checksum is computed at. */
interface KrakenInstrumentData {
  assets: unknown[];
  pairs: { symbol: string; price_precision: number; qty_precision: number }[];
}

export type KrakenTrades = KrakenChannelMessage<'trade', KrakenTrade[]>;
export type KrakenTickers = KrakenChannelMessage<'ticker', KrakenTicker[]>;
export type KrakenBook = KrakenChannelMessage<'book', KrakenBookData[]>;
export type KrakenInstrument = KrakenChannelMessage<'instrument', KrakenInstrumentData>;
export interface KrakenHeartbeat {
  channel: 'heartbeat';
}
interface KrakenStatus {
  channel: 'status';
  data: unknown;
}

/** A refused request (no method echoed when the request could not be read). */
export interface KrakenError {
  method?: unknown;
  error: string;
  success: false;
  req_id?: unknown;
}

/** What a client may receive on the trade and ticker channels. */
export type KrakenInbound = KrakenMethodAck | KrakenPong | KrakenTrades | KrakenTickers | KrakenHeartbeat | KrakenStatus;
