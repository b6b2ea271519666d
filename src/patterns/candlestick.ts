/**
 * Candlestick patterns with TA-Lib's names, rules, candle settings and outputs (+100 bullish,
 * −100 bearish, ±80 for TA-Lib's weaker engulfing/harami forms, ±200 for a confirmed hikkake, 0
 * otherwise): the batch scan and the streaming scanner. The candle geometry and TA-Lib's candle
 * settings are in candles.ts, the 61 patterns in candlestick-definitions.ts. Pure: no I/O.
 *
 * All 61 of TA-Lib's are implemented (`CANDLESTICK_PATTERNS`); each one agrees with the `talib`
 * package bar for bar (src/patterns/candlestick.test.ts).
 */
import type { BarSeries } from '../core/market.ts';
import { Candles } from './candles.ts';
import { CANDLESTICK_DEFINITIONS } from './candlestick-definitions.ts';

export const CANDLESTICK_PATTERNS: readonly string[] = Object.keys(CANDLESTICK_DEFINITIONS);

/** Batch scan: one Int32Array per pattern, aligned to the input, 0 where TA-Lib has no output. */
export function scanCandlesticks(
  series: BarSeries,
  names: readonly string[] = CANDLESTICK_PATTERNS,
  options: { penetration?: number } = {},
): Record<string, Int32Array> {
  const k = new Candles(series);
  const out: Record<string, Int32Array> = {};
  for (const name of names) {
    const d = CANDLESTICK_DEFINITIONS[name];
    if (!d) throw new RangeError(`unknown candlestick pattern "${name}" (known: ${CANDLESTICK_PATTERNS.join(', ')})`);
    const pen = options.penetration ?? d.penetration ?? 0;
    const a = new Int32Array(k.n);
    if (d.scan) d.scan(k, a);
    else for (let i = d.lookback; i < k.n; i++) a[i] = d.detect(k, i, pen);
    out[name] = a;
  }
  return out;
}

/**
 * Streaming candlestick scan: `update(bar)` for a new bar, `replace(bar)` for the still-open
 * one; `current()` lists the patterns on the last bar. Every pattern looks at most 14 bars back
 * (its candles plus the averages before them), so the scan runs on a fixed window of the latest
 * bars: constant work per bar whatever the series length.
 */
export class CandlestickScanner {
  private static readonly WINDOW = 48;
  private readonly cols = {
    open: new Float64Array(CandlestickScanner.WINDOW),
    high: new Float64Array(CandlestickScanner.WINDOW),
    low: new Float64Array(CandlestickScanner.WINDOW),
    close: new Float64Array(CandlestickScanner.WINDOW),
  };
  private n = 0;
  private last: Record<string, Int32Array> = {};

  constructor(private readonly names: readonly string[] = CANDLESTICK_PATTERNS) {}

  update(bar: { open: number; high: number; low: number; close: number }): void {
    const w = CandlestickScanner.WINDOW;
    if (this.n === w) for (const c of Object.values(this.cols)) c.copyWithin(0, 1);
    else this.n++;
    this.set(bar);
  }

  replace(bar: { open: number; high: number; low: number; close: number }): void {
    if (this.n === 0) this.update(bar);
    else this.set(bar);
  }

  private set(bar: { open: number; high: number; low: number; close: number }): void {
    const i = this.n - 1;
    this.cols.open[i] = bar.open;
    this.cols.high[i] = bar.high;
    this.cols.low[i] = bar.low;
    this.cols.close[i] = bar.close;
    const n = this.n;
    const view: BarSeries = {
      time: new Float64Array(n),
      open: this.cols.open.subarray(0, n),
      high: this.cols.high.subarray(0, n),
      low: this.cols.low.subarray(0, n),
      close: this.cols.close.subarray(0, n),
      volume: new Float64Array(n),
      hasOhlc: true,
      hasVolume: false,
    };
    this.last = scanCandlesticks(view, this.names);
  }

  /** Non-zero patterns on the latest bar. */
  current(): { name: string; value: number }[] {
    const out: { name: string; value: number }[] = [];
    for (const [name, a] of Object.entries(this.last)) {
      const v = a[a.length - 1] as number;
      if (v !== 0) out.push({ name, value: v });
    }
    return out;
  }
}
