/**
 * What names a venue apart from how it is reached: its asset class, the currency it quotes
 * crypto in, and how it spells a pair. Each venue states its own (in its folder); the registry
 * (src/sources/venue-registry.ts) and the simulator read them. Pure data, browser-safe.
 */
import { type InstrumentId, splitInstrument } from '../../core/instrument.ts';
import { type SymbolStyle, spellSymbol } from './symbol-style.ts';

export type AssetClass = 'crypto' | 'fx';

export interface VenueIdentity {
  /** binance, coinbase, ... */
  readonly name: string;
  /** What it lists: a venue streams only instruments of its class. */
  readonly assetClass: AssetClass;
  /** Quote currency it lists crypto against ('USD' or 'USDT'); an FX pair is quoted as itself. */
  readonly quote: string;
  readonly symbolStyle: SymbolStyle;
}

/** An instrument's asset class; crypto when unstated. */
interface Listed {
  readonly symbol: InstrumentId;
  readonly assetClass?: AssetClass;
}

/** Does the venue list the instrument? (same asset class; crypto when unstated) */
export const venueLists = (venue: { readonly assetClass?: AssetClass }, ins: { readonly assetClass?: AssetClass }): boolean =>
  (venue.assetClass ?? 'crypto') === (ins.assetClass ?? 'crypto');

/** The venue's own canonical pair: BTC-USD on a USDT venue is BTC-USDT; an FX pair is itself. */
export function venueInstrument(symbol: InstrumentId, venue: { readonly assetClass?: AssetClass; readonly quote: string }): InstrumentId {
  if (venue.assetClass === 'fx') return symbol;
  return `${splitInstrument(symbol).base}-${venue.quote}`;
}

/** The venue's pairs of these instruments, for those it lists. */
export function venuePairs(venue: VenueIdentity, instruments: readonly Listed[]): InstrumentId[] {
  return instruments.filter((i) => venueLists(venue, i)).map((i) => venueInstrument(i.symbol, venue));
}

/** How the venue writes a canonical pair on the wire. */
export const venueSymbol = (venue: Pick<VenueIdentity, 'symbolStyle'>, pair: InstrumentId): string => spellSymbol(pair, venue.symbolStyle);
