/**
 * `store.retentionDays` prunes on a schedule: at start and then every `store.pruneEveryMs`, on
 * SQLite and on PostgreSQL (127.0.0.1:5432, as `.ci/run` ensures). The running service's store
 * is watched through a second connection, as an operator would.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert, Signal } from '../../src/core/events.ts';
import type { Bar } from '../../src/core/market.ts';
import { parseConfig } from '../../src/pipeline/config.ts';
import { LivePipeline } from '../../src/pipeline/live-pipeline.ts';
import { defaultParts } from '../../src/pipeline/parts.ts';
import type { RecordSource } from '../../src/pipeline/stages.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { type FusedRow, fusedRow, type MarketStore, type StoreBatch } from '../../src/store/store.ts';

const DAY = 86_400_000;

/** No records: the test is about what the store keeps. */
const idle: RecordSource = { start() {}, async stop() {}, health: () => [] };

const bar = (ts: number): Bar => ({
  type: 'bar',
  symbol: 'BTC-USD',
  timeframe: '1m',
  ts,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume: 1,
  final: true,
});
const fused = (ts: number): FusedRow =>
  fusedRow({ type: 'fused', symbol: 'BTC-USD', ts, price: 1, confidence: 1, status: 'ok', sources: [], excluded: [] });
const alert = (ts: number): Alert => ({ type: 'alert', kind: 'source_down', severity: 'warning', symbol: 'BTC-USD', ts, message: 'x' });
const signal = (ts: number): Signal =>
  ({
    type: 'signal',
    symbol: 'BTC-USD',
    ts,
    timeframe: '1m',
    strategy: 'ma_cross',
    action: 'buy',
    strength: 1,
    confidence: 0.5,
  }) as unknown as Signal;

/** Rows at the given ages (days before now) in every table. */
function rowsAged(now: number, ages: number[]): StoreBatch {
  const ts = ages.map((d) => Math.round(now - d * DAY));
  return { bars: ts.map(bar), fused: ts.map(fused), alerts: ts.map(alert), signals: ts.map(signal) };
}

async function counts(s: MarketStore): Promise<number[]> {
  const q = { symbol: 'BTC-USD', limit: 100_000 };
  return [
    (await s.bars({ ...q, timeframe: '1m' })).length,
    (await s.fused(q)).length,
    (await s.alerts({ limit: 100_000 })).length,
    (await s.signals(q)).length,
  ];
}

const until = async (pred: () => Promise<boolean>, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe.each(['sqlite', 'postgres'] as const)('retention on %s', (kind) => {
  it('deletes rows past their age at start and again on schedule, keeps the rest, counts what it deleted', async () => {
    const tag = `ret_${process.pid}_${Date.now() % 1_000_000}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'emp-retention-'));
    const cfg = parseConfig({
      instruments: ['BTC-USD'],
      store: { kind, dataDir, postgresSchema: tag, retentionDays: { bars: 30, fused: 2, events: 10 }, pruneEveryMs: 1000 },
      analysis: { timeframes: ['1m'], indicators: [], strategies: [] },
    });
    const watch: MarketStore = kind === 'sqlite' ? new SqliteStore(join(dataDir, 'emp.sqlite')) : await PostgresStore.open({ schema: tag });
    const now = Date.now();
    // Ages in days: 1 is kept everywhere; 5 only where retention > 5 (bars, events); 20 only for bars; 40 nowhere.
    await watch.append(rowsAged(now, [40, 20, 5, 1]));
    expect(await counts(watch)).toEqual([4, 4, 4, 4]);

    const p = await LivePipeline.open(cfg, idle, defaultParts(cfg));
    try {
      await p.start();
      // bars keep 20, 5, 1; fused keeps 1; events keep 5, 1.
      await until(async () => (await counts(watch)).join() === '3,1,2,2', 5000);
      // Rows that age out later go at the next scheduled pass, with no restart.
      await watch.append({ fused: [fused(now - 3 * DAY)], alerts: [alert(now - 11 * DAY)] });
      expect(await counts(watch)).toEqual([3, 2, 3, 2]);
      await until(async () => (await counts(watch)).join() === '3,1,2,2', 3000);
      // The pass counts its rows once every table's delete has returned, a moment after the rows are gone.
      await until(async () => /^emp_store_rows_pruned_total 10$/m.test(p.metrics()), 3000);
      const metrics = p.metrics();
      // 1 bar + 3 fused + 2 alerts + 2 signals at start, then 1 fused + 1 alert.
      expect(metrics).toMatch(/^emp_store_rows_pruned_total 10$/m);
      expect(Number(/^emp_store_prune_runs_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
      expect(metrics).toMatch(/^emp_store_prune_errors_total 0$/m);
    } finally {
      await p.stop();
      if (watch instanceof PostgresStore) await watch.dropSchema();
      await watch.close();
    }
  }, 20_000);
});

describe('retention defaults', () => {
  it('fused prices are kept 7 days, bars and events forever, once an hour', () => {
    const cfg = parseConfig({});
    expect(cfg.store.retentionDays).toEqual({ fused: 7 });
    expect(cfg.store.pruneEveryMs).toBe(3_600_000);
  });
});
