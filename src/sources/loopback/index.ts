/**
 * The loopback venues: in-process servers that speak each venue's protocol (the simulator's
 * venues in `emp start`, and the tests), their server-side codecs and book encoders, and the
 * faults they can be told to show. Apart from the clients in src/sources/venues/.
 */

export { LocalVenueServer, type Misbehaviour } from './local-venue-server.ts';
export type { VenueServerCodec } from './server-codec.ts';
export { serverCodecFor } from './server-codecs.ts';
