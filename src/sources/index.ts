/** Sources: the venue registry, venue clients and their loopback servers, the multi-venue simulator, CSV loading. */
export { type BarCsvOptions, type LoadedBars, loadBarsCsv, readCsv } from './csv.ts';
export { loadFractionalYearCloses } from './fractional-year.ts';
export { midPriceBars, type Tick, ticksInRange } from './fx/tick-bars.ts';
export { LocalVenueServer, type Misbehaviour, serverCodecFor, type VenueServerCodec } from './loopback/index.ts';
export { type BookLine, type FrameCounts, RecordedFrames } from './recorded-frames.ts';
export * from './simulator/index.ts';
export {
  findVenue,
  type HttpVenue,
  type LoopbackServer,
  VENUE_NAMES,
  VENUE_REGISTRY,
  type VenueDescriptor,
  venueDescriptor,
  type WebSocketVenue,
} from './venue-registry.ts';
export {
  BOOK_CODECS,
  type BookCodec,
  type BookCodecOptions,
  type BookCounts,
  bookCodecFor,
  KRAKEN_PRECISION,
  krakenChecksum,
} from './venues/books/index.ts';
export { type VenueIdentity, venuePairs, venueSymbol } from './venues/identity.ts';
export { protocolFor, TRADE_AND_QUOTE_VENUES, VENUE_PROTOCOLS } from './venues/index.ts';
