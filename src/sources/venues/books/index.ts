/** Venue L2 book codecs by name. A codec holds per-connection state (the books): make one per connection. */
import { BinanceBookCodec } from './binance.ts';
import { BitstampBookCodec } from './bitstamp.ts';
import type { BookCodec, BookCodecOptions } from './book-state.ts';
import { CoinbaseBookCodec } from './coinbase.ts';
import { KrakenBookCodec } from './kraken.ts';
import { OkxBookCodec } from './okx.ts';

export const BOOK_CODECS: Record<string, (opts?: BookCodecOptions) => BookCodec> = {
  binance: (opts) => new BinanceBookCodec(opts),
  coinbase: (opts) => new CoinbaseBookCodec(opts),
  kraken: (opts) => new KrakenBookCodec(opts),
  bitstamp: (opts) => new BitstampBookCodec(opts),
  okx: (opts) => new OkxBookCodec(opts),
};

/** The venue's book codec, or undefined for a venue without L2 books here (the FX venues). */
export function bookCodecFor(venue: string, opts?: BookCodecOptions): BookCodec | undefined {
  return BOOK_CODECS[venue]?.(opts);
}

export type { BookCodec, BookCodecOptions, BookCounts } from './book-state.ts';
export { crc32 } from './crc32.ts';
export {
  BinanceBookEncoder,
  BitstampBookEncoder,
  BOOK_ENCODERS,
  type BookFault,
  type BookFrameEncoder,
  CoinbaseBookEncoder,
  KrakenBookEncoder,
  OkxBookEncoder,
} from './encoders.ts';
export { checksumToken, KRAKEN_PRECISION, krakenChecksum } from './kraken.ts';
export { BinanceBookCodec, BitstampBookCodec, CoinbaseBookCodec, KrakenBookCodec, OkxBookCodec };
