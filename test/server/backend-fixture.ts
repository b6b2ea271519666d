/**
 * An ApiBackend for server tests: an in-process bus, an in-memory store, nothing served unless a
 * test says so. The server is tested against this contract, not against a running pipeline.
 */
import { InProcessBus } from '../../src/bus/bus.ts';
import type { SourceSummary } from '../../src/core/api.ts';
import { type ApiBackend, instrumentSummary } from '../../src/pipeline/api-backend.ts';
import { MetricsRegistry } from '../../src/pipeline/metrics.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';

export function testBackend<T extends Partial<ApiBackend>>(overrides: T = {} as T): ApiBackend & T {
  return {
    bus: new InProcessBus(),
    store: new SqliteStore(':memory:'),
    instruments: () => [],
    symbols: () => [],
    sources: () => [],
    indicatorCatalogue: () => [],
    metricsRegistry: new MetricsRegistry(),
    ready: () => true,
    ...overrides,
  };
}

/** The `/api/instruments` entries of instruments with no price yet. */
export const unpricedInstruments = (...symbols: string[]) => symbols.map((s) => instrumentSummary(s, undefined, undefined));

/** A venue as `/api/sources` lists it, open and quiet. */
export function openSource(venue: string): SourceSummary {
  return {
    type: 'source_health',
    venue,
    ts: 0,
    state: 'open',
    reconnects: 0,
    lastMessageAgeMs: null,
    messagesPerSec: 0,
    errors: 0,
    weights: {},
    prices: {},
  };
}
