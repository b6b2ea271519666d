import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * `emp fuse` on `emp simulate`'s own output: three venues' quotes.csv (same file name, one per
 * venue folder), each with a symbol column and a receipt-time column, binance quoting in USDT.
 * Scored against the simulator's truth.csv (latent USD price per second).
 */
const root = join(import.meta.dirname, '..', '..');
const emp = (args: string[]) => spawnSync(join(root, 'bin', 'emp'), args, { encoding: 'utf8', cwd: root, maxBuffer: 1 << 28 });
const sim = mkdtempSync(join(tmpdir(), 'emp-fuse-sim-'));
const VENUES = ['binance', 'coinbase', 'kraken'];
const inputs = VENUES.flatMap((v) => ['-i', join(sim, v, 'quotes.csv')]);
/** truth[symbol][epoch ms] = latent price. */
const truth = new Map<string, Map<number, number>>();

interface Fused {
  time: string[];
  symbol?: string[];
  price: (number | null)[];
  sources: string[][];
  status: string[];
}

beforeAll(() => {
  const r = emp(['simulate', '--seed', '3', '--duration', '10m', '--out', sim]);
  expect(r.status).toBe(0);
  const lines = readFileSync(join(sim, 'truth.csv'), 'utf8').trim().split('\n');
  expect(lines[0]).toBe('time,symbol,price,usdt_basis,regime');
  for (const line of lines.slice(1)) {
    const [t, s, p] = line.split(',');
    let m = truth.get(s as string);
    if (!m) truth.set(s as string, (m = new Map()));
    m.set(Number(t), Number(p));
  }
  // The premise of the test: same file names, a symbol column, USDT symbols on binance.
  expect(readFileSync(join(sim, 'binance', 'quotes.csv'), 'utf8')).toMatch(/^time,recv_time,symbol,.*\n[^\n]*,BTC-USDT,/);
});

/** Errors against truth in bps, per symbol, over the rows that have a price and a truth point. */
function errorsBps(out: Fused, symbolOf: (i: number) => string): Map<string, number[]> {
  const errs = new Map<string, number[]>();
  out.time.forEach((iso, i) => {
    const p = out.price[i];
    const sym = symbolOf(i);
    const tp = truth.get(sym)?.get(Date.parse(iso));
    if (p === null || p === undefined || tp === undefined) return;
    const e = errs.get(sym) ?? [];
    e.push((Math.abs(p / tp - 1) * 1e4) as number);
    errs.set(sym, e);
  });
  return errs;
}

describe('emp fuse on emp simulate output', () => {
  it('fuses per symbol, names sources by folder, joins BTC-USDT with BTC-USD: within 10 bps of the truth every minute', () => {
    const r = emp(['fuse', ...inputs, '--interval', '1m', '--format', 'json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Fused;
    expect(new Set(out.symbol)).toEqual(new Set(['BTC-USD', 'ETH-USD', 'SOL-USD']));
    // Each venue is its own source (not three files merged into one named "quotes").
    expect(new Set(out.sources.flat())).toEqual(new Set(VENUES));
    expect(r.stderr).toMatch(/sources named by folder: binance \(/);
    expect(r.stderr).toMatch(/at the live USDT\/USD rate: .*BTC-USDT → BTC-USD/);
    const errs = errorsBps(out, (i) => out.symbol?.[i] as string);
    for (const sym of ['BTC-USD', 'ETH-USD', 'SOL-USD']) {
      const e = errs.get(sym) ?? [];
      // Every whole minute inside the 10-minute run that has a truth point: 1..9.
      expect(e.length).toBe(9);
      // A venue's own noise and half-spread are a few bps: 10 bps is "the right price", and far
      // below what mixing instruments (60000 vs 3000 vs 150) would give.
      expect(Math.max(...e)).toBeLessThan(10);
    }
  });

  it('every v1 method fuses per symbol within 10 bps of the truth', () => {
    for (const method of ['weighted-average', 'highest-confidence', 'most-recent', 'median']) {
      const r = emp(['fuse', ...inputs, '--interval', '1m', '--method', method, '--format', 'json']);
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout) as Fused;
      const errs = errorsBps(out, (i) => out.symbol?.[i] as string);
      expect([...errs.keys()].sort()).toEqual(['BTC-USD', 'ETH-USD', 'SOL-USD']);
      for (const e of errs.values()) expect(Math.max(...e)).toBeLessThan(10);
      expect(r.stderr).toMatch(/at par \(v1 methods\): .*BTC-USDT → BTC-USD/);
    }
  });

  it('--symbol keeps one instrument (no symbol column in the output); an unknown one is refused', () => {
    const r = emp(['fuse', ...inputs, '--interval', '30s', '--symbol', 'ETH-USD', '--format', 'json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Fused;
    expect(out.symbol).toBeUndefined();
    const errs = errorsBps(out, () => 'ETH-USD');
    expect(errs.get('ETH-USD')?.length).toBe(19);
    expect(Math.max(...(errs.get('ETH-USD') ?? [Number.NaN]))).toBeLessThan(10);
    const bad = emp(['fuse', ...inputs, '--symbol', 'DOGE-USD']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--symbol DOGE-USD: no rows for it \(instruments in the input: BTC-USD, ETH-USD, SOL-USD\)/);
  });

  it('without --interval: one row per receipt time and symbol, in receipt order', () => {
    const r = emp(['fuse', ...inputs, '--format', 'csv']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('time,symbol,price,confidence,sources,excluded,status');
    const rowsIn = VENUES.reduce(
      (n, v) =>
        n +
        readFileSync(join(sim, v, 'quotes.csv'), 'utf8')
          .trim()
          .split('\n').length -
        1,
      0,
    );
    // Distinct receipt times are (almost) all distinct: about one output row per input row.
    expect(lines.length - 1).toBeGreaterThan(0.95 * rowsIn);
    expect(lines.length - 1).toBeLessThanOrEqual(rowsIn);
    const times = lines.slice(1).map((l) => Date.parse(l.slice(0, l.indexOf(','))));
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
  });
});
