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

export { KRAKEN_PRECISION, krakenChecksum } from '../kraken/book.ts';

export type { BookCodec, BookCodecOptions, BookCounts } from './book-state.ts';
