/**
 * The loopback venues: in-process servers that speak each venue's protocol (the simulator's
 * venues in `emp start`, and the tests), their server-side codecs and book encoders, and the
 * faults they can be told to show. Apart from the clients in src/sources/venues/.
 */
export {
  BinanceBookEncoder,
  BitstampBookEncoder,
  BOOK_ENCODERS,
  type BookFault,
  type BookFrameEncoder,
  CoinbaseBookEncoder,
  KrakenBookEncoder,
  OkxBookEncoder,
} from './book-encoders.ts';
export { LocalVenueServer, type LocalVenueServerOptions, type Misbehaviour } from './local-venue-server.ts';
export type { ClientFrameAnswer, VenueServerCodec } from './server-codec.ts';
export {
  BinanceServer,
  BitstampServer,
  CoinbaseServer,
  CTraderServer,
  KrakenServer,
  OkxServer,
  serverCodecFor,
  VENUE_SERVER_CODECS,
} from './server-codecs.ts';
