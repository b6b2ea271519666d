/**
 * cTrader Open API messages in its JSON form: `{"clientMsgId", "payloadType", "payload"}`, the
 * payload types of the spot-price session, and prices as integers in 1/100000 of the unit.
 */
import type { VenueIdentity } from '../identity.ts';

/** cTrader brokers list FX pairs (and some crypto against USD), written EURUSD. */
export const CTRADER_VENUE = {
  name: 'ctrader',
  assetClass: 'fx',
  quote: 'USD',
  symbolStyle: 'glued-upper',
} as const satisfies VenueIdentity;
export const CTRADER_SYMBOL_STYLE = CTRADER_VENUE.symbolStyle;

export const CTRADER = {
  APPLICATION_AUTH_REQ: 2100,
  APPLICATION_AUTH_RES: 2101,
  ACCOUNT_AUTH_REQ: 2102,
  ACCOUNT_AUTH_RES: 2103,
  SYMBOLS_LIST_REQ: 2114,
  SYMBOLS_LIST_RES: 2115,
  SUBSCRIBE_SPOTS_REQ: 2127,
  SUBSCRIBE_SPOTS_RES: 2128,
  UNSUBSCRIBE_SPOTS_REQ: 2129,
  UNSUBSCRIBE_SPOTS_RES: 2130,
  SPOT_EVENT: 2131,
  OA_ERROR_RES: 2142,
  ERROR_RES: 50,
  HEARTBEAT_EVENT: 51,
} as const;

/** Spot prices are integers in this many parts of the unit, whatever the symbol's digits. */
export const CTRADER_PRICE_SCALE = 100_000;

export interface CTraderMessage<Payload = Record<string, unknown>> {
  clientMsgId?: string;
  payloadType: number;
  payload: Payload;
}

/** 2115: the broker's symbols and its numeric ids for them. */
export interface CTraderSymbolList {
  ctidTraderAccountId: unknown;
  symbol: { symbolId: number; symbolName: string; enabled: boolean }[];
}

/** 2131: only the side that changed is present. */
export interface CTraderSpotEvent {
  ctidTraderAccountId: number;
  symbolId: number;
  bid?: number;
  ask?: number;
  trendbar: unknown[];
  timestamp?: number;
}

/** A message as its frame (`clientMsgId` only when the message answers or asks something). */
export function ctraderFrame(payloadType: number, payload: object, clientMsgId?: string): string {
  return JSON.stringify(clientMsgId === undefined ? { payloadType, payload } : { clientMsgId, payloadType, payload });
}
