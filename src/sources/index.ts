/** Sources: the multi-venue simulator, venue protocols, CSV loading. */
export { type BarCsvOptions, type LoadedBars, loadBarsCsv, readCsv } from './csv.ts';
export { loadFractionalYearCloses } from './fractional-year.ts';
export * from './simulator/index.ts';
export {
  BOOK_CODECS,
  type BookCodec,
  type BookCodecOptions,
  type BookCounts,
  bookCodecFor,
  KRAKEN_PRECISION,
  krakenChecksum,
} from './venues/books/index.ts';
export { protocolFor, TRADE_AND_QUOTE_VENUES, VENUE_PROTOCOLS } from './venues/index.ts';
