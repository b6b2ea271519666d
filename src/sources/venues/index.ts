/** Venue protocols by name. A protocol object holds per-connection state: make one per connection. */
import { BinanceProtocol } from './binance.ts';
import { BitstampProtocol } from './bitstamp.ts';
import { CoinbaseProtocol } from './coinbase.ts';
import { CTraderProtocol } from './ctrader.ts';
import { KrakenProtocol } from './kraken.ts';
import { OkxProtocol } from './okx.ts';
import type { VenueProtocol } from './protocol.ts';

export const VENUE_PROTOCOLS: Record<string, () => VenueProtocol> = {
  binance: () => new BinanceProtocol(),
  coinbase: () => new CoinbaseProtocol(),
  kraken: () => new KrakenProtocol(),
  bitstamp: () => new BitstampProtocol(),
  okx: () => new OkxProtocol(),
  ctrader: () => new CTraderProtocol(),
};

/** Venues with both trades and quotes (the crypto exchanges). */
export const TRADE_AND_QUOTE_VENUES: readonly string[] = Object.keys(VENUE_PROTOCOLS).filter((v) => {
  const channels = (VENUE_PROTOCOLS[v] as () => VenueProtocol)().channels;
  return channels === undefined || channels.includes('trades');
});

export function protocolFor(venue: string): VenueProtocol {
  const make = VENUE_PROTOCOLS[venue];
  if (!make) throw new RangeError(`no protocol for venue "${venue}" (known: ${Object.keys(VENUE_PROTOCOLS).join(', ')})`);
  return make();
}

export type { FrameOutcome, Subscription, VenueCodec, VenueProtocol, VenueServerCodec } from './protocol.ts';
export { BinanceProtocol, BitstampProtocol, CoinbaseProtocol, CTraderProtocol, KrakenProtocol, OkxProtocol };
