/**
 * The contract between the pipeline and the API: what the server may ask of the running service.
 * It lives with the pipeline (the layer below the server), so the pipeline implements it without
 * importing the server and the dependency points one way.
 */
import type { EventBus } from '../bus/bus.ts';
import type { InstrumentSummary, SourceSummary } from '../core/api.ts';
import type { ConsolidatedBookEvent, FusedPrice, RegimeState } from '../core/events.ts';
import type { Bar } from '../core/market.ts';
import type { Timeframe } from '../core/time.ts';
import type { IndicatorInfo } from '../indicators/index.ts';
import type { MarketStore } from '../store/store.ts';
import type { MetricsRegistry } from './metrics.ts';

/** What the API serves; the pipeline implements it. */
export interface ApiBackend {
  bus: EventBus;
  store: MarketStore;
  instruments(): InstrumentSummary[];
  /** The instrument ids served (canonical). */
  symbols(): readonly string[];
  /** The bar still open for an instrument and timeframe, served after the stored closed ones. */
  openBar?(symbol: string, timeframe: Timeframe): Bar | undefined;
  /** The latest closed bars with `ts` after `after`, oldest first (the store may not have them yet: writes are batched). */
  closedBarsAfter?(symbol: string, timeframe: Timeframe, after: number): Bar[];
  sources(): SourceSummary[];
  /** The latest consolidated book of an instrument (absent where the process keeps no books). */
  book?(symbol: string): ConsolidatedBookEvent | undefined;
  indicatorCatalogue(): IndicatorInfo[];
  /** The one metrics registry of the process: the pipeline's families, and the API adds its own. */
  readonly metricsRegistry: MetricsRegistry;
  /** True once data flows (at least one source connected and a fused price made). */
  ready(): boolean;
}

/** One instrument as `/api/instruments` lists it: the latest fused price and regime, if any. */
export function instrumentSummary(symbol: string, f: FusedPrice | undefined, r: RegimeState | undefined): InstrumentSummary {
  return {
    symbol,
    price: f?.price ?? null,
    confidence: f?.confidence ?? null,
    status: f?.status ?? 'unknown',
    ts: f?.ts ?? null,
    regime: r ? regimeSummary(r) : null,
  };
}

function regimeSummary(r: RegimeState): NonNullable<InstrumentSummary['regime']> {
  const { type: _type, symbol: _symbol, ts: _ts, ...rest } = r;
  return rest;
}
