/**
 * `/api/history/bars` while the batched store writer lags behind the stream: what is stored, then
 * the closed bars it has not stored yet, then the open bar — one series with no hole, within the
 * query's from, to and limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/core/market.ts';
import { RecentBars } from '../../src/pipeline/recent-bars.ts';
import { type RunningServer, startServer } from '../../src/server/server.ts';
import { testBackend } from './backend-fixture.ts';

const MIN = 60_000;
const bar = (i: number, final = true): Bar => ({
  type: 'bar',
  symbol: 'BTC-USD',
  timeframe: '1m',
  ts: i * MIN,
  open: 100 + i,
  high: 101 + i,
  low: 99 + i,
  close: 100.5 + i,
  volume: 1,
  final,
});

describe('history bars behind a lagging writer', () => {
  let srv: RunningServer;
  beforeAll(async () => {
    // Closed 0…6 on the stream, 0…2 committed, 7 open.
    const recent = new RecentBars(4);
    for (let i = 0; i <= 6; i++) recent.add(bar(i));
    const be = testBackend({
      symbols: () => ['BTC-USD'],
      closedBarsAfter: (symbol: string, tf: Bar['timeframe'], after: number) => recent.since(symbol, tf, after),
      openBar: () => bar(7, false),
    });
    await be.store.append({ bars: [0, 1, 2].map((i) => bar(i)) });
    srv = await startServer(be, { host: '127.0.0.1', port: 0 });
  });
  afterAll(() => srv.close());

  const minutes = async (query: string): Promise<number[]> => {
    const res = await fetch(`${srv.url}/api/history/bars?symbol=BTC-USD&timeframe=1m${query}`);
    return ((await res.json()) as Bar[]).map((b) => b.ts / MIN);
  };

  it('serves every bar once, in order, the open one last', async () => {
    expect(await minutes('')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const all = (await (await fetch(`${srv.url}/api/history/bars?symbol=BTC-USD&timeframe=1m`)).json()) as Bar[];
    expect(all.map((b) => b.final)).toEqual([true, true, true, true, true, true, true, false]);
  });

  it('keeps to from, to and limit', async () => {
    expect(await minutes(`&from=${4 * MIN}`)).toEqual([4, 5, 6, 7]);
    expect(await minutes(`&to=${5 * MIN}`)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await minutes(`&from=${1 * MIN}&to=${3 * MIN}`)).toEqual([1, 2, 3]);
    expect(await minutes('&limit=3')).toEqual([5, 6, 7]);
  });
});
