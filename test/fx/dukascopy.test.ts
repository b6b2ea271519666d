import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.ts';
import {
  allocTicks,
  DukascopyDownloader,
  decodeBi5,
  dukascopyPath,
  encodeBi5,
  type TickColumns,
  ticksToQuotes,
} from '../../src/sources/fx/dukascopy.ts';

const H = Date.UTC(2024, 0, 2, 13); // 2024-01-02 13:00 UTC: month 00 in Dukascopy's path

/** Ticks as Dukascopy stores them: integer points, float32 volumes, ms within the hour. */
function ticks(n: number, seed: number, pointsPerUnit: number, start = 109_500, hour = H): TickColumns {
  const rng = new Rng(seed);
  const t = allocTicks(n);
  let p = start;
  let ms = 0;
  for (let i = 0; i < n; i++) {
    ms += rng.int(1000);
    p += rng.int(5) - 2;
    t.time[i] = hour + ms;
    t.bid[i] = p / pointsPerUnit;
    t.ask[i] = (p + 1 + rng.int(4)) / pointsPerUnit;
    t.bidSize[i] = Math.fround(0.1 + rng.next() * 5);
    t.askSize[i] = Math.fround(0.1 + rng.next() * 5);
  }
  return t;
}

describe('Dukascopy .bi5 decoder', () => {
  it('round-trips encoder-made files exactly (EUR-USD in 1e-5 points, USD-JPY in 1e-3)', () => {
    for (const [id, ppu, start] of [
      ['EUR-USD', 100_000, 109_500],
      ['USD-JPY', 1_000, 141_250],
    ] as const) {
      const t = ticks(2000, 1, ppu, start);
      const d = decodeBi5(encodeBi5(t, id, H), id, H);
      for (const k of ['time', 'bid', 'ask', 'bidSize', 'askSize'] as const) expect(Array.from(d[k])).toEqual(Array.from(t[k]));
    }
  });

  it('a hand-built row decodes to the documented fields', async () => {
    // One row: 1,234 ms into the hour, ask 109,512 points, bid 109,510, volumes 1.5 and 0.25.
    const raw = new Uint8Array(20);
    const v = new DataView(raw.buffer);
    v.setUint32(0, 1234);
    v.setUint32(4, 109_512);
    v.setUint32(8, 109_510);
    v.setFloat32(12, 1.5);
    v.setFloat32(16, 0.25);
    const lzma = (await import('lzma')).default;
    const file = Uint8Array.from(lzma.compress(Array.from(raw), 5), (b) => b & 0xff);
    const [q] = ticksToQuotes(decodeBi5(file, 'EUR-USD', H), 'EUR-USD');
    expect(q).toEqual({
      type: 'quote',
      venue: 'dukascopy',
      symbol: 'EUR-USD',
      ts: H + 1234,
      recvTs: H + 1234,
      ask: 1.09512,
      bid: 1.0951,
      // Dukascopy's volumes are in millions; quotes carry units, as from every other venue.
      askSize: 1_500_000,
      bidSize: 250_000,
    });
  });

  it('an empty file is an hour without ticks; truncated or corrupt files are clear errors', () => {
    expect(decodeBi5(new Uint8Array(0), 'EUR-USD', H).time.length).toBe(0);
    const good = encodeBi5(ticks(500, 2, 100_000), 'EUR-USD', H);
    expect(() => decodeBi5(good.subarray(0, good.length - 20), 'EUR-USD', H)).toThrow(/CORRUPT|truncated|corrupt/);
    expect(() => decodeBi5(good.subarray(0, 7), 'EUR-USD', H)).toThrow(/shorter than an LZMA header/);
    const flipped = good.slice();
    flipped[60] = (flipped[60] as number) ^ 0xff;
    expect(() => decodeBi5(flipped, 'EUR-USD', H)).toThrow(/EURUSD\/2024\/00\/02\/13h_ticks\.bi5/);
    expect(() => decodeBi5(Uint8Array.from([0xff, ...new Array(20).fill(0)]), 'EUR-USD', H)).toThrow(/not LZMA/);
  });

  it('a full hour cut anywhere, or with bytes overwritten, fails with CORRUPT_DATA naming the file', () => {
    const good = encodeBi5(ticks(3600, 9, 100_000), 'EUR-USD', H);
    const rng = new Rng(4);
    for (let k = 0; k < 60; k++) {
      const bad = k % 2 === 0 ? good.subarray(0, 13 + rng.int(good.length - 13)) : good.slice();
      if (k % 2 === 1)
        for (let j = 0; j <= rng.int(4); j++) {
          const at = 13 + rng.int(good.length - 13);
          bad[at] = (bad[at] as number) ^ (1 + rng.int(255));
        }
      let err: unknown;
      try {
        decodeBi5(bad, 'EUR-USD', H);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'CORRUPT_DATA', message: expect.stringMatching(/^EURUSD\/2024\/00\/02\/13h_ticks\.bi5: /) });
    }
    // A header declaring more than an hour can hold (a row per millisecond) is refused up front.
    const huge = good.slice();
    huge[12] = 1;
    expect(() => decodeBi5(huge, 'EUR-USD', H)).toThrow(/13h_ticks\.bi5: header declares \d+ bytes, more than the 72000000 allowed/);
  });
});

