import type { Bar } from '../core/market.ts';
import { floorToTimeframe, type Timeframe, timeframeMs } from '../core/time.ts';

/**
 * Time bars of one instrument from a price stream (trades, or fused prices), every timeframe
 * aggregated directly from the prices, so each equals the roll-up of the smaller ones (a
 * property test checks it). A price at or after the end of the open bar closes it (emitted with
 * `final: true`) before opening the next. Late policy: a price older than the open bar is left
 * out of the bars and counted in `late` (a closed bar never changes); out-of-order prices within
 * the open bar are merged (high, low, volume), the close being the last one received. Intervals
 * with no price make no bar. The open Bar object is reused: consumers copy what they keep.
 */
export class BarAggregator {
  private readonly frames: { tf: Timeframe; ms: number; bar: Bar; open: boolean }[];
  late = 0;

  constructor(
    readonly symbol: string,
    timeframes: readonly Timeframe[],
  ) {
    this.frames = timeframes.map((tf) => ({
      tf,
      ms: timeframeMs(tf),
      bar: { type: 'bar', symbol, timeframe: tf, ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0, final: false },
      open: false,
    }));
  }

  onTrade(t: { ts: number | null; recvTs: number; price: number; size: number }, emit: (bar: Bar) => void): void {
    this.onPrice(t.ts ?? t.recvTs, t.price, t.size, emit);
  }

  onPrice(ts: number, price: number, size: number, emit: (bar: Bar) => void): void {
    for (const f of this.frames) {
      const b = f.bar;
      if (f.open && ts < b.ts) {
        this.late++;
        continue;
      }
      if (f.open && ts >= b.ts + f.ms) {
        b.final = true;
        emit({ ...b });
        f.open = false;
      }
      if (!f.open) {
        b.ts = floorToTimeframe(ts, f.tf);
        b.open = b.high = b.low = b.close = price;
        b.volume = size;
        b.final = false;
        f.open = true;
      } else {
        if (price > b.high) b.high = price;
        if (price < b.low) b.low = price;
        b.close = price;
        b.volume += size;
      }
      emit(b);
    }
  }

  /** A copy of the open bar of a timeframe, if one is open. */
  openBar(tf: Timeframe): Bar | undefined {
    const f = this.frames.find((x) => x.tf === tf);
    return f?.open ? { ...f.bar } : undefined;
  }

  /** The input has ended: each open bar is emitted closed (`final: true`). */
  close(emit: (bar: Bar) => void): void {
    for (const f of this.frames) {
      if (!f.open) continue;
      f.bar.final = true;
      emit({ ...f.bar });
      f.open = false;
    }
  }
}
