/**
 * What a restarted analyze process relies on: writing rows again leaves one copy (real
 * PostgreSQL), event tables made before their unique key get it (deduplicated once), and several
 * processes may open one new schema at the same moment.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Alert, RegimeState, Signal } from '../../src/core/events.ts';
import type { Bar } from '../../src/core/market.ts';
import { PostgresStore } from '../../src/store/postgres.ts';

const T0 = Date.UTC(2026, 0, 1);
const bar = (i: number): Bar => ({
  type: 'bar',
  symbol: 'BTC-USD',
  timeframe: '1m',
  ts: T0 + i * 60_000,
  open: 1,
  high: 2,
  low: 0.5,
  close: 1.5,
  volume: 3,
  final: true,
});
const regime: RegimeState = {
  type: 'regime',
  symbol: 'BTC-USD',
  timeframe: '1m',
  ts: T0,
  regime: 'bull',
  probabilities: { bull: 0.7, bear: 0.1, sideways: 0.1, high_volatility: 0.05, crash: 0.025, recovery: 0.025 },
  supported: 'bull',
  trend: 0.4,
  volatilityRegime: 'normal',
  calibrated: true,
};
const alert: Alert = { type: 'alert', kind: 'regime_change', severity: 'info', symbol: 'BTC-USD', ts: T0, message: 'bull' };
const signal = { type: 'signal', symbol: 'BTC-USD', ts: T0, side: 'buy', strategy: 'ma_cross' } as unknown as Signal;

describe('PostgresStore writes are idempotent (real PostgreSQL)', () => {
  it('a batch written twice, and rows repeated within a batch of events, are stored once', async () => {
    const schema = `emp_idem_${process.pid}_${Date.now() % 1_000_000}`;
    // Four processes opening the same new schema at once (the roles starting together).
    const stores = await Promise.all([0, 1, 2, 3].map(() => PostgresStore.open({ schema })));
    const s = stores[0] as PostgresStore;
    try {
      const batch = { bars: [bar(0), bar(1)], regimes: [regime], alerts: [alert, alert], signals: [signal] };
      await s.append(batch);
      await (stores[1] as PostgresStore).append(batch);
      expect(await s.bars({ symbol: 'BTC-USD', timeframe: '1m' })).toHaveLength(2);
      expect(await s.regimes({})).toHaveLength(1);
      expect(await s.alerts({})).toHaveLength(1);
      expect(await s.signals({})).toHaveLength(1);
      // A different event at the same time is kept.
      await s.append({ alerts: [{ ...alert, message: 'bear' }] });
      expect(await s.alerts({})).toHaveLength(2);
    } finally {
      await s.dropSchema();
      await Promise.all(stores.map((x) => x.close()));
    }
  });

  it('an event table from before the unique key is deduplicated when the key is added', async () => {
    const schema = `emp_idem_old_${process.pid}_${Date.now() % 1_000_000}`;
    const db = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 1 });
    try {
      await db.query(`CREATE SCHEMA ${schema}`);
      await db.query(
        `CREATE TABLE ${schema}.alerts (id BIGSERIAL PRIMARY KEY, symbol TEXT, ts DOUBLE PRECISION NOT NULL, body JSONB NOT NULL)`,
      );
      for (let i = 0; i < 3; i++)
        await db.query(`INSERT INTO ${schema}.alerts (symbol, ts, body) VALUES ($1, $2, $3)`, ['BTC-USD', T0, JSON.stringify(alert)]);
      const s = await PostgresStore.open({ schema });
      try {
        expect(await s.alerts({})).toHaveLength(1);
        await s.append({ alerts: [alert] });
        expect(await s.alerts({})).toHaveLength(1);
      } finally {
        await s.close();
      }
    } finally {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.end();
    }
  });
});
