import { describe, expect, it } from 'vitest';
import type { Bar } from '../core/market.ts';
import { RecentBars } from './recent-bars.ts';

const MIN = 60_000;
const bar = (i: number): Bar => ({
  type: 'bar',
  symbol: 'BTC-USD',
  timeframe: '1m',
  ts: i * MIN,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume: 1,
  final: true,
});

describe('RecentBars', () => {
  it('keeps the last `capacity` closed bars per instrument and timeframe, oldest first', () => {
    const r = new RecentBars(3);
    expect(r.since('BTC-USD', '1m', -1)).toEqual([]);
    for (let i = 0; i < 5; i++) r.add(bar(i));
    r.add({ ...bar(9), symbol: 'ETH-USD' });
    r.add({ ...bar(8), timeframe: '5m' });
    expect(r.since('BTC-USD', '1m', -1).map((b) => b.ts / MIN)).toEqual([2, 3, 4]);
    expect(r.since('BTC-USD', '1m', 3 * MIN).map((b) => b.ts / MIN)).toEqual([4]);
    expect(r.since('ETH-USD', '1m', -1).map((b) => b.ts / MIN)).toEqual([9]);
    expect(r.since('BTC-USD', '5m', -1).map((b) => b.ts / MIN)).toEqual([8]);
  });

  it('gives back each bar as it was added, every field', () => {
    const r = new RecentBars(2);
    const a: Bar = { ...bar(1), open: 101.25, high: 102.5, low: 99.125, close: 100.0625, volume: 12.5 };
    const b: Bar = { ...bar(2), open: 1e-9, high: 3e12, low: -0, close: 0.1 + 0.2, volume: 0 };
    r.add(a);
    r.add(b);
    expect(r.since('BTC-USD', '1m', -1)).toEqual([a, b]);
  });
});
