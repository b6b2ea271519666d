/**
 * What the SQLite and PostgreSQL stores share: their tables' names, the range reads (one query
 * shape, one row mapping) and which rows retention deletes. A dialect supplies how it names a table,
 * writes a placeholder and runs a SELECT.
 */
import type { Alert, Conflict, FusedPrice, RegimeState, Signal } from '../core/events.ts';
import type { InstrumentId } from '../core/instrument.ts';
import type { Bar } from '../core/market.ts';
import type { EpochMs, Timeframe } from '../core/time.ts';
import {
  type BarQuery,
  type FusedRow,
  fusedFromRow,
  type MarketStore,
  type RangeQuery,
  type Retention,
  type StageCheckpoint,
  type StoreBatch,
} from './store.ts';

export const EVENT_TABLES = ['signals', 'regimes', 'alerts', 'conflicts'] as const;
export type EventTable = (typeof EVENT_TABLES)[number];

interface BarRow {
  symbol: string;
  timeframe: string;
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Each table with the age retention keeps it for (undefined: kept forever). */
export function retentionAges(retention: Retention): [table: string, age: number | undefined][] {
  return [
    ['bars', retention.bars],
    ['fused', retention.fused],
    ...EVENT_TABLES.map((t): [string, number | undefined] => [t, retention.events]),
  ];
}

export abstract class SqlMarketStore implements MarketStore {
  abstract append(batch: StoreBatch): Promise<void>;
  abstract prune(retention: Retention, now: EpochMs): Promise<number>;
  abstract close(): Promise<void>;

  /** The table's name as the dialect's queries write it. */
  protected abstract table(name: string): string;
  /** The n-th (1-based) query parameter. */
  protected abstract placeholder(n: number): string;
  protected abstract select<T>(sql: string, args: unknown[]): Promise<T[]>;

  async checkpoint(q: { symbol: InstrumentId; timeframe: Timeframe; stage: string }): Promise<StageCheckpoint | undefined> {
    const p = (n: number): string => this.placeholder(n);
    const rows = await this.select<StageCheckpoint>(
      `SELECT symbol, timeframe, stage, ts, body FROM ${this.table('checkpoints')} WHERE symbol = ${p(1)} AND timeframe = ${p(2)} AND stage = ${p(3)}`,
      [q.symbol, q.timeframe, q.stage],
    );
    const r = rows[0];
    return r && { ...r, ts: Number(r.ts) };
  }

  async bars(q: BarQuery): Promise<Bar[]> {
    const rows = await this.range<BarRow>('bars', q, { timeframe: q.timeframe });
    // The shape the socket sends a bar in (stream/bars.ts).
    return rows.map((r) => ({
      type: 'bar',
      symbol: r.symbol,
      timeframe: r.timeframe as Timeframe,
      ts: r.ts,
      open: r.open,
      high: r.high,
      low: r.low,
      close: r.close,
      volume: r.volume,
      final: true,
    }));
  }

  async fused(q: RangeQuery): Promise<FusedPrice[]> {
    return (await this.range<FusedRow>('fused', q)).map(fusedFromRow);
  }

  signals(q: RangeQuery): Promise<Signal[]> {
    return this.events<Signal>('signals', q);
  }

  regimes(q: RangeQuery): Promise<RegimeState[]> {
    return this.events<RegimeState>('regimes', q);
  }

  alerts(q: RangeQuery): Promise<Alert[]> {
    return this.events<Alert>('alerts', q);
  }

  conflicts(q: RangeQuery): Promise<Conflict[]> {
    return this.events<Conflict>('conflicts', q);
  }

  /** An event is stored whole: as JSON text (SQLite) or JSONB, which the driver parses (PostgreSQL). */
  private async events<T>(table: EventTable, q: RangeQuery): Promise<T[]> {
    const rows = await this.range<{ body: string | T }>(table, q);
    return rows.map((r) => (typeof r.body === 'string' ? (JSON.parse(r.body) as T) : r.body));
  }

  /** Rows in [from, to] (and equal to `equal`'s columns) in ascending time; with `limit`, the most recent `limit` of them. */
  private async range<T>(table: string, q: RangeQuery, equal: Record<string, unknown> = {}): Promise<T[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (column: string, op: string, value: unknown): void => {
      args.push(value);
      where.push(`${column} ${op} ${this.placeholder(args.length)}`);
    };
    if (q.symbol !== undefined) add('symbol', '=', q.symbol);
    for (const [column, value] of Object.entries(equal)) add(column, '=', value);
    if (q.from !== undefined) add('ts', '>=', q.from);
    if (q.to !== undefined) add('ts', '<=', q.to);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = q.limit !== undefined ? `LIMIT ${Math.max(0, Math.floor(q.limit))}` : '';
    const rows = await this.select<T>(`SELECT * FROM ${this.table(table)} ${cond} ORDER BY ts DESC ${limit}`, args);
    return rows.reverse();
  }
}
