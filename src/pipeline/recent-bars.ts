import type { InstrumentId } from '../core/instrument.ts';
import type { Bar } from '../core/market.ts';
import type { EpochMs, Timeframe } from '../core/time.ts';

/** Columns of a ring row: ts, open, high, low, close, volume. */
const COLS = 6;

interface Ring {
  symbol: InstrumentId;
  timeframe: Timeframe;
  rows: Float64Array;
  next: number;
  size: number;
}

/**
 * The last `capacity` closed bars of each instrument and timeframe, kept until the batched store
 * writer has committed them: a history answer made of what is stored plus these has no hole,
 * however far the writer lags (up to `capacity` bars). A ring per key: O(1) per bar, no copying
 * until a history request asks. The bars' numbers are kept in a typed array allocated whole at
 * the first bar, not as the bars themselves: a ring of objects grew with every bar until full,
 * which for daily bars in a live service takes most of a year (the memory rose all that time).
 */
export class RecentBars {
  private readonly rings = new Map<string, Ring>();

  constructor(private readonly capacity = 256) {}

  add(bar: Bar): void {
    const key = `${bar.symbol}:${bar.timeframe}`;
    let r = this.rings.get(key);
    if (!r) {
      r = { symbol: bar.symbol, timeframe: bar.timeframe, rows: new Float64Array(this.capacity * COLS), next: 0, size: 0 };
      this.rings.set(key, r);
    }
    const o = r.next * COLS;
    r.rows[o] = bar.ts;
    r.rows[o + 1] = bar.open;
    r.rows[o + 2] = bar.high;
    r.rows[o + 3] = bar.low;
    r.rows[o + 4] = bar.close;
    r.rows[o + 5] = bar.volume;
    r.next = (r.next + 1) % this.capacity;
    r.size = Math.min(r.size + 1, this.capacity);
  }

  /** Oldest first, those with `ts` after `after`. */
  since(symbol: string, timeframe: Timeframe, after: number): Bar[] {
    const r = this.rings.get(`${symbol}:${timeframe}`);
    const out: Bar[] = [];
    if (!r) return out;
    const rows = r.rows;
    for (let k = r.size; k > 0; k--) {
      const o = ((r.next - k + this.capacity) % this.capacity) * COLS;
      const ts = rows[o] as EpochMs;
      if (ts > after)
        out.push({
          type: 'bar',
          symbol: r.symbol,
          timeframe: r.timeframe,
          ts,
          open: rows[o + 1] as number,
          high: rows[o + 2] as number,
          low: rows[o + 3] as number,
          close: rows[o + 4] as number,
          volume: rows[o + 5] as number,
          final: true,
        });
    }
    return out;
  }
}
