/**
 * OKX v5 public WebSocket messages: `op` requests, `event` acknowledgements and errors, and
 * channel pushes `{arg, data}` on `trades`, `bbo-tbt` and `books` (with `action`). The text
 * frames `ping`/`pong` are the keep-alive. Numbers are decimal strings.
 */
import type { VenueIdentity } from '../identity.ts';

/** OKX lists crypto against USDT and writes BTC-USDT, as the project does. */
export const OKX_VENUE = { name: 'okx', assetClass: 'crypto', quote: 'USDT', symbolStyle: 'dash' } as const satisfies VenueIdentity;
export const OKX_SYMBOL_STYLE = OKX_VENUE.symbolStyle;

/** The channel names of the trade and quote subscriptions. */
export const OKX_CHANNEL = { trades: 'trades', quotes: 'bbo-tbt' } as const;

interface OkxArg {
  channel: string;
  instId: string;
}

export interface OkxRequest {
  op: 'subscribe' | 'unsubscribe';
  args: OkxArg[];
}

export interface OkxEvent {
  event: 'subscribe' | 'unsubscribe';
  arg: OkxArg;
  connId: string;
}

export interface OkxError {
  event: 'error';
  code: string;
  msg: string;
  connId: string;
}

/** `side` is the taker's. */
export interface OkxTrade {
  instId: string;
  tradeId: string;
  px: string;
  sz: string;
  side: 'buy' | 'sell';
  ts: string;
  count: string;
}

/** A level: price, size, deprecated 0, number of orders. */
export type OkxLevel = [string, string, string, string];

export interface OkxBbo {
  asks: OkxLevel[];
  bids: OkxLevel[];
  ts: string;
  seqId: number;
}

/** `books`: sequence ids chain through `prevSeqId` (-1 on a snapshot). */
export interface OkxBookData {
  asks: OkxLevel[];
  bids: OkxLevel[];
  ts: string;
  checksum: number;
  prevSeqId: number;
  seqId: number;
}

export interface OkxPush<Data> {
  arg: OkxArg;
  action?: 'snapshot' | 'update';
  data: Data[];
}

/** What a client may receive as JSON on the trade and quote channels. */
export type OkxInbound = OkxEvent | OkxError | OkxPush<OkxTrade> | OkxPush<OkxBbo>;
