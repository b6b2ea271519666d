import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBarsCsv } from '../../src/sources/csv.ts';
import { allocTicks, dukascopyPath, encodeBi5, type TickColumns } from '../../src/sources/fx/dukascopy.ts';

const root = join(import.meta.dirname, '..', '..');
const H = Date.UTC(2024, 0, 2, 13);

/** Runs bin/emp asynchronously (the local server lives in this process). */
const emp = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const p = spawn(join(root, 'bin', 'emp'), args, { cwd: root });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });

/** `emp import` arguments from an object: { source: 'yahoo' } → ['import', '--source', 'yahoo']. */
const importArgs = (o: Record<string, string>): string[] => ['import', ...Object.entries(o).flatMap(([k, v]) => [`--${k}`, v])];

/** Two hours of EUR-USD ticks: one tick every 10 s, mid rising a point a tick. */
function hourTicks(h: number): TickColumns {
  const n = 360;
  const t = allocTicks(n);
  const k0 = (h - H) / 10_000;
  for (let i = 0; i < n; i++) {
    t.time[i] = h + i * 10_000;
    t.bid[i] = (109_500 + k0 + i) / 100_000;
    t.ask[i] = (109_502 + k0 + i) / 100_000;
    t.bidSize[i] = 1;
    t.askSize[i] = 1;
  }
  return t;
}

describe('emp import', () => {
  let server: Server;
  let base = '';
  const dir = mkdtempSync(join(tmpdir(), 'emp-import-'));
  beforeAll(async () => {
    const files = new Map<string, Buffer>();
    for (const h of [H, H + 3_600_000])
      files.set(`/datafeed/${dukascopyPath('EUR-USD', h)}`, Buffer.from(encodeBi5(hourTicks(h), 'EUR-USD', h)));
    // GBP-USD's hour is cut in half in transit (the pure-JS LZMA once died on this with exit 133).
    const whole = encodeBi5(hourTicks(H), 'GBP-USD', H);
    files.set(`/datafeed/${dukascopyPath('GBP-USD', H)}`, Buffer.from(whole.subarray(0, whole.length >> 1)));
    const yahoo = readFileSync(new URL('../fx/fixtures/yahoo-eurusd-1d.json', import.meta.url));
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path.startsWith('/v8/finance/chart/')) return void res.writeHead(200).end(yahoo);
      const f = files.get(path);
      if (f) res.writeHead(200).end(f);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('dukascopy → 15-minute bars from mid prices (tick-count volume), readable by every other command', async () => {
    const out = join(dir, 'eurusd-15m.csv');
    const r = await emp(
      importArgs({
        source: 'dukascopy',
        symbol: 'EURUSD',
        from: '2024-01-02T13:00:00Z',
        to: '2024-01-02T15:00:00Z',
        timeframe: '15m',
        out,
        'base-url': `${base}/datafeed`,
        'cache-dir': join(dir, 'cache'),
      }),
    );
    expect(r.stderr).toContain('import: 8 bars of EUR-USD');
    expect(r.status).toBe(0);
    const s = await loadBarsCsv(out);
    expect(s.close.length).toBe(8);
    // First bar: ticks 0…89, mid = (109,501 + i) / 1e5.
    expect([s.open[0], s.high[0], s.low[0], s.close[0], s.volume[0]]).toEqual([1.09501, 1.0959, 1.09501, 1.0959, 90]);
    expect(s.time[1]).toBe(H + 15 * 60_000);
    expect(spawnSync(join(root, 'bin', 'emp'), ['indicators', 'compute', 'SMA', '--input', out], { cwd: root }).status).toBe(0);
  });

  it('dukascopy → ticks; a rerun reads the cache', async () => {
    const out = join(dir, 'ticks.csv');
    const r = await emp(
      importArgs({
        source: 'dukascopy',
        symbol: 'EUR/USD',
        from: '2024-01-02T13:00:00Z',
        to: '2024-01-02T13:01:00Z',
        timeframe: 'tick',
        out,
        'base-url': `${base}/datafeed`,
        'cache-dir': join(dir, 'cache'),
      }),
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('1 from cache');
    expect(readFileSync(out, 'utf8').split('\n').slice(0, 2)).toEqual([
      'time,bid,ask,bid_size,ask_size',
      '2024-01-02T13:00:00.000Z,1.095,1.09502,1,1',
    ]);
  });

  it('dukascopy: an hour cut in half is an error naming the file; the process exits by itself', async () => {
    const r = await emp(
      importArgs({
        source: 'dukascopy',
        symbol: 'GBP-USD',
        from: '2024-01-02T13:00:00Z',
        to: '2024-01-02T14:00:00Z',
        timeframe: 'tick',
        out: join(dir, 'gbp.csv'),
        'base-url': `${base}/datafeed`,
        'cache-dir': join(dir, 'cache'),
      }),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/GBPUSD\/2024\/00\/02\/13h_ticks\.bi5: truncated: input ends after \d+ bytes \[CORRUPT_DATA\]/);
    expect(r.stderr).not.toMatch(/Fatal|invalid size/);
  });

  it('yahoo → daily bars; bad arguments exit 2 with a clear message', async () => {
    const out = join(dir, 'y.csv');
    const r = await emp(
      importArgs({ source: 'yahoo', symbol: 'EUR-USD', from: '2024-01-01', to: '2024-01-06', timeframe: '1d', out, 'base-url': base }),
    );
    expect(r.status).toBe(0);
    expect((await loadBarsCsv(out)).close.length).toBe(3);
    const bad = await emp(importArgs({ source: 'nope', symbol: 'EUR-USD', from: '2024-01-01', to: '2024-01-02', out }));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown --source "nope"/);
    const ticks = await emp(
      importArgs({ source: 'yahoo', symbol: 'EUR-USD', from: '2024-01-01', to: '2024-01-02', timeframe: 'tick', out }),
    );
    expect(ticks.status).toBe(2);
  });
});
