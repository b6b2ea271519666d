/** The loopback server codecs by venue. */
import { BinanceServer } from './binance.ts';
import { BitstampServer } from './bitstamp.ts';
import { CoinbaseServer } from './coinbase.ts';
import { CTraderServer } from './ctrader.ts';
import { KrakenServer } from './kraken.ts';
import { OkxServer } from './okx.ts';
import type { VenueServerCodec } from './server-codec.ts';

/** Server codecs by venue. A codec numbers the frames of one connection: make one per client. */
export const VENUE_SERVER_CODECS: Record<string, () => VenueServerCodec> = {
  binance: () => new BinanceServer(),
  coinbase: () => new CoinbaseServer(),
  kraken: () => new KrakenServer(),
  bitstamp: () => new BitstampServer(),
  okx: () => new OkxServer(),
  ctrader: () => new CTraderServer(),
};

export function serverCodecFor(venue: string): VenueServerCodec {
  const make = VENUE_SERVER_CODECS[venue];
  if (!make) throw new RangeError(`no loopback server for venue "${venue}" (known: ${Object.keys(VENUE_SERVER_CODECS).join(', ')})`);
  return make();
}

export { BinanceServer, BitstampServer, CoinbaseServer, CTraderServer, KrakenServer, OkxServer };
