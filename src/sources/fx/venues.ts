/** The FX venues' identities (browser-safe: the simulator reads them; the registry adds how each is reached). */
import type { VenueIdentity } from '../venues/identity.ts';

/** Dukascopy's tick files: FX pairs written EURUSD. */
export const DUKASCOPY_VENUE = {
  name: 'dukascopy',
  assetClass: 'fx',
  quote: 'USD',
  symbolStyle: 'glued-upper',
} as const satisfies VenueIdentity;

/** OANDA's v20 pricing stream: FX pairs written EUR_USD. */
export const OANDA_VENUE = { name: 'oanda', assetClass: 'fx', quote: 'USD', symbolStyle: 'underscore' } as const satisfies VenueIdentity;
