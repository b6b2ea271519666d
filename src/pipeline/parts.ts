/**
 * The default parts of the live pipeline: which source, which bars, which analysis. Swapping a
 * part means changing this file, not the pipeline.
 */

import type { Timeframe } from '../core/time.ts';
import { createIndicator, listIndicators } from '../indicators/index.ts';
import { DEFAULT_INSTRUMENTS, DEFAULT_VENUES, FX_INSTRUMENTS, FX_VENUES, MarketSimulator } from '../sources/simulator/index.ts';
import { venueLists } from '../sources/simulator/venues.ts';
import { VENUE_REGISTRY } from '../sources/venue-registry.ts';
import { venuePairs } from '../sources/venues/identity.ts';
import { BarAggregator } from '../stream/bars.ts';
import { type FeedConnection, VenueConnection } from '../stream/connection.ts';
import type { ServiceConfig } from './config.ts';
import { IndicatorStage, parseIndicatorSpec } from './indicator-stage.ts';
import type { PipelineLogger, PipelineParts } from './live-pipeline.ts';
import { RegimeStage } from './regime-stage.ts';
import { SignalStage } from './signal-stage.ts';
import { SimulatorSource } from './simulator-source.ts';
import type { BarAnalysis, RecordSource } from './stages.ts';
import { SimulatedVenues, VenueConnections, venueCodec, venueSubscriptions } from './venue-sources.ts';

function simulatorFor(config: ServiceConfig): MarketSimulator {
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

/**
 * The simulator's venues: over loopback sockets in each venue's protocol (default), or in-process.
 * `giveWay`: while true, the simulator on this thread yields after each record (see AcceptBurst).
 */
export async function simulatorSource(config: ServiceConfig, _log: PipelineLogger, giveWay?: () => boolean): Promise<RecordSource> {
  const sim = simulatorFor(config);
  if (config.simulator.transport === 'memory') return new SimulatorSource(sim, config.simulator.speed);
  return SimulatedVenues.start(sim, config.simulator.speed, config.simulator.chaos, config.simulator.thread, giveWay);
}

/**
 * The real venues' public feeds (needs network access), every registry venue the configuration
 * names that lists a configured instrument: the crypto exchanges, OANDA and cTrader when their
 * credentials are in the environment (see README). Dukascopy has no live feed (an hour's file
 * comes only after the hour: it serves `emp import`).
 */
export function liveSource(config: ServiceConfig, log: PipelineLogger): RecordSource {
  const instruments = [...DEFAULT_INSTRUMENTS, ...FX_INSTRUMENTS].filter((i) => config.instruments.includes(i.symbol));
  const conns: FeedConnection[] = [];
  for (const v of VENUE_REGISTRY.filter((d) => config.venues.includes(d.name))) {
    const symbols = venuePairs(v, instruments);
    if (symbols.length === 0) continue;
    const blocked = v.liveBlocked?.();
    try {
      if (blocked !== undefined) log.warn({ venue: v.name }, `${blocked}; skipped`);
      // Books too, where the venue has them: the same clients as on the simulator, against the venues' own REST snapshots.
      else if (v.transport === 'websocket')
        conns.push(new VenueConnection(venueCodec(v.name, symbols), { subscriptions: venueSubscriptions(symbols) }));
      else if (v.live) conns.push(v.live(symbols));
      else log.warn({ venue: v.name }, 'no live feed; skipped');
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
      if (tf === config.analysis.regimeTimeframe) stages.push(new RegimeStage({ tails: config.analysis.regimeTails }));
      if (tf === config.analysis.signalTimeframe) for (const s of config.analysis.strategies) stages.push(new SignalStage(s));
      return stages;
    },
    indicatorCatalogue: () => listIndicators(),
  };
}
