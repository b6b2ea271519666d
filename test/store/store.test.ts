import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert, FusedPrice, RegimeState, Signal } from '../../src/core/events.ts';
import type { Bar } from '../../src/core/market.ts';
import { parseConfig } from '../../src/pipeline/config.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { fusedRow, type MarketStore } from '../../src/store/store.ts';
import { StoreWriter } from '../../src/store/writer.ts';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const fusedEvent: FusedPrice = {
  type: 'fused',
  symbol: 'BTC-USD',
  ts: T0,
  price: 100.5,
  confidence: 0.25,
  status: 'ok',
  sources: [{ venue: 'coinbase', price: 100.4, weight: 0.6 }],
  excluded: [{ venue: 'okx', price: 99, reason: 'outlier', since: T0 - 5000 }],
  bid: 100.45,
  ask: 100.55,
};

function bar(i: number, close = 100 + i): Bar {
  return {
    type: 'bar',
    symbol: 'BTC-USD',
    timeframe: '1m',
    ts: T0 + i * MIN,
    open: close - 1,
    high: close + 2,
    low: close - 2,
    close,
    volume: i,
    final: true,
  };
}

const signal = (i: number): Signal => ({
  type: 'signal',
  symbol: 'BTC-USD',
  timeframe: '1m',
  ts: T0 + i * MIN,
  side: i % 2 ? 'buy' : 'sell',
  strategy: 'trend',
  strength: 0.5,
  confidence: 0.6,
  reasons: [`r${i}`],
  confirmations: [],
});
const regime = (i: number): RegimeState => ({
  type: 'regime',
  symbol: 'ETH-USD',
  timeframe: '1m',
  ts: T0 + i * MIN,
  regime: 'bull',
  probabilities: { bull: 0.7, bear: 0.1, sideways: 0.1, high_volatility: 0.05, crash: 0.025, recovery: 0.025 },
  supported: 'bull',
  trend: 0.4,
  volatilityRegime: 'normal',
  calibrated: true,
});
const alert = (i: number): Alert => ({
  type: 'alert',
  kind: 'volatility_spike',
  severity: 'warning',
  symbol: null,
  ts: T0 + i * MIN,
  message: `a${i}`,
});

const dir = mkdtempSync(join(tmpdir(), 'emp-store-'));
const schema = `emp_test_${process.pid}_${Date.now() % 1e6}`;
const stores: [string, () => Promise<MarketStore>][] = [
  ['SqliteStore', async () => new SqliteStore(join(dir, `s${Math.random()}.db`))],
  ['PostgresStore', async () => PostgresStore.open({ schema: `${schema}_${Math.floor(Math.random() * 1e6)}` })],
];
const opened: MarketStore[] = [];
afterAll(async () => {
  for (const s of opened) {
    if (s instanceof PostgresStore) await s.dropSchema();
    await s.close();
  }
});

