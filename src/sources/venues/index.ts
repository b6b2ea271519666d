/** Venue clients by name. A client holds per-connection state: make one per connection. */
import { BinanceClient } from './binance/client.ts';
import { BitstampClient } from './bitstamp/client.ts';
import { CoinbaseClient } from './coinbase/client.ts';
import { CTraderClient } from './ctrader/client.ts';
import { KrakenClient } from './kraken/client.ts';
import { OkxClient } from './okx/client.ts';
import type { VenueCodec } from './protocol.ts';

export const VENUE_PROTOCOLS: Record<string, () => VenueCodec> = {
  binance: () => new BinanceClient(),
  coinbase: () => new CoinbaseClient(),
  kraken: () => new KrakenClient(),
  bitstamp: () => new BitstampClient(),
  okx: () => new OkxClient(),
  ctrader: () => new CTraderClient(),
};

/** Venues with both trades and quotes (the crypto exchanges). */
export const TRADE_AND_QUOTE_VENUES: readonly string[] = Object.keys(VENUE_PROTOCOLS).filter((v) => {
  const channels = (VENUE_PROTOCOLS[v] as () => VenueCodec)().channels;
  return channels === undefined || channels.includes('trades');
});

/** The client codec of a venue. */
export function protocolFor(venue: string): VenueCodec {
  const make = VENUE_PROTOCOLS[venue];
  if (!make) throw new RangeError(`no protocol for venue "${venue}" (known: ${Object.keys(VENUE_PROTOCOLS).join(', ')})`);
  return make();
}

export type { FrameOutcome, Subscription, VenueCodec } from './protocol.ts';
export { BinanceClient, BitstampClient, CoinbaseClient, CTraderClient, KrakenClient, OkxClient };
