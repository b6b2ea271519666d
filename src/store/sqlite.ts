import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { EpochMs } from '../core/time.ts';
import { EVENT_TABLES, type EventTable, retentionAges, SqlMarketStore } from './sql-store.ts';
import { DEFAULT_SQLITE_CACHE_MB, type Retention, type StoreBatch } from './store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS checkpoints (
  symbol TEXT NOT NULL, timeframe TEXT NOT NULL, stage TEXT NOT NULL, ts REAL NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (symbol, timeframe, stage)
) WITHOUT ROWID;
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

/**
 * Embedded store on better-sqlite3 in WAL mode. Each append is one transaction; with WAL and
 * synchronous=NORMAL a committed transaction survives the process being killed (not
 * necessarily a power cut, which would need synchronous=FULL: `durable: true`).
 *
 * The page cache is bounded by `cacheMb`. Appends touch only the right edges of the B-trees (a
 * few hundred KB), so a larger cache holds pages written once and never read again: it fills at
 * the write rate until full, which reads as RSS rising for many minutes after each start
 * (16 MB: about ten at the soak's load), and buys no speed (README, Store).
 */
export class SqliteStore extends SqlMarketStore {
  private readonly db: Database.Database;
  private readonly insertBar: Database.Statement;
  private readonly insertCheckpoint: Database.Statement;
  private readonly insertFused: Database.Statement;
  private readonly insertEvent: Record<EventTable, Database.Statement>;
  private readonly appendTx: (b: StoreBatch) => void;

  constructor(file: string, opts: { durable?: boolean; cacheMb?: number } = {}) {
    super();
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    // Negative: a size in KiB rather than in pages.
    this.db.pragma(`cache_size = ${-Math.round(1024 * (opts.cacheMb ?? DEFAULT_SQLITE_CACHE_MB))}`);
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
    this.insertCheckpoint = this.db.prepare(
      'INSERT OR REPLACE INTO checkpoints (symbol, timeframe, stage, ts, body) VALUES (?, ?, ?, ?, ?)',
    );
    this.insertFused = this.db.prepare(
      'INSERT OR REPLACE INTO fused (symbol, ts, price, confidence, status, sources, excluded, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertEvent = Object.fromEntries(
      EVENT_TABLES.map((t) => [t, this.db.prepare(`INSERT INTO ${t} (symbol, ts, body) VALUES (?, ?, ?)`)]),
    ) as Record<EventTable, Database.Statement>;
    this.appendTx = this.db.transaction((b: StoreBatch) => {
      for (const c of b.checkpoints ?? []) this.insertCheckpoint.run(c.symbol, c.timeframe, c.stage, c.ts, c.body);
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

  async prune(retention: Retention, now: EpochMs): Promise<number> {
    let n = 0;
    this.db.transaction(() => {
      for (const [table, age] of retentionAges(retention))
        if (age !== undefined) n += this.db.prepare(`DELETE FROM ${table} WHERE ts < ?`).run(now - age).changes;
    })();
    return n;
  }

  /** The page cache's bound in KiB (SQLite's `cache_size`). */
  pageCacheKb(): number {
    return -Number(this.db.pragma('cache_size', { simple: true }));
  }

  /** Runs SQLite's own consistency check; 'ok' when the file is sound. */
  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  protected table(name: string): string {
    return name;
  }

  protected placeholder(): string {
    return '?';
  }

  protected async select<T>(sql: string, args: unknown[]): Promise<T[]> {
    return this.db.prepare(sql).all(...args) as T[];
  }
}
