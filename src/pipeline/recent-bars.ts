import type { Bar } from '../core/market.ts';
import type { Timeframe } from '../core/time.ts';

/**
 * The last `capacity` closed bars of each instrument and timeframe, kept until the batched store
 * writer has committed them: a history answer made of what is stored plus these has no hole,
 * however far the writer lags (up to `capacity` bars). A ring per key: O(1) per bar, no copying
 * until a history request asks.
 */
export class RecentBars {
  private readonly rings = new Map<string, { bars: (Bar | undefined)[]; next: number; size: number }>();

  constructor(private readonly capacity = 256) {}

  add(bar: Bar): void {
    const key = `${bar.symbol}:${bar.timeframe}`;
    let r = this.rings.get(key);
    if (!r) this.rings.set(key, (r = { bars: new Array<Bar | undefined>(this.capacity), next: 0, size: 0 }));
    r.bars[r.next] = bar;
    r.next = (r.next + 1) % this.capacity;
    r.size = Math.min(r.size + 1, this.capacity);
  }

  /** Oldest first, those with `ts` after `after`. */
  since(symbol: string, timeframe: Timeframe, after: number): Bar[] {
    const r = this.rings.get(`${symbol}:${timeframe}`);
    const out: Bar[] = [];
    if (!r) return out;
    for (let k = r.size; k > 0; k--) {
      const b = r.bars[(r.next - k + this.capacity) % this.capacity] as Bar;
      if (b.ts > after) out.push(b);
    }
    return out;
  }
}
