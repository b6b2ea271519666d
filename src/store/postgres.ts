import type pg from 'pg';
import type { EpochMs } from '../core/time.ts';
import { EVENT_TABLES, type EventTable, retentionAges, SqlMarketStore } from './sql-store.ts';
import type { Retention, StoreBatch } from './store.ts';

/** Where the shared store is unless configured (`store.postgresUrl`, `EMP_DATABASE_URL`). */
export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
/** How long a new connection (or a free one, when all are busy) is waited for before the attempt fails. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Tables live in their own schema so several deployments (and tests) can share a database.
 * Every table has a unique key so that writing a row again (an analyze process replaying what it
 * had stored before it was killed) leaves one copy: bars and fused prices by instrument and time,
 * events by instrument, time and content. Event tables made before those keys existed are
 * deduplicated once, when the key is added.
 */
function schemaSql(schema: string): string {
  const events = EVENT_TABLES.map(
    (
      t,
    ) => `CREATE TABLE IF NOT EXISTS ${schema}.${t} (id BIGSERIAL PRIMARY KEY, symbol TEXT, ts DOUBLE PRECISION NOT NULL, body JSONB NOT NULL);
CREATE INDEX IF NOT EXISTS ${t}_ts ON ${schema}.${t} (symbol, ts);
CREATE INDEX IF NOT EXISTS ${t}_age ON ${schema}.${t} (ts);
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = '${schema}' AND indexname = '${t}_key') THEN
    DELETE FROM ${schema}.${t} a USING ${schema}.${t} b
      WHERE a.id > b.id AND a.symbol IS NOT DISTINCT FROM b.symbol AND a.ts = b.ts AND a.body = b.body;
    CREATE UNIQUE INDEX ${t}_key ON ${schema}.${t} ((coalesce(symbol, '')), ts, (md5(body::text)));
  END IF;
END $$;`,
  ).join('\n');
  return `CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE IF NOT EXISTS ${schema}.bars (
  symbol TEXT NOT NULL, timeframe TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL,
  open DOUBLE PRECISION NOT NULL, high DOUBLE PRECISION NOT NULL, low DOUBLE PRECISION NOT NULL,
  close DOUBLE PRECISION NOT NULL, volume DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (symbol, timeframe, ts));
CREATE TABLE IF NOT EXISTS ${schema}.fused (
  symbol TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL, price DOUBLE PRECISION NOT NULL,
  confidence DOUBLE PRECISION NOT NULL, status TEXT NOT NULL, sources INTEGER NOT NULL, excluded INTEGER NOT NULL,
  body JSONB, PRIMARY KEY (symbol, ts));
ALTER TABLE ${schema}.fused ADD COLUMN IF NOT EXISTS body JSONB;
CREATE TABLE IF NOT EXISTS ${schema}.checkpoints (
  symbol TEXT NOT NULL, timeframe TEXT NOT NULL, stage TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (symbol, timeframe, stage));
CREATE INDEX IF NOT EXISTS bars_age ON ${schema}.bars (ts);
CREATE INDEX IF NOT EXISTS fused_age ON ${schema}.fused (ts);
${events}`;
}

/**
 * Shared store on PostgreSQL (pg). Each append is one transaction of multi-row inserts built
 * with unnest() over column arrays, so a batch costs one round trip per table, not per row.
 */
