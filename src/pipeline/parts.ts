/**
 * The default parts of the live pipeline: which source, which bars, which analysis. Swapping a
 * part means changing this file, not the pipeline.
 */
import type { Timeframe } from '../core/time.ts';
import { createIndicator, listIndicators } from '../indicators/index.ts';
import { DEFAULT_INSTRUMENTS, DEFAULT_VENUES, MarketSimulator } from '../sources/simulator/index.ts';
import type { ServiceConfig } from './config.ts';
import { FusedBarBuilder } from './fused-bars.ts';
import { IndicatorStage, parseIndicatorSpec } from './indicator-stage.ts';
import type { PipelineLogger, PipelineParts } from './live-pipeline.ts';
import { RegimeStage } from './regime-stage.ts';
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

export function defaultParts(config: ServiceConfig): PipelineParts {
  const specs = config.analysis.indicators.map(parseIndicatorSpec);
  // Fail at start, with the indicator's own message, not on the first bar.
  for (const s of specs) createIndicator(s.name, s.params);
  return {
    bars: (symbol: string, timeframes: readonly Timeframe[]) => new FusedBarBuilder(symbol, timeframes),
    analysis: (_symbol, tf) =>
      tf === config.analysis.regimeTimeframe ? [new IndicatorStage(specs), new RegimeStage()] : [new IndicatorStage(specs)],
    indicatorCatalogue: () => listIndicators(),
  };
}
