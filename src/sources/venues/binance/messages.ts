/**
 * Binance spot WebSocket and REST messages, as the venue documents them: the trade and
 * bookTicker streams, diff depth and its REST snapshot, and the method calls that subscribe.
 * Prices and quantities are decimal strings.
 */
import type { VenueIdentity } from '../identity.ts';

/** Binance lists crypto against USDT and writes BTCUSDT (lower case in stream names: `btcusdt@trade`). */
export const BINANCE_VENUE = {
  name: 'binance',
  assetClass: 'crypto',
  quote: 'USDT',
  symbolStyle: 'glued-upper',
} as const satisfies VenueIdentity;
export const BINANCE_SYMBOL_STYLE = BINANCE_VENUE.symbolStyle;

/** `<symbol>@trade`. `m`: the buyer is the maker (so the taker sold). */
export interface BinanceTrade {
  e: 'trade';
  /** Event time, ms. */
  E: number;
  s: string;
  /** Trade id, consecutive per symbol. */
  t: number;
  p: string;
  q: string;
  /** Trade time, ms. */
  T: number;
  m: boolean;
  M: boolean;
}

/** `<symbol>@bookTicker`: no event type field, recognized by its shape. */
export interface BinanceBookTicker {
  u: number;
  s: string;
  b: string;
  B: string;
  a: string;
  A: string;
}

/** `<symbol>@depth@100ms`: absolute sizes, update ids `U`..`u` (`pu` on futures streams). */
export interface BinanceDepthUpdate {
  e: 'depthUpdate';
  E: number;
  s: string;
  U: number;
  u: number;
  pu?: number;
  b: string[][];
  a: string[][];
}

/** `GET /api/v3/depth` body; `symbol` is this project's extension for recorded files. */
export interface BinanceDepthSnapshot {
  lastUpdateId: number;
  symbol?: string;
  bids: string[][];
  asks: string[][];
}

/** The combined-stream envelope. */
export interface BinanceCombined {
  stream: string;
  data: unknown;
}

export interface BinanceMethodCall {
  method: 'SUBSCRIBE' | 'UNSUBSCRIBE';
  params: string[];
  id: number;
}

export interface BinanceMethodResult {
  result: null;
  id: unknown;
}

export interface BinanceError {
  code: number;
  msg: string;
  id?: unknown;
}

/** What a client may receive on the trade and quote streams. */
export type BinanceInbound = BinanceTrade | BinanceBookTicker | BinanceCombined | BinanceMethodResult | BinanceError;