export class PostgresStore extends SqlMarketStore {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    /** Connections the server dropped (restart, admin kill, network): counted, never fatal. */
    readonly connectionErrors: { count: number; last: string | undefined },
  ) {
    super();
  }

  static async open(opts: { connectionString?: string; schema?: string; connectTimeoutMs?: number } = {}): Promise<PostgresStore> {
    const schema = opts.schema ?? 'emp';
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
    const url = opts.connectionString ?? DEFAULT_POSTGRES_URL;
    // Loaded here, not at the top: the driver takes about 40 ms to load, which every start of the
    // command line (SQLite by default) would pay.
    const { default: driver } = await import('pg');
    // A bounded connect: a server that accepts the connection and never answers (a host gone
    // behind a firewall, a stopped process's port) had held a start, and every write, for ever.
    const pool = new driver.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS });
    // A server restart ends every connection: pg then emits 'error' on the pool (idle clients)
    // or on a checked-out client between queries, and an unheard 'error' would end the process.
    // The pool drops the broken client; the writer's retry reconnects.
    const errors: { count: number; last: string | undefined } = { count: 0, last: undefined };
    const onError = (err: Error): void => {
      errors.count++;
      errors.last = err.message;
    };
    pool.on('error', onError);
    pool.on('connect', (client) => client.on('error', onError));
    try {
      const client = await pool.connect();
      try {
        // Several processes (analyze roles, the gateway) may open one schema at once; concurrent
        // CREATE ... IF NOT EXISTS can still collide in the catalogue, so they take turns.
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [`emp:${schema}`]);
        try {
          await client.query(schemaSql(schema));
        } finally {
          await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`emp:${schema}`]);
        }
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return new PostgresStore(pool, schema, errors);
  }

  async append(b: StoreBatch): Promise<void> {
    const client = await this.pool.connect();
    const s = this.schema;
    try {
      await client.query('BEGIN');
      if (b.checkpoints?.length) {
        // The latest per key: one batch may hold two of the same stage.
        const x = [...new Map(b.checkpoints.map((c) => [`${c.symbol}|${c.timeframe}|${c.stage}`, c])).values()];
        await client.query(
          `INSERT INTO ${s}.checkpoints SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::text[])
           ON CONFLICT (symbol, timeframe, stage) DO UPDATE SET ts = EXCLUDED.ts, body = EXCLUDED.body`,
          [x.map((r) => r.symbol), x.map((r) => r.timeframe), x.map((r) => r.stage), x.map((r) => r.ts), x.map((r) => r.body)],
        );
      }
      if (b.bars?.length) {
        const x = b.bars;
        await client.query(
          `INSERT INTO ${s}.bars SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[])
           ON CONFLICT (symbol, timeframe, ts) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume`,
          [
            x.map((r) => r.symbol),
            x.map((r) => r.timeframe),
            x.map((r) => r.ts),
            x.map((r) => r.open),
            x.map((r) => r.high),
            x.map((r) => r.low),
            x.map((r) => r.close),
            x.map((r) => r.volume),
          ],
        );
      }
      if (b.fused?.length) {
        const x = b.fused;
        await client.query(
          `INSERT INTO ${s}.fused (symbol, ts, price, confidence, status, sources, excluded, body)
           SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[], $5::text[], $6::int[], $7::int[], $8::jsonb[])
           ON CONFLICT (symbol, ts) DO UPDATE SET price = EXCLUDED.price, confidence = EXCLUDED.confidence, status = EXCLUDED.status, sources = EXCLUDED.sources, excluded = EXCLUDED.excluded, body = EXCLUDED.body`,
          [
            x.map((r) => r.symbol),
            x.map((r) => r.ts),
            x.map((r) => r.price),
            x.map((r) => r.confidence),
            x.map((r) => r.status),
            x.map((r) => r.sources),
            x.map((r) => r.excluded),
            x.map((r) => r.body),
          ],
        );
      }
      const events: [EventTable, { symbol: string | null; ts: number }[] | undefined][] = [
        ['signals', b.signals],
        ['regimes', b.regimes],
        ['alerts', b.alerts],
        ['conflicts', b.conflicts],
      ];
      for (const [table, rows] of events) {
        if (!rows?.length) continue;
        await client.query(
          `INSERT INTO ${s}.${table} (symbol, ts, body) SELECT * FROM unnest($1::text[], $2::float8[], $3::jsonb[]) ON CONFLICT DO NOTHING`,
          [rows.map((r) => r.symbol), rows.map((r) => r.ts), rows.map((r) => JSON.stringify(r))],
        );
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async prune(retention: Retention, now: EpochMs): Promise<number> {
    let n = 0;
    for (const [table, age] of retentionAges(retention)) {
      if (age === undefined) continue;
      const r = await this.pool.query(`DELETE FROM ${this.table(table)} WHERE ts < $1`, [now - age]);
      n += r.rowCount ?? 0;
    }
    return n;
  }

  /** Drops this store's schema (tests use a throwaway schema each). */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  protected table(name: string): string {
    return `${this.schema}.${name}`;
  }

  protected placeholder(n: number): string {
    return `$${n}`;
  }

  protected async select<T>(sql: string, args: unknown[]): Promise<T[]> {
    return (await this.pool.query(sql, args)).rows as T[];
  }
}
