/**
 * The default parts of the live pipeline: which source, which bars, which analysis. Swapping a
 * part means changing this file, not the pipeline.
 */
import type { Timeframe } from '../core/time.ts';
import { DEFAULT_INSTRUMENTS, DEFAULT_VENUES, MarketSimulator } from '../sources/simulator/index.ts';
import type { ServiceConfig } from './config.ts';
import { FusedBarBuilder } from './fused-bars.ts';
import type { PipelineLogger, PipelineParts } from './live-pipeline.ts';
import { SimulatorSource } from './simulator-source.ts';
import type { RecordSource } from './stages.ts';

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

export async function simulatorSource(config: ServiceConfig, _log: PipelineLogger): Promise<RecordSource> {
  return new SimulatorSource(simulatorFor(config), config.simulator.speed);
}

export function defaultParts(_config: ServiceConfig): PipelineParts {
  return {
    bars: (symbol: string, timeframes: readonly Timeframe[]) => new FusedBarBuilder(symbol, timeframes),
    analysis: () => [],
    indicatorCatalogue: () => [],
  };
}
