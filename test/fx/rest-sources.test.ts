import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlphaVantageClient, zonedTimeToUtc } from '../../src/sources/fx/alphavantage.ts';
import { RateLimiter } from '../../src/sources/fx/http.ts';
import { YahooChartClient, yahooSymbol } from '../../src/sources/fx/yahoo.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** A local server: each path answers from a queue of [status, body] (the last one repeats). */
let server: Server;
let base = '';
const routes = new Map<string, [number, string][]>();
const seen: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${url.pathname}?${url.searchParams}`);
    const key =
      url.pathname === '/query'
        ? `/query:${url.searchParams.get('function')}:${url.searchParams.get('symbol') ?? url.searchParams.get('from_symbol')}`
        : url.pathname;
    const q = routes.get(key);
    const [status, body] = (q && q.length > 1 ? q.shift() : q?.[0]) ?? [404, '{}'];
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());
beforeEach(() => {
  routes.clear();
  seen.length = 0;
});

describe('Yahoo Finance chart API', () => {
  const http = { retryBaseMs: 1 };

  it('parses daily FX bars, skipping null rows; EUR-USD is requested as EURUSD=X', async () => {
    routes.set('/v8/finance/chart/EURUSD%3DX', [[200, fixture('yahoo-eurusd-1d.json')]]);
    const y = new YahooChartClient(base, http);
    const bars = await y.bars('EUR-USD', '1d', Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 6));
    expect(bars.map((b) => [new Date(b.ts).toISOString().slice(0, 10), b.open, b.high, b.low, b.close])).toEqual([
      ['2024-01-02', 1.1039, 1.1046, 1.0937, 1.1039],
      ['2024-01-03', 1.0937, 1.0945, 1.0895, 1.0937],
      ['2024-01-04', 1.0924, 1.0953, 1.0914, 1.0924],
    ]);
    expect(y.skipped).toBe(1);
    expect(seen[0]).toContain(`period1=${Date.UTC(2024, 0, 1) / 1000}`);
    expect(seen[0]).toContain('interval=1d');
    expect(yahooSymbol('MSFT')).toBe('MSFT');
  });

  it('splits 1-minute history into 7-day windows; retries 429 and 5xx; errors name the symbol', async () => {
    routes.set('/v8/finance/chart/EURUSD%3DX', [
      [429, '{"finance":{"error":{"code":"Too Many Requests"}}}'],
      [502, ''],
      [200, fixture('yahoo-eurusd-1d.json')],
    ]);
    const y = new YahooChartClient(base, http);
    await y.bars('EUR-USD', '1m', Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 11));
    expect(seen.filter((s) => s.includes('interval=1m'))).toHaveLength(4); // 2 failures + 2 windows
    routes.set('/v8/finance/chart/NOPE', [[404, fixture('yahoo-not-found.json')]]);
    await expect(y.bars('NOPE', '1d', 0, 1e12)).rejects.toThrow(/Yahoo NOPE: Not Found: No data found/);
    await expect(y.bars('EUR-USD', '4h', 0, 1e12)).rejects.toThrow(/no 4h interval/);
  });

  it('poll: closed bars once each, the open bar whenever it changes, then it closes', async () => {
    // One clock reading for every answer: a bar's time must not move between polls (read anew, a
    // second boundary crossed between two answers shifted every bar and they were re-sent).
    const t0 = Math.floor(Date.now() / 1000) - 3600;
    const body = (closes: number[]): string =>
      JSON.stringify({
        chart: {
          result: [
            {
              meta: { symbol: 'EURUSD=X' },
              timestamp: closes.map((_, i) => t0 + i * 60),
              indicators: { quote: [{ open: closes, high: closes, low: closes, close: closes, volume: closes.map(() => 0) }] },
            },
          ],
          error: null,
        },
      });
    routes.set('/v8/finance/chart/EURUSD%3DX', [[200, body([1.1, 1.2, 1.3])]]);
    const y = new YahooChartClient(base, { retryBaseMs: 1 });
    const ac = new AbortController();
    const got: [number, boolean][] = [];
    for await (const b of y.poll('EUR-USD', '1m', 5, ac.signal)) {
      got.push([b.close, b.final]);
      if (got.length === 3) routes.set('/v8/finance/chart/EURUSD%3DX', [[200, body([1.1, 1.2, 1.35])]]);
      if (got.length === 4) routes.set('/v8/finance/chart/EURUSD%3DX', [[200, body([1.1, 1.2, 1.35, 1.4])]]);
      if (got.length === 6) ac.abort();
    }
    expect(got).toEqual([
      [1.1, true],
      [1.2, true],
      [1.3, false],
      [1.35, false],
      [1.35, true],
      [1.4, false],
    ]);
  });

  it('malformed answers are protocol errors, not empty series', async () => {
    routes.set('/v8/finance/chart/EURUSD%3DX', [[200, '{"chart":{"result":[{"meta":{}}]}}']]);
    await expect(new YahooChartClient(base, http).bars('EUR-USD', '1d', 0, 1e12)).rejects.toThrow(/unexpected response/);
  });
});

describe('Alpha Vantage', () => {
  const client = (): AlphaVantageClient =>
    new AlphaVantageClient({ apiKey: 'KEY123', baseUrl: base, requestsPerMinute: 600, http: { retryBaseMs: 1 } });

  it('FX_INTRADAY: UTC times, oldest first, the key sent but never echoed in errors', async () => {
    routes.set('/query:FX_INTRADAY:EUR', [[200, fixture('alphavantage-fx-intraday.json')]]);
    const bars = await client().bars('EUR-USD', '5m', Date.UTC(2024, 0, 2, 13), Date.UTC(2024, 0, 2, 14));
    expect(bars.map((b) => [new Date(b.ts).toISOString(), b.open, b.close])).toEqual([
      ['2024-01-02T13:00:00.000Z', 1.0935, 1.0938],
      ['2024-01-02T13:05:00.000Z', 1.0938, 1.0941],
      ['2024-01-02T13:10:00.000Z', 1.0941, 1.09425],
    ]);
    expect(seen[0]).toContain('apikey=KEY123');
    expect(seen[0]).toContain('interval=5min');
  });

  it('equity intraday times are US/Eastern and converted to UTC (EDT in July: +4 h); volume kept', async () => {
    routes.set('/query:TIME_SERIES_INTRADAY:MSFT', [[200, fixture('alphavantage-equity-intraday.json')]]);
    const bars = await client().bars('MSFT', '5m', 0, 2e12);
    expect(bars.map((b) => [new Date(b.ts).toISOString(), b.volume])).toEqual([
      ['2024-07-01T13:35:00.000Z', 402_117],
      ['2024-07-01T13:40:00.000Z', 310_215],
    ]);
    expect(zonedTimeToUtc('2024-01-02 09:30:00', 'US/Eastern')).toBe(Date.UTC(2024, 0, 2, 14, 30));
  });

  it('throttling answers (Note, Information) and error messages are errors, not empty data', async () => {
    for (const [f, re] of [
      ['alphavantage-note.json', /THROTTLED|refused the request \(Note\)/],
      ['alphavantage-information.json', /refused the request \(Information\)/],
      ['alphavantage-error.json', /Invalid API call/],
    ] as const) {
      routes.set('/query:FX_DAILY:EUR', [[200, fixture(f)]]);
      const err = await client()
        .bars('EUR-USD', '1d', 0, 2e12)
        .catch((e: Error) => e);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('KEY123');
    }
  });

  it('the rate limiter spaces requests to the budget', async () => {
    let now = 0;
    const slept: number[] = [];
    const limiter = new RateLimiter(
      2,
      () => now,
      async (ms) => {
        slept.push(ms);
        now += ms;
      },
    );
    await limiter.acquire();
    await limiter.acquire();
    expect(slept).toEqual([]);
    await limiter.acquire(); // the bucket is empty: one token takes half a minute at 2 a minute
    expect(slept).toEqual([30_000]);
    now += 60_000; // a quiet minute refills the bucket, but never beyond its size
    await limiter.acquire();
    await limiter.acquire();
    await limiter.acquire();
    expect(slept).toEqual([30_000, 30_000]);
  });
});
