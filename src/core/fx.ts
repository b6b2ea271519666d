/**
 * FX price units. A *point* is the smallest price step most FX sources quote in (Dukascopy's
 * integer prices, cTrader's 1/100000): 0.001 for yen-quoted pairs and gold, 0.00001 otherwise.
 * A *pip* is ten points: 0.01 for yen-quoted pairs, 0.0001 otherwise.
 */
import { type InstrumentId, splitInstrument } from './instrument.ts';

const THREE_DECIMALS = new Set(['JPY', 'HUF']);

export function pointSize(id: InstrumentId): number {
  const { base, quote } = splitInstrument(id);
  return THREE_DECIMALS.has(quote) || base === 'XAU' ? 1e-3 : 1e-5;
}

export function pipSize(id: InstrumentId): number {
  return pointSize(id) * 10;
}

/** A price difference in pips. */
export function toPips(priceDiff: number, id: InstrumentId): number {
  return priceDiff / pipSize(id);
}
