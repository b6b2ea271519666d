/** Venue L2 book codecs by name. A codec holds per-connection state (the books): make one per connection. */
import { VENUE_REGISTRY } from '../../venue-registry.ts';
import type { BookCodec, BookCodecOptions } from './book-state.ts';

export const BOOK_CODECS: Readonly<Record<string, (opts?: BookCodecOptions) => BookCodec>> = Object.fromEntries(
  VENUE_REGISTRY.flatMap((v) => (v.transport === 'websocket' && v.book ? [[v.name, v.book]] : [])),
);

/** The venue's book codec, or undefined for a venue without L2 books here (the FX venues). */
export function bookCodecFor(venue: string, opts?: BookCodecOptions): BookCodec | undefined {
  return BOOK_CODECS[venue]?.(opts);
}

export { BinanceBookCodec } from '../binance/book.ts';
export { BitstampBookCodec } from '../bitstamp/book.ts';
export { CoinbaseBookCodec } from '../coinbase/book.ts';
export { checksumToken, KRAKEN_PRECISION, KrakenBookCodec, krakenChecksum } from '../kraken/book.ts';
export { OkxBookCodec } from '../okx/book.ts';
export type { BookCodec, BookCodecOptions, BookCounts } from './book-state.ts';
export { crc32 } from './crc32.ts';
