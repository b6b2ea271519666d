/**
 * The default parts of the live pipeline: which source, which bars, which analysis. Swapping a
 * part means changing this file, not the pipeline.
 */

import type { InstrumentId } from '../core/instrument.ts';
import type { Timeframe } from '../core/time.ts';
import { createIndicator, listIndicators } from '../indicators/index.ts';
import { OandaStreamCodec, oandaOptionsFromEnv } from '../sources/fx/oanda.ts';
import {
  DEFAULT_INSTRUMENTS,
  DEFAULT_VENUES,
  FX_INSTRUMENTS,
  FX_VENUES,
  MarketSimulator,
  type VenueSpec,
} from '../sources/simulator/index.ts';
import { venueInstrument, venueLists } from '../sources/simulator/venues.ts';
import { protocolFor } from '../sources/venues/index.ts';
import { BarAggregator } from '../stream/bars.ts';
import { type FeedConnection, VenueConnection } from '../stream/connection.ts';
import { HttpStreamConnection } from '../stream/http-stream.ts';
import type { ServiceConfig } from './config.ts';
import { IndicatorStage, parseIndicatorSpec } from './indicator-stage.ts';
import type { PipelineLogger, PipelineParts } from './live-pipeline.ts';
import { RegimeStage } from './regime-stage.ts';
import { SignalStage } from './signal-stage.ts';
import { SimulatorSource } from './simulator-source.ts';
import type { BarAnalysis, RecordSource } from './stages.ts';
import { SimulatedVenues, VenueConnections, venueCodec, venueSubscriptions } from './venue-sources.ts';

export function simulatorFor(config: ServiceConfig): MarketSimulator {
  const instruments = [...DEFAULT_INSTRUMENTS, ...FX_INSTRUMENTS].filter((i) => config.instruments.includes(i.symbol));
  // A venue none of whose instruments is configured would only ever look dead: leave it out.
  const venues = [...DEFAULT_VENUES, ...FX_VENUES].filter(
    (v) => (config.venues as readonly string[]).includes(v.name) && instruments.some((i) => venueLists(v, i)),
  );
  return new MarketSimulator({
    seed: config.simulator.seed,
    durationMs: Number.POSITIVE_INFINITY,
    start: Date.now(),
    instruments,
    venues,
    faults: config.simulator.faults ? 'auto' : 'none',
  });
}

/** The simulator's venues: over loopback sockets in each venue's protocol (default), or in-process. */
export async function simulatorSource(config: ServiceConfig, _log: PipelineLogger): Promise<RecordSource> {
  const sim = simulatorFor(config);
  if (config.simulator.transport === 'memory') return new SimulatorSource(sim, config.simulator.speed);
  return SimulatedVenues.start(sim, config.simulator.speed, config.simulator.chaos);
}

/**
 * The real venues' public feeds (needs network access): the crypto exchanges, OANDA and cTrader
 * when their credentials are in the environment (see README). Dukascopy publishes an hour's file
 * only after the hour, so it serves `emp import`, not live prices.
 */
export function liveSource(config: ServiceConfig, log: PipelineLogger): RecordSource {
  const wanted = (v: { name: string }): boolean => (config.venues as readonly string[]).includes(v.name);
  const lists = (v: VenueSpec): InstrumentId[] =>
    [...DEFAULT_INSTRUMENTS, ...FX_INSTRUMENTS]
      .filter((i) => config.instruments.includes(i.symbol) && venueLists(v, i))
      .map((i) => venueInstrument(i.symbol, v));
  const conns: FeedConnection[] = DEFAULT_VENUES.filter(wanted).map(
    // Books too: the same clients as on the simulator, against the venues' own REST snapshots.
    (v) => new VenueConnection(venueCodec(v.name, lists(v)), { subscriptions: venueSubscriptions(lists(v)) }),
  );
  for (const v of FX_VENUES.filter(wanted)) {
    const symbols = lists(v);
    if (symbols.length === 0) continue;
    try {
      if (v.name === 'oanda') conns.push(new HttpStreamConnection(new OandaStreamCodec(oandaOptionsFromEnv(symbols))));
      else if (v.name === 'ctrader' && process.env.CTRADER_ACCESS_TOKEN)
        conns.push(new VenueConnection(protocolFor('ctrader'), { subscriptions: venueSubscriptions(symbols) }));
      else log.warn({ venue: v.name }, v.name === 'ctrader' ? 'cTrader needs CTRADER_* credentials; skipped' : 'no live feed; skipped');
    } catch (err) {
      log.warn({ venue: v.name }, `${(err as Error).message}; skipped`);
    }
  }
  return new VenueConnections(conns);
}

export function defaultParts(config: ServiceConfig): PipelineParts {
  const specs = config.analysis.indicators.map(parseIndicatorSpec);
  // Fail at start, with the indicator's own message, not on the first bar.
  for (const s of specs) createIndicator(s.name, s.params);
  return {
    bars: (symbol: string, timeframes: readonly Timeframe[]) => new BarAggregator(symbol, timeframes),
    analysis: (_symbol, tf) => {
      const stages: BarAnalysis[] = [new IndicatorStage(specs)];
      if (tf === config.analysis.regimeTimeframe) stages.push(new RegimeStage());
      if (tf === config.analysis.signalTimeframe) for (const s of config.analysis.strategies) stages.push(new SignalStage(s));
      return stages;
    },
    indicatorCatalogue: () => listIndicators(),
  };
}
