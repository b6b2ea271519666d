/**
 * SqliteStore at several page-cache bounds (`store.sqliteCacheMb`), side by side: appends in the
 * service's batches (a fused row and a 1-minute bar per instrument), the 500 most recent fused
 * rows, a prune; and RSS while appending, each size in a process of its own (RSS is per process,
 * and memory a closed store gave back stays with the allocator).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InstrumentId } from '../src/core/instrument.ts';
import type { EpochMs } from '../src/core/time.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import type { StoreBatch } from '../src/store/store.ts';

const SIZES_MB = [2, 4, 16];
const SYMBOLS = ['BTC-USD', 'ETH-USD', 'SOL-USD', 'EUR-USD', 'GBP-USD', 'USD-JPY'] as InstrumentId[];
const T0 = 1.7e12;

/** The service's batch for one second: a fused row and a bar per instrument (12 rows). */
function batch(i: number): StoreBatch {
  const ts = (T0 + i * 1000) as EpochMs;
  const price = 100 + (i % 97) / 10;
  return {
    fused: SYMBOLS.map((symbol) => ({
      symbol,
      ts,
      price,
      confidence: 0.01,
      status: 'ok' as const,
      sources: 3,
      excluded: 0,
      body: JSON.stringify({
        symbol,
        ts,
        price,
        sources: [
          { venue: 'binance', price, weight: 0.5 },
          { venue: 'coinbase', price, weight: 0.5 },
        ],
      }),
    })),
    bars: SYMBOLS.map((symbol) => ({
      type: 'bar' as const,
      final: true,
      symbol,
      timeframe: '1m' as const,
      ts,
      open: price,
      high: price,
      low: price,
      close: price,
      volume: 10,
    })),
  };
}

/** In a process of its own: RSS after each of `steps` rounds of `perStep` batches, MB above the start. */
async function fill(cacheMb: number, steps: number, perStep: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'emp-store-bench-'));
  const store = new SqliteStore(join(dir, 's.sqlite'), { cacheMb });
  // After a full collection, so that what is left is the store's memory, not the batches' garbage.
  const rss = (): number => {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage().rss / 2 ** 20;
  };
  await store.append(batch(0));
  const base = rss();
  const out: number[] = [];
  for (let s = 0; s < steps; s++) {
    for (let k = 1; k <= perStep; k++) await store.append(batch(s * perStep + k));
    out.push(rss() - base);
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify(out));
}

if (process.argv[2] === '--fill') await fill(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]));

export default async function run(): Promise<void> {
  const seconds = 20_000;
  const rounds = 3;
  const dirs: string[] = [];
  type Times = { append: number[]; recent: number[]; prune: number[] };
  const times = new Map<number, Times>(SIZES_MB.map((mb) => [mb, { append: [], recent: [], prune: [] }]));
  // Rounds interleave the sizes so that the machine's drift falls on each alike.
  for (let r = 0; r < rounds; r++)
    for (const mb of SIZES_MB) {
      const dir = mkdtempSync(join(tmpdir(), 'emp-store-bench-'));
      dirs.push(dir);
      const store = new SqliteStore(join(dir, 's.sqlite'), { cacheMb: mb });
      const t = times.get(mb) as Times;
      let t0 = performance.now();
      for (let i = 0; i < seconds; i++) await store.append(batch(i));
      t.append.push(performance.now() - t0);
      t0 = performance.now();
      for (let q = 0; q < 100; q++) for (const symbol of SYMBOLS) await store.fused({ symbol, limit: 500 });
      t.recent.push(performance.now() - t0);
      t0 = performance.now();
      await store.prune({ fused: 0, bars: 0 }, (T0 + (seconds / 2) * 1000) as EpochMs);
      t.prune.push(performance.now() - t0);
      await store.close();
    }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  const range = (xs: number[], f: (x: number) => number): string => {
    const ys = xs.map(f).sort((a, b) => a - b);
    return `${Math.round(ys[0] ?? Number.NaN)}–${Math.round(ys.at(-1) ?? Number.NaN)}`;
  };
  const rows = seconds * 2 * SYMBOLS.length;
  console.log(
    `SqliteStore, ${rows.toLocaleString('en-US')} rows appended in 1-s batches of ${2 * SYMBOLS.length}; ${rounds} rounds, min–max`,
  );
  console.log('| page cache | appends, rows/s | 500 most recent fused rows, queries/s | prune of half the rows, ms |');
  console.log('|---|---|---|---|');
  for (const [mb, t] of times)
    console.log(
      `| ${mb} MB | ${range(t.append, (ms) => (rows * 1000) / ms)} | ${range(t.recent, (ms) => (100 * SYMBOLS.length * 1000) / ms)} | ${range(t.prune, (ms) => ms)} |`,
    );
  const steps = 8;
  const perStep = 2500;
  console.log(
    `\nRSS above the store's start while appending (MB; after each ${(perStep * 2 * SYMBOLS.length).toLocaleString('en-US')} rows), a process per size:`,
  );
  for (const mb of SIZES_MB) {
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', import.meta.filename, '--fill', String(mb), String(steps), String(perStep)],
      {
        encoding: 'utf8',
      },
    );
    console.log(`| ${mb} MB | ${(JSON.parse(out) as number[]).map((x) => x.toFixed(1)).join(', ')} |`);
  }
}