describe.each(stores)('%s', (_name, open) => {
  const fresh = async (): Promise<MarketStore> => {
    const s = await open();
    opened.push(s);
    return s;
  };

  it('round-trips every record kind and queries by symbol and time range', async () => {
    const s = await fresh();
    await s.append({
      bars: [bar(0), bar(1), bar(2)],
      fused: [fusedRow(fusedEvent)],
      signals: [signal(0), signal(3)],
      regimes: [regime(1)],
      alerts: [alert(2)],
      conflicts: [
        { type: 'conflict', symbol: 'BTC-USD', ts: T0, values: [{ venue: 'a', price: 1 }], tolerance: 0.01, resolution: 'median' },
      ],
    });
    expect(await s.bars({ symbol: 'BTC-USD', timeframe: '1m' })).toEqual([bar(0), bar(1), bar(2)]);
    expect(await s.bars({ symbol: 'BTC-USD', timeframe: '1m', from: T0 + MIN, to: T0 + 2 * MIN })).toEqual([bar(1), bar(2)]);
    expect(await s.bars({ symbol: 'BTC-USD', timeframe: '5m' })).toEqual([]);
    expect(await s.bars({ symbol: 'ETH-USD', timeframe: '1m' })).toEqual([]);
    // History answers with the event as the WebSocket sent it: sources and exclusions as lists.
    expect(await s.fused({ symbol: 'BTC-USD' })).toEqual([fusedEvent]);
    expect(await s.signals({ symbol: 'BTC-USD' })).toEqual([signal(0), signal(3)]);
    expect(await s.regimes({ symbol: 'ETH-USD' })).toEqual([regime(1)]);
    expect(await s.alerts({})).toEqual([alert(2)]);
    expect((await s.conflicts({}))[0]?.resolution).toBe('median');
  });

  it('limit returns the most recent rows in ascending order', async () => {
    const s = await fresh();
    await s.append({ bars: Array.from({ length: 10 }, (_, i) => bar(i)) });
    expect((await s.bars({ symbol: 'BTC-USD', timeframe: '1m', limit: 3 })).map((b) => b.close)).toEqual([107, 108, 109]);
  });

  it('re-writing a bar (open bar closing) replaces it', async () => {
    const s = await fresh();
    await s.append({ bars: [bar(0, 100)] });
    await s.append({ bars: [bar(0, 105)] });
    const got = await s.bars({ symbol: 'BTC-USD', timeframe: '1m' });
    expect(got.map((b) => b.close)).toEqual([105]);
  });

  it('keeps the latest checkpoint per instrument, timeframe and stage, also of two in one batch', async () => {
    const s = await fresh();
    const cp = (ts: number, body: string, symbol = 'BTC-USD') => ({ symbol, timeframe: '1m' as const, stage: 'regime', ts, body });
    await s.append({ checkpoints: [cp(T0, '{"a":1}'), cp(T0 + MIN, '{"a":2}'), cp(T0, '{"e":1}', 'ETH-USD')] });
    expect(await s.checkpoint({ symbol: 'BTC-USD', timeframe: '1m', stage: 'regime' })).toEqual(cp(T0 + MIN, '{"a":2}'));
    await s.append({ checkpoints: [cp(T0 + 2 * MIN, '{"a":3}')] });
    expect(await s.checkpoint({ symbol: 'BTC-USD', timeframe: '1m', stage: 'regime' })).toEqual(cp(T0 + 2 * MIN, '{"a":3}'));
    expect(await s.checkpoint({ symbol: 'ETH-USD', timeframe: '1m', stage: 'regime' })).toEqual(cp(T0, '{"e":1}', 'ETH-USD'));
    expect(await s.checkpoint({ symbol: 'BTC-USD', timeframe: '5m', stage: 'regime' })).toBeUndefined();
  });

  it('prunes by retention age', async () => {
    const s = await fresh();
    await s.append({ bars: Array.from({ length: 10 }, (_, i) => bar(i)), alerts: [alert(0), alert(9)] });
    const removed = await s.prune({ bars: 5 * MIN, events: 5 * MIN }, T0 + 9 * MIN);
    expect(removed).toBe(4 + 1);
    expect((await s.bars({ symbol: 'BTC-USD', timeframe: '1m' })).length).toBe(6);
    expect(await s.alerts({})).toEqual([alert(9)]);
  });

  it('StoreWriter batches rows and commits them on flush', async () => {
    const s = await fresh();
    const w = new StoreWriter(s, { intervalMs: 60_000, maxPending: 1_000_000 });
    for (let i = 0; i < 500; i++) w.bar(bar(i));
    w.alert(alert(1));
    expect(await s.bars({ symbol: 'BTC-USD', timeframe: '1m' })).toEqual([]);
    await w.close();
    expect((await s.bars({ symbol: 'BTC-USD', timeframe: '1m' })).length).toBe(500);
    expect(w.stats.written).toBe(501);
  });

  it('StoreWriter holds its commits until the given promise settles, then commits every row kept', async () => {
    const s = await fresh();
    const w = new StoreWriter(s, { intervalMs: 60_000, maxPending: 10 });
    let release = (): void => {};
    w.holdUntil(new Promise<void>((r) => (release = r)));
    // Past maxPending (an early flush) and an explicit flush: both wait.
    for (let i = 0; i < 25; i++) w.bar(bar(i));
    const flushed = w.flush();
    await new Promise((r) => setTimeout(r, 50));
    expect(await s.bars({ symbol: 'BTC-USD', timeframe: '1m' })).toEqual([]);
    expect(w.committed(w.mark())).toBe(false);
    release();
    await flushed;
    expect((await s.bars({ symbol: 'BTC-USD', timeframe: '1m' })).map((b) => b.ts)).toEqual(
      Array.from({ length: 25 }, (_, i) => T0 + i * MIN),
    );
    expect(w.committed(w.mark())).toBe(true);
    await w.close();
  });
});

describe('StoreWriter when the store fails', () => {
  it('keeps rows for the next attempt and drops the oldest beyond its bound, counting them', async () => {
    const inner = new SqliteStore(':memory:');
    let fail = true;
    const flaky: MarketStore = Object.assign(Object.create(inner) as MarketStore, {
      append: async (b: Parameters<MarketStore['append']>[0]) => {
        if (fail) throw new Error('disk full');
        return inner.append(b);
      },
    });
    const errors: unknown[] = [];
    const w = new StoreWriter(flaky, { intervalMs: 60_000, maxPending: 1_000_000, maxBuffered: 30, onError: (e) => errors.push(e) });
    for (let i = 0; i < 20; i++) w.bar(bar(i));
    await w.flush();
    for (let i = 20; i < 40; i++) w.bar(bar(i));
    await w.flush();
    expect(errors.length).toBe(2);
    expect(w.stats.dropped).toBe(10);
    fail = false;
    await w.close();
    const got = await inner.bars({ symbol: 'BTC-USD', timeframe: '1m' });
    expect(got.map((b) => b.close)).toEqual(Array.from({ length: 30 }, (_, i) => 110 + i));
    await inner.close();
  });
});

describe('SqliteStore page cache', () => {
  it("is bounded at SQLite's own 2 MB by default (better-sqlite3 builds 16 MB in), or at the configured size", async () => {
    const bare = new SqliteStore(':memory:');
    const sized = new SqliteStore(join(dir, 'cache.db'), { cacheMb: 8 });
    expect(bare.pageCacheKb()).toBe(2048);
    expect(sized.pageCacheKb()).toBe(8192);
    await Promise.all([bare.close(), sized.close()]);
    expect(parseConfig({}).store.sqliteCacheMb).toBe(2);
    expect(() => parseConfig({ store: { sqliteCacheMb: 0 } })).toThrow(/store\.sqliteCacheMb/);
  });
});
