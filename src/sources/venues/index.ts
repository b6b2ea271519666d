/** Venue clients by name, from the venue registry. A client holds per-connection state: make one per connection. */
import { WEBSOCKET_VENUES } from '../venue-registry.ts';
import type { VenueCodec } from './protocol.ts';

/** The client codecs of the WebSocket venues (the HTTP venues' clients are in src/sources/fx/). */
export const VENUE_PROTOCOLS: Readonly<Record<string, () => VenueCodec>> = Object.fromEntries(
  WEBSOCKET_VENUES.map((v) => [v.name, v.client]),
);

/** Venues with both trades and quotes (the crypto exchanges). */
export const TRADE_AND_QUOTE_VENUES: readonly string[] = WEBSOCKET_VENUES.filter((v) => {
  const channels = v.client().channels;
  return channels === undefined || channels.includes('trades');
}).map((v) => v.name);

/** The client codec of a venue. */
export function protocolFor(venue: string): VenueCodec {
  const make = VENUE_PROTOCOLS[venue];
  if (!make) throw new RangeError(`no protocol for venue "${venue}" (known: ${Object.keys(VENUE_PROTOCOLS).join(', ')})`);
  return make();
}

export type { VenueCodec } from './protocol.ts';
