import { DUKASCOPY_VENUE, OANDA_VENUE } from '../fx/venues.ts';
import { BINANCE_VENUE } from '../venues/binance/messages.ts';
import { BITSTAMP_VENUE } from '../venues/bitstamp/messages.ts';
import { COINBASE_VENUE } from '../venues/coinbase/messages.ts';
import { CTRADER_VENUE } from '../venues/ctrader/messages.ts';
import { KRAKEN_VENUE } from '../venues/kraken/messages.ts';
import { OKX_VENUE } from '../venues/okx/messages.ts';
import { type SymbolStyle, spellSymbol } from '../venues/symbol-style.ts';
import type { InstrumentSpec, VenueSpec } from './types.ts';

/**
 * The simulator's venues: each venue's identity (asset class, quote currency, symbol style) as
 * the venue states it in its own folder, with the simulator's own parameters for it — noise,
 * spread, latency, clock skew, event rates.
 */

/** Five venues modelled on the big crypto exchanges' conventions (not their real statistics). */
export const DEFAULT_VENUES: readonly VenueSpec[] = [
  {
    ...BINANCE_VENUE,
    noiseBps: 1.5,
    spreadBps: 1,
    latencyMs: 25,
    latencyJitterMs: 10,
    clockSkewMs: 3,
    tradeRate: 0.5,
    quoteRate: 0.5,
  },
  {
    ...COINBASE_VENUE,
    noiseBps: 2,
    spreadBps: 2,
    latencyMs: 40,
    latencyJitterMs: 15,
    clockSkewMs: -5,
    tradeRate: 0.4,
    quoteRate: 0.6,
  },
  {
    ...KRAKEN_VENUE,
    noiseBps: 3,
    spreadBps: 3,
    latencyMs: 60,
    latencyJitterMs: 25,
    clockSkewMs: 12,
    tradeRate: 0.3,
    quoteRate: 0.7,
  },
  {
    ...BITSTAMP_VENUE,
    noiseBps: 4,
    spreadBps: 5,
    latencyMs: 80,
    latencyJitterMs: 40,
    clockSkewMs: -20,
    tradeRate: 0.3,
    quoteRate: 0.7,
  },
  {
    ...OKX_VENUE,
    noiseBps: 2.5,
    spreadBps: 2,
    latencyMs: 50,
    latencyJitterMs: 20,
    clockSkewMs: 8,
    tradeRate: 0.4,
    quoteRate: 0.6,
  },
];

export const DEFAULT_INSTRUMENTS: readonly InstrumentSpec[] = [
  { symbol: 'BTC-USD', initialPrice: 60_000 },
  { symbol: 'ETH-USD', initialPrice: 3_000 },
  { symbol: 'SOL-USD', initialPrice: 150 },
];

/**
 * FX venues modelled on the FX sources' conventions: Dukascopy (ticks in points, EURUSD),
 * OANDA (EUR_USD, streaming prices), cTrader (EURUSD, spot events). Quotes only: FX sources
 * publish prices, not trades. Tighter and quieter than the crypto venues.
 */
export const FX_VENUES: readonly VenueSpec[] = [
  {
    ...DUKASCOPY_VENUE,
    noiseBps: 0.3,
    spreadBps: 0.6,
    latencyMs: 30,
    latencyJitterMs: 10,
    clockSkewMs: 2,
    tradeRate: 0,
    quoteRate: 1,
  },
  {
    ...OANDA_VENUE,
    noiseBps: 0.4,
    spreadBps: 1,
    latencyMs: 45,
    latencyJitterMs: 15,
    clockSkewMs: -4,
    tradeRate: 0,
    quoteRate: 1,
  },
  {
    ...CTRADER_VENUE,
    noiseBps: 0.5,
    spreadBps: 0.8,
    latencyMs: 35,
    latencyJitterMs: 12,
    clockSkewMs: 6,
    tradeRate: 0,
    quoteRate: 1,
  },
];

export const FX_INSTRUMENTS: readonly InstrumentSpec[] = [
  { symbol: 'EUR-USD', initialPrice: 1.085, assetClass: 'fx' },
  { symbol: 'GBP-USD', initialPrice: 1.27, assetClass: 'fx' },
  { symbol: 'USD-JPY', initialPrice: 150, assetClass: 'fx' },
];

export { venueInstrument, venueLists } from '../venues/identity.ts';

/** How the venue spells a canonical pair on the wire (the venues' own spelling, src/sources/venues/symbol-style.ts). */
export function formatSymbol(pair: string, style: SymbolStyle): string {
  return spellSymbol(pair, style);
}
