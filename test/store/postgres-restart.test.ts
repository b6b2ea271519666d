/**
 * PostgreSQL ends the store's connections (as a server restart does): the store counts it and
 * carries on, and the next write goes through on a new connection. Before, pg's 'error' event on
 * the pool had no listener and ended the process (found by `npm run soak` with a PostgreSQL
 * crash-restart).
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres.ts';

const APP = `emp_restart_test_${process.pid}`;
const URL = `postgres://postgres@127.0.0.1:5432/test?application_name=${APP}`;
const schema = `emp_restart_${process.pid}`;
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });

afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

const bar = (ts: number) => ({
  type: 'bar' as const,
  final: true,
  symbol: 'BTC-USD',
  timeframe: '1m' as const,
  ts,
  open: 1,
  high: 2,
  low: 0.5,
  close: 1.5,
  volume: 3,
});

describe('PostgresStore when the server drops its connections', () => {
  it('counts the dropped connections, stays alive and writes again', async () => {
    await admin.connect();
    const store = await PostgresStore.open({ connectionString: URL, schema });
    try {
      await store.append({ bars: [bar(60_000)] });
      const { rows } = await admin.query(
        'SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) t',
        [APP],
      );
      expect(rows[0].n).toBeGreaterThan(0);
      // The idle connections' 'error' events arrive asynchronously.
      const end = Date.now() + 5000;
      while (store.connectionErrors.count === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(store.connectionErrors.count).toBeGreaterThan(0);
      await store.append({ bars: [bar(120_000)] });
      expect((await store.bars({ symbol: 'BTC-USD', timeframe: '1m' })).map((b) => b.ts)).toEqual([60_000, 120_000]);
    } finally {
      await store.close();
    }
  });
});
