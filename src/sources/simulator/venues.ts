import { splitInstrument } from '../../core/instrument.ts';
import type { InstrumentSpec, SymbolStyle, VenueSpec } from './types.ts';

/** Five venues modelled on the big crypto exchanges' conventions (not their real statistics). */
export const DEFAULT_VENUES: readonly VenueSpec[] = [
  {
    name: 'binance',
    symbolStyle: 'glued-upper',
    quote: 'USDT',
    noiseBps: 1.5,
    spreadBps: 1,
    latencyMs: 25,
    latencyJitterMs: 10,
    clockSkewMs: 3,
    tradeRate: 0.5,
    quoteRate: 0.5,
  },
  {
    name: 'coinbase',
    symbolStyle: 'dash',
    quote: 'USD',
    noiseBps: 2,
    spreadBps: 2,
    latencyMs: 40,
    latencyJitterMs: 15,
    clockSkewMs: -5,
    tradeRate: 0.4,
    quoteRate: 0.6,
  },
  {
    name: 'kraken',
    symbolStyle: 'slash',
    quote: 'USD',
    noiseBps: 3,
    spreadBps: 3,
    latencyMs: 60,
    latencyJitterMs: 25,
    clockSkewMs: 12,
    tradeRate: 0.3,
    quoteRate: 0.7,
  },
  {
    name: 'bitstamp',
    symbolStyle: 'glued-lower',
    quote: 'USD',
    noiseBps: 4,
    spreadBps: 5,
    latencyMs: 80,
    latencyJitterMs: 40,
    clockSkewMs: -20,
    tradeRate: 0.3,
    quoteRate: 0.7,
  },
  {
    name: 'okx',
    symbolStyle: 'dash',
    quote: 'USDT',
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
    name: 'dukascopy',
    assetClass: 'fx',
    symbolStyle: 'glued-upper',
    quote: 'USD',
    noiseBps: 0.3,
    spreadBps: 0.6,
    latencyMs: 30,
    latencyJitterMs: 10,
    clockSkewMs: 2,
    tradeRate: 0,
    quoteRate: 1,
  },
  {
    name: 'oanda',
    assetClass: 'fx',
    symbolStyle: 'underscore',
    quote: 'USD',
    noiseBps: 0.4,
    spreadBps: 1,
    latencyMs: 45,
    latencyJitterMs: 15,
    clockSkewMs: -4,
    tradeRate: 0,
    quoteRate: 1,
  },
  {
    name: 'ctrader',
    assetClass: 'fx',
    symbolStyle: 'glued-upper',
    quote: 'USD',
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

/** Does the venue list the instrument? (same asset class; crypto when unstated) */
export const venueLists = (venue: VenueSpec, ins: InstrumentSpec): boolean =>
  (venue.assetClass ?? 'crypto') === (ins.assetClass ?? 'crypto');

/**
 * The venue's own canonical pair: BTC-USD on a USDT venue is BTC-USDT; an FX pair is itself.
 */
export function venueInstrument(symbol: string, venue: VenueSpec): string {
  if (venue.assetClass === 'fx') return symbol;
  return `${splitInstrument(symbol).base}-${venue.quote}`;
}

/** How the venue spells a canonical pair on the wire. */
export function formatSymbol(pair: string, style: SymbolStyle): string {
  const { base, quote } = splitInstrument(pair);
  switch (style) {
    case 'glued-upper':
      return `${base}${quote}`;
    case 'glued-lower':
      return `${base}${quote}`.toLowerCase();
    case 'dash':
      return `${base}-${quote}`;
    case 'slash':
      return `${base}/${quote}`;
    case 'underscore':
      return `${base}_${quote}`;
  }
}
