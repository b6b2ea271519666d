import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Alert, Conflict, FusedPrice, RegimeState, Signal } from '../core/events.ts';
import type { Bar } from '../core/market.ts';
import type { EpochMs, Timeframe } from '../core/time.ts';
import { type BarQuery, type FusedRow, fusedFromRow, type MarketStore, type RangeQuery, type Retention, type StoreBatch } from './store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS bars (
  symbol TEXT NOT NULL, timeframe TEXT NOT NULL, ts REAL NOT NULL,
  open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL,
  PRIMARY KEY (symbol, timeframe, ts)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fused (
  symbol TEXT NOT NULL, ts REAL NOT NULL, price REAL NOT NULL, confidence REAL NOT NULL,
  status TEXT NOT NULL, sources INTEGER NOT NULL, excluded INTEGER NOT NULL, body TEXT,
  PRIMARY KEY (symbol, ts)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS signals (id INTEGER PRIMARY KEY, symbol TEXT, ts REAL NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS regimes (id INTEGER PRIMARY KEY, symbol TEXT, ts REAL NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY, symbol TEXT, ts REAL NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conflicts (id INTEGER PRIMARY KEY, symbol TEXT, ts REAL NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS signals_ts ON signals (symbol, ts);
CREATE INDEX IF NOT EXISTS regimes_ts ON regimes (symbol, ts);
CREATE INDEX IF NOT EXISTS alerts_ts ON alerts (ts);
CREATE INDEX IF NOT EXISTS conflicts_ts ON conflicts (symbol, ts);
-- By time alone: retention deletes by age across symbols.
CREATE INDEX IF NOT EXISTS bars_age ON bars (ts);
CREATE INDEX IF NOT EXISTS fused_age ON fused (ts);
CREATE INDEX IF NOT EXISTS signals_age ON signals (ts);
CREATE INDEX IF NOT EXISTS regimes_age ON regimes (ts);
CREATE INDEX IF NOT EXISTS conflicts_age ON conflicts (ts);
`;

const EVENT_TABLES = ['signals', 'regimes', 'alerts', 'conflicts'] as const;
type EventTable = (typeof EVENT_TABLES)[number];

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

/**
 * Embedded store on better-sqlite3 in WAL mode. Each append is one transaction; with WAL and
 * synchronous=NORMAL a committed transaction survives the process being killed (not
 * necessarily a power cut, which would need synchronous=FULL: `durable: true`).
 */
export class SqliteStore implements MarketStore {
  private readonly db: Database.Database;
  private readonly insertBar: Database.Statement;
  private readonly insertFused: Database.Statement;
  private readonly insertEvent: Record<EventTable, Database.Statement>;
  private readonly appendTx: (b: StoreBatch) => void;

  constructor(file: string, opts: { durable?: boolean } = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.durable ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    // Stores made before the fused body was kept: add the column (old rows keep NULL).
    const cols = this.db.prepare('PRAGMA table_info(fused)').all() as { name: string }[];
    if (!cols.some((c) => c.name === 'body')) this.db.exec('ALTER TABLE fused ADD COLUMN body TEXT');
    // A still-open bar may be re-written when it closes: the last write wins.
    this.insertBar = this.db.prepare(
      'INSERT OR REPLACE INTO bars (symbol, timeframe, ts, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertFused = this.db.prepare(
      'INSERT OR REPLACE INTO fused (symbol, ts, price, confidence, status, sources, excluded, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertEvent = Object.fromEntries(
      EVENT_TABLES.map((t) => [t, this.db.prepare(`INSERT INTO ${t} (symbol, ts, body) VALUES (?, ?, ?)`)]),
    ) as Record<EventTable, Database.Statement>;
    this.appendTx = this.db.transaction((b: StoreBatch) => {
      for (const x of b.bars ?? []) this.insertBar.run(x.symbol, x.timeframe, x.ts, x.open, x.high, x.low, x.close, x.volume);
      for (const f of b.fused ?? []) this.insertFused.run(f.symbol, f.ts, f.price, f.confidence, f.status, f.sources, f.excluded, f.body);
      for (const s of b.signals ?? []) this.insertEvent.signals.run(s.symbol, s.ts, JSON.stringify(s));
      for (const r of b.regimes ?? []) this.insertEvent.regimes.run(r.symbol, r.ts, JSON.stringify(r));
      for (const a of b.alerts ?? []) this.insertEvent.alerts.run(a.symbol, a.ts, JSON.stringify(a));
      for (const c of b.conflicts ?? []) this.insertEvent.conflicts.run(c.symbol, c.ts, JSON.stringify(c));
    });
  }

  async append(batch: StoreBatch): Promise<void> {
    this.appendTx(batch);
  }

  async bars(q: BarQuery): Promise<Bar[]> {
    const rows = this.range<BarRow>('bars', q, 'timeframe = ?', [q.timeframe]);
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
    return this.range<FusedRow>('fused', q).map(fusedFromRow);
  }

  async signals(q: RangeQuery): Promise<Signal[]> {
    return this.events<Signal>('signals', q);
  }

  async regimes(q: RangeQuery): Promise<RegimeState[]> {
    return this.events<RegimeState>('regimes', q);
  }

  async alerts(q: RangeQuery): Promise<Alert[]> {
    return this.events<Alert>('alerts', q);
  }

  async conflicts(q: RangeQuery): Promise<Conflict[]> {
    return this.events<Conflict>('conflicts', q);
  }

  async prune(retention: Retention, now: EpochMs): Promise<number> {
    let n = 0;
    const del = (table: string, age: number | undefined): void => {
      if (age !== undefined) n += this.db.prepare(`DELETE FROM ${table} WHERE ts < ?`).run(now - age).changes;
    };
    this.db.transaction(() => {
      del('bars', retention.bars);
      del('fused', retention.fused);
      for (const t of EVENT_TABLES) del(t, retention.events);
    })();
    return n;
  }

  /** Runs SQLite's own consistency check; 'ok' when the file is sound. */
  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private events<T>(table: EventTable, q: RangeQuery): T[] {
    return this.range<{ body: string }>(table, q).map((r) => JSON.parse(r.body) as T);
  }

  /** Rows in [from, to] in ascending time; with `limit`, the most recent `limit` of them. */
  private range<T>(table: string, q: RangeQuery, extra?: string, extraArgs: unknown[] = []): T[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.symbol !== undefined) {
      where.push('symbol = ?');
      args.push(q.symbol);
    }
    if (extra) {
      where.push(extra);
      args.push(...extraArgs);
    }
    if (q.from !== undefined) {
      where.push('ts >= ?');
      args.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('ts <= ?');
      args.push(q.to);
    }
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = q.limit !== undefined ? `LIMIT ${Math.max(0, Math.floor(q.limit))}` : '';
    const rows = this.db.prepare(`SELECT * FROM ${table} ${cond} ORDER BY ts DESC ${limit}`).all(...args) as T[];
    return rows.reverse();
  }
}
