/**
 * The simulator's public contract (other layers code against this; the implementation lives
 * beside it). Deterministic by seed: same config, same output, bit for bit.
 */
import type { InstrumentId } from '../../core/instrument.ts';
import type { BarSeries, Quote, Trade } from '../../core/market.ts';
import type { Regime } from '../../core/regime.ts';
import type { EpochMs, Timeframe } from '../../core/time.ts';

import type { AssetClass } from '../venues/identity.ts';
import type { SymbolStyle } from '../venues/symbol-style.ts';

export type { AssetClass } from '../venues/identity.ts';
export type { SymbolStyle } from '../venues/symbol-style.ts';

/** A simulated venue: its identity (as in src/sources/venues/identity.ts) and how the simulator makes its data. */
export interface VenueSpec {
  /** binance, coinbase, kraken, bitstamp, okx, ... */
  name: string;
  /** What it lists (default crypto): a venue streams only instruments of its class. */
  assetClass?: AssetClass;
  symbolStyle: SymbolStyle;
  /** Quote currency this venue lists against: 'USD' or 'USDT' (USDT venues see price × basis). */
  quote: string;
  /** Observation noise of its mid around the latent price, basis points (1 sd). */
  noiseBps: number;
  /** Typical full bid-ask spread, basis points. */
  spreadBps: number;
  /** Latency from event to our receipt: mean and jitter (ms). */
  latencyMs: number;
  latencyJitterMs: number;
  /** Constant offset of the venue's clock vs true time (ms; positive = venue clock ahead). */
  clockSkewMs: number;
  /** Mean events per second per instrument (trades, quotes). */
  tradeRate: number;
  quoteRate: number;
}

export type FaultKind = 'freeze' | 'bad_print' | 'outage' | 'burst' | 'clock_jump';

/** A fault on the seeded schedule; recorded in faults.csv and visible in the venue data. */
export interface Fault {
  kind: FaultKind;
  venue: string;
  symbol: InstrumentId;
  start: EpochMs;
  end: EpochMs;
  /** bad_print: relative size of the spike (0.01..0.1, signed); clock_jump: ms; burst: rate multiplier. */
  magnitude: number;
}

export interface InstrumentSpec {
  /** Canonical id: in USD terms for crypto (BTC-USD), the pair itself for FX (EUR-USD, USD-JPY). */
  symbol: InstrumentId;
  assetClass?: AssetClass;
  initialPrice: number;
}

/**
 * A simulated venue record: a core Trade/Quote whose `symbol` is the venue's own canonical
 * pair (BTC-USDT on a USDT venue, price in USDT), plus `rawSymbol` (the venue's spelling).
 */
export type SimRecord = (Trade | Quote) & { rawSymbol: string };

/** The ground truth at a point in time, for one instrument. */
export interface TruthPoint {
  ts: EpochMs;
  symbol: InstrumentId;
  /** Latent "true" mid price in USD. */
  price: number;
  /** USD per USDT (≈ 1, drifting slowly): a USDT venue quotes latentUsdPrice / usdtBasis (before its own noise). */
  usdtBasis: number;
  regime: Regime;
}

/** Bars with their planted regime per bar (for regime and signal evaluation). */
export interface SimulatedBars {
  symbol: InstrumentId;
  timeframe: Timeframe;
  bars: BarSeries;
  /** Regime label per bar. */
  regime: Regime[];
}
