/** The loopback server codecs by venue, from the venue registry. */
import { WEBSOCKET_VENUES } from '../venue-registry.ts';
import type { VenueServerCodec } from './server-codec.ts';

/** Server codecs by venue. A codec numbers the frames of one connection: make one per client. */
export const VENUE_SERVER_CODECS: Readonly<Record<string, () => VenueServerCodec>> = Object.fromEntries(
  WEBSOCKET_VENUES.map((v) => [v.name, v.loopbackServer]),
);

export function serverCodecFor(venue: string): VenueServerCodec {
  const make = VENUE_SERVER_CODECS[venue];
  if (!make) throw new RangeError(`no loopback server for venue "${venue}" (known: ${Object.keys(VENUE_SERVER_CODECS).join(', ')})`);
  return make();
}
