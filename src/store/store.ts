/**
 * What the service persists, behind one small interface with two implementations:
 * SqliteStore (embedded, default) and PostgresStore (shared, scale-out).
 */
import type { Alert, Conflict, FusedPrice, RegimeState, Signal } from '../core/events.ts';
import type { InstrumentId } from '../core/instrument.ts';
import type { Bar } from '../core/market.ts';
import type { EpochMs, Timeframe } from '../core/time.ts';

/** A fused price as stored (downsampled; provenance kept as counts). */
export interface FusedRow {
  symbol: InstrumentId;
  ts: EpochMs;
  price: number;
  confidence: number;
  status: FusedPrice['status'];
  sources: number;
  excluded: number;
  /** The whole fused event (JSON): history answers with the shape the WebSocket sends. */
  body: string;
}

/** One write batch: everything accumulated since the last flush, committed atomically. */
/**
 * An analysis stage's model state (a regime classifier's calibration), the latest per instrument,
 * timeframe and stage: a restart goes on from it instead of recalibrating from stored bars.
 */
export interface StageCheckpoint {
  symbol: InstrumentId;
  timeframe: Timeframe;
  stage: string;
  /** The bar it was made on. */
  ts: EpochMs;
  body: string;
}

/** SQLite's own default page cache (MB); better-sqlite3 builds SQLite with 16 MB instead. */
export const DEFAULT_SQLITE_CACHE_MB = 2;

export interface StoreBatch {
  checkpoints?: StageCheckpoint[];
  bars?: Bar[];
  fused?: FusedRow[];
  signals?: Signal[];
  regimes?: RegimeState[];
  alerts?: Alert[];
  conflicts?: Conflict[];
}

export interface RangeQuery {
  symbol?: InstrumentId;
  from?: EpochMs;
  to?: EpochMs;
  /** Most recent `limit` rows (returned in ascending time). */
  limit?: number;
}

export interface BarQuery extends RangeQuery {
  symbol: InstrumentId;
  timeframe: Timeframe;
}

/** Keep rows newer than these ages (ms); undefined keeps forever. */
export interface Retention {
  bars?: number;
  fused?: number;
  events?: number;
}

export interface MarketStore {
  /** Commits the batch atomically: after it resolves, every row survives a crash. */
  append(batch: StoreBatch): Promise<void>;
  bars(q: BarQuery): Promise<Bar[]>;
  fused(q: RangeQuery): Promise<FusedPrice[]>;
  signals(q: RangeQuery): Promise<Signal[]>;
  regimes(q: RangeQuery): Promise<RegimeState[]>;
  alerts(q: RangeQuery): Promise<Alert[]>;
  conflicts(q: RangeQuery): Promise<Conflict[]>;
  /** The stage's latest checkpoint for the instrument and timeframe, if one was stored. */
  checkpoint(q: { symbol: InstrumentId; timeframe: Timeframe; stage: string }): Promise<StageCheckpoint | undefined>;
  /** Deletes rows older than the retention ages relative to `now`; returns rows deleted. */
  prune(retention: Retention, now: EpochMs): Promise<number>;
  close(): Promise<void>;
}

export function fusedRow(f: FusedPrice): FusedRow {
  return {
    symbol: f.symbol,
    ts: f.ts,
    price: f.price,
    confidence: f.confidence,
    status: f.status,
    sources: f.sources.length,
    excluded: f.excluded.length,
    body: JSON.stringify(f),
  };
}

/** A stored fused row as the event it was; rows written before the body was kept lack the lists. */
export function fusedFromRow(r: Omit<FusedRow, 'body'> & { body: string | object | null }): FusedPrice {
  if (r.body) return (typeof r.body === 'string' ? JSON.parse(r.body) : r.body) as FusedPrice;
  return {
    type: 'fused',
    symbol: r.symbol,
    ts: r.ts,
    price: r.price,
    confidence: r.confidence,
    status: r.status,
    sources: [],
    excluded: [],
  };
}

export function isEmptyBatch(b: StoreBatch): boolean {
  return (
    !b.checkpoints?.length &&
    !b.bars?.length &&
    !b.fused?.length &&
    !b.signals?.length &&
    !b.regimes?.length &&
    !b.alerts?.length &&
    !b.conflicts?.length
  );
}
