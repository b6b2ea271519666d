/**
 * The default parts of the live pipeline: which source, which bars, which analysis. Swapping a
 * part means changing this file, not the pipeline.
 */
import type { Timeframe } from '../core/time.ts';
import { createIndicator, listIndicators } from '../indicators/index.ts';
import { DEFAULT_INSTRUMENTS, DEFAULT_VENUES, MarketSimulator } from '../sources/simulator/index.ts';
import { venueInstrument } from '../sources/simulator/venues.ts';
import { protocolFor } from '../sources/venues/index.ts';
import { BarAggregator } from '../stream/bars.ts';
import { VenueConnection } from '../stream/connection.ts';
import type { ServiceConfig } from './config.ts';
import { IndicatorStage, parseIndicatorSpec } from './indicator-stage.ts';
import type { PipelineLogger, PipelineParts } from './live-pipeline.ts';
import { RegimeStage } from './regime-stage.ts';
import { SignalStage } from './signal-stage.ts';
import { SimulatorSource } from './simulator-source.ts';
import type { BarAnalysis, RecordSource } from './stages.ts';
import { SimulatedVenues, VenueConnections, venueSubscriptions } from './venue-sources.ts';

export function simulatorFor(config: ServiceConfig): MarketSimulator {
  const instruments = DEFAULT_INSTRUMENTS.filter((i) => config.instruments.includes(i.symbol));
  const venues = DEFAULT_VENUES.filter((v) => (config.venues as readonly string[]).includes(v.name));
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
  return SimulatedVenues.start(sim, config.simulator.speed);
}

/** The real venues' public feeds (needs network access). */
export function liveSource(config: ServiceConfig): RecordSource {
  const venues = DEFAULT_VENUES.filter((v) => (config.venues as readonly string[]).includes(v.name));
  return new VenueConnections(
    venues.map(
      (v) =>
        new VenueConnection(protocolFor(v.name), {
          subscriptions: venueSubscriptions(config.instruments.map((i) => venueInstrument(i, v))),
        }),
    ),
  );
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
