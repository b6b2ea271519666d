/**
 * FX price units. A *point* is the smallest price step most FX sources quote in (Dukascopy's
 * integer prices, cTrader's 1/100000): 0.001 for yen-quoted pairs and gold, 0.00001 otherwise.
 */
import { type InstrumentId, splitInstrument } from './instrument.ts';

const THREE_DECIMALS = new Set(['JPY', 'HUF']);

export function pointSize(id: InstrumentId): number {
  const { base, quote } = splitInstrument(id);
  return THREE_DECIMALS.has(quote) || base === 'XAU' ? 1e-3 : 1e-5;
}
