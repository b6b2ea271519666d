import type { InstrumentId } from '../../core/instrument.ts';

/** How a venue spells an instrument: BTCUSDT, BTC-USD, BTC/USD, btcusd, EUR_USD. */
export type SymbolStyle = 'glued-upper' | 'dash' | 'slash' | 'glued-lower' | 'underscore';

/** A canonical pair (BASE-QUOTE) as a venue with this style writes it on the wire. */
export function spellSymbol(pair: InstrumentId, style: SymbolStyle): string {
  switch (style) {
    case 'glued-upper':
      return pair.replace('-', '');
    case 'glued-lower':
      return pair.replace('-', '').toLowerCase();
    case 'dash':
      return pair;
    case 'slash':
      return pair.replace('-', '/');
    case 'underscore':
      return pair.replace('-', '_');
  }
}
