/**
 * The HTTP API's response shapes, shared by the pipeline (which produces them), the server (which
 * serves them; src/server/schema.ts checks its JSON schemas against these types at compile time)
 * and the dashboard (which reads them). WebSocket and history payloads are the events of
 * events.ts themselves.
 */
import type { FusedPrice, RegimeState, SourceHealth } from './events.ts';

/** One instrument as `/api/instruments` lists it: the latest fused price and regime, if any. */
export interface InstrumentSummary {
  symbol: string;
  price: number | null;
  confidence: number | null;
  status: FusedPrice['status'];
  ts: number | null;
  /** The regime stage's latest state (its event less type, symbol and ts). */
  regime: Omit<RegimeState, 'type' | 'symbol' | 'ts'> | null;
}

/** One venue as `/api/sources` lists it. */
export type SourceSummary = SourceHealth;
