/**
 * The candle geometry every TA-Lib candlestick pattern reads: body, shadows, gaps, and TA-Lib's
 * candle settings. TA-Lib judges "long", "short", "doji", "near" against the average of a range
 * (real body, high−low, or shadows) over the candles *before* the one judged. Pure: no I/O.
 *
 * A direction `d` is +1 (bullish, up, white) or −1 (bearish, down, black). A mirrored rule is
 * written once with it: `d * x > d * y` is `x > y` for d = +1 and `x < y` for d = −1, exactly
 * (negation is exact in floating point).
 */
import type { BarSeries } from '../core/market.ts';

/** +1 bullish (up, white), −1 bearish (down, black). */
export type Direction = 1 | -1;

type RangeType = 'body' | 'hl' | 'shadows';

interface CandleSetting {
  range: RangeType;
  period: number;
  factor: number;
}

/** TA-Lib's default candle settings. */
const CANDLE_SETTINGS = {
  BodyLong: { range: 'body', period: 10, factor: 1 },
  BodyVeryLong: { range: 'body', period: 10, factor: 3 },
  BodyShort: { range: 'body', period: 10, factor: 1 },
  BodyDoji: { range: 'hl', period: 10, factor: 0.1 },
  ShadowLong: { range: 'body', period: 0, factor: 1 },
  ShadowVeryLong: { range: 'body', period: 0, factor: 2 },
  ShadowShort: { range: 'shadows', period: 10, factor: 1 },
  ShadowVeryShort: { range: 'hl', period: 10, factor: 0.1 },
  Near: { range: 'hl', period: 5, factor: 0.2 },
  Far: { range: 'hl', period: 5, factor: 0.6 },
  Equal: { range: 'hl', period: 5, factor: 0.05 },
} as const satisfies Record<string, CandleSetting>;

export type SettingName = keyof typeof CANDLE_SETTINGS;

/** Per-bar geometry and the rolling averages every pattern reads. */
export class Candles {
  readonly n: number;
  private readonly ranges: Record<RangeType, Float64Array>;
  /** avg[setting][j]: TA-Lib's average for candle j (over the `period` candles before j). */
  private readonly avgs = new Map<SettingName, Float64Array>();

  constructor(readonly s: BarSeries) {
    const n = s.close.length;
    this.n = n;
    const body = new Float64Array(n);
    const hl = new Float64Array(n);
    const sh = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const o = s.open[i] as number;
      const c = s.close[i] as number;
      const h = s.high[i] as number;
      const l = s.low[i] as number;
      body[i] = Math.abs(c - o);
      hl[i] = h - l;
      sh[i] = h - (c >= o ? c : o) + ((c >= o ? o : c) - l);
    }
    this.ranges = { body, hl, shadows: sh };
  }

  private series(name: SettingName): Float64Array {
    let a = this.avgs.get(name);
    if (a) return a;
    const st = CANDLE_SETTINGS[name];
    const r = this.ranges[st.range];
    a = new Float64Array(this.n).fill(Number.NaN);
    const div = st.range === 'shadows' ? 2 : 1;
    if (st.period === 0) for (let j = 0; j < this.n; j++) a[j] = (st.factor * (r[j] as number)) / div;
    else {
      let sum = 0;
      for (let j = 0; j < this.n; j++) {
        if (j >= st.period) a[j] = (st.factor * (sum / st.period)) / div;
        // Rolled as TA-Lib rolls it: add the new range minus the one leaving, in one step.
        sum += j >= st.period ? (r[j] as number) - (r[j - st.period] as number) : (r[j] as number);
      }
    }
    this.avgs.set(name, a);
    return a;
  }

  avg(name: SettingName, j: number): number {
    return this.series(name)[j] as number;
  }
  o(i: number): number {
    return this.s.open[i] as number;
  }
  h(i: number): number {
    return this.s.high[i] as number;
  }
  l(i: number): number {
    return this.s.low[i] as number;
  }
  c(i: number): number {
    return this.s.close[i] as number;
  }
  body(i: number): number {
    return Math.abs(this.c(i) - this.o(i));
  }
  top(i: number): number {
    return Math.max(this.c(i), this.o(i));
  }
  bottom(i: number): number {
    return Math.min(this.c(i), this.o(i));
  }
  upper(i: number): number {
    return this.h(i) - this.top(i);
  }
  lower(i: number): number {
    return this.bottom(i) - this.l(i);
  }
  /** 1 white (close ≥ open), −1 black. */
  color(i: number): Direction {
    return this.c(i) >= this.o(i) ? 1 : -1;
  }
  /** The real body's edge on side d: its top (d = +1) or bottom (d = −1). */
  edge(i: number, d: Direction): number {
    return d > 0 ? this.top(i) : this.bottom(i);
  }
  /** The candle's extreme on side d: its high (d = +1) or low (d = −1). */
  end(i: number, d: Direction): number {
    return d > 0 ? this.h(i) : this.l(i);
  }
  /** The shadow on side d: the upper one (d = +1) or the lower one (d = −1). */
  shadow(i: number, d: Direction): number {
    return d > 0 ? this.upper(i) : this.lower(i);
  }
  /** Real-body gap of candle i beyond candle j in direction d (up: i's bottom above j's top). */
  gap(i: number, j: number, d: Direction): boolean {
    return d > 0 ? this.bottom(i) > this.top(j) : this.top(i) < this.bottom(j);
  }
  /** Whole-candle (shadow) gap of candle i beyond candle j in direction d, for kicking and abandoned baby. */
  candleGap(i: number, j: number, d: Direction): boolean {
    return d > 0 ? this.l(i) > this.h(j) : this.h(i) < this.l(j);
  }
  /** |a − b| within the average of `name` at candle j. */
  near(a: number, b: number, name: SettingName, j: number): boolean {
    const t = this.avg(name, j);
    return a <= b + t && a >= b - t;
  }
  marubozu(i: number): boolean {
    return (
      this.body(i) > this.avg('BodyLong', i) &&
      this.upper(i) < this.avg('ShadowVeryShort', i) &&
      this.lower(i) < this.avg('ShadowVeryShort', i)
    );
  }
}