describe('Dukascopy downloader against a local feed server', () => {
  const files = new Map<string, Uint8Array>();
  const failuresLeft = new Map<string, number>();
  const requests: string[] = [];
  let server: Server;
  let base = '';
  const cache = mkdtempSync(join(tmpdir(), 'emp-duka-'));
  const hours = [0, 1, 2].map((k) => H + k * 3_600_000);

  beforeAll(async () => {
    for (const [k, h] of hours.entries())
      files.set(`/datafeed/${dukascopyPath('EUR-USD', h)}`, encodeBi5(ticks(300, 10 + k, 100_000, 109_500, h), 'EUR-USD', h));
    // Hour 1 fails twice with 503 before it is served; hour 3 has no file (404).
    failuresLeft.set(`/datafeed/${dukascopyPath('EUR-USD', hours[1] as number)}`, 2);
    files.set(`/datafeed/${dukascopyPath('GBP-USD', H)}`, encodeBi5(ticks(300, 5, 100_000), 'GBP-USD', H).subarray(0, 100));
    server = createServer((req, res) => {
      const url = req.url ?? '';
      requests.push(url);
      const left = failuresLeft.get(url) ?? 0;
      if (left > 0) {
        failuresLeft.set(url, left - 1);
        res.writeHead(503).end();
        return;
      }
      const body = files.get(url);
      if (!body) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/datafeed`;
  });
  afterAll(() => {
    server.close();
    rmSync(cache, { recursive: true, force: true });
  });

  it('downloads a range with retries on 5xx, 404 as an empty hour, progress per hour', async () => {
    const d = new DukascopyDownloader({ baseUrl: base, cacheDir: cache, retryBaseMs: 1 });
    const progress: string[] = [];
    let n = 0;
    for await (const t of d.range('EUR-USD', H, H + 4 * 3_600_000, (done, total) => progress.push(`${done}/${total}`))) n += t.time.length;
    expect(n).toBe(900);
    expect(progress).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(d.stats).toEqual({ fetched: 3, cached: 0, retried: 2, missing: 1 });
  });

  it('resumes from the cache: a second run fetches nothing already downloaded', async () => {
    const before = requests.length;
    const d = new DukascopyDownloader({ baseUrl: base, cacheDir: cache, retryBaseMs: 1 });
    let n = 0;
    for await (const t of d.range('EUR-USD', H, H + 3 * 3_600_000)) n += t.time.length;
    expect(n).toBe(900);
    expect(requests.length).toBe(before);
    expect(d.stats.cached).toBe(3);
  });

  it('a truncated download is an error and is not cached', async () => {
    const d = new DukascopyDownloader({ baseUrl: base, cacheDir: cache, retryBaseMs: 1 });
    await expect(d.hour('GBP-USD', H)).rejects.toThrow(/GBPUSD/);
    expect(readdirSync(cache)).not.toContain('GBPUSD');
  });
});
