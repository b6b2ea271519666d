/** Venue L2 book codecs by name. A codec holds per-connection state (the books): make one per connection. */
import { BinanceBookCodec } from '../binance/book.ts';
import { BitstampBookCodec } from '../bitstamp/book.ts';
import { CoinbaseBookCodec } from '../coinbase/book.ts';
import { KrakenBookCodec } from '../kraken/book.ts';
import { OkxBookCodec } from '../okx/book.ts';
import type { BookCodec, BookCodecOptions } from './book-state.ts';

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

export { checksumToken, KRAKEN_PRECISION, krakenChecksum } from '../kraken/book.ts';
export type { BookCodec, BookCodecOptions, BookCounts } from './book-state.ts';
export { crc32 } from './crc32.ts';
export { BinanceBookCodec, BitstampBookCodec, CoinbaseBookCodec, KrakenBookCodec, OkxBookCodec };
