/**
 * Candlestick patterns with TA-Lib's names, rules, candle settings and outputs (+100 bullish,
 * −100 bearish, ±80 for TA-Lib's weaker engulfing/harami forms, ±200 for a confirmed hikkake, 0 otherwise). TA-Lib judges "long", "short", "doji", "near" against the average
 * of a range (real body, high−low, or shadows) over the candles *before* the one judged; those
 * settings, with TA-Lib's defaults, are below, shared by every pattern. Pure: no I/O.
 *
 * All 61 of TA-Lib's are implemented (`CANDLESTICK_PATTERNS`); each one agrees with the `talib`
 * package bar for bar (src/patterns/candlestick.test.ts).
 */
import type { BarSeries } from '../core/market.ts';

type RangeType = 'body' | 'hl' | 'shadows';

interface CandleSetting {
  range: RangeType;
  period: number;
  factor: number;
}

/** TA-Lib's default candle settings. */
export const CANDLE_SETTINGS = {
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
class Candles {
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
  color(i: number): 1 | -1 {
    return this.c(i) >= this.o(i) ? 1 : -1;
  }
  /** Real-body gap up of candle i over candle j. */
  gapUp(i: number, j: number): boolean {
    return this.bottom(i) > this.top(j);
  }
  gapDown(i: number, j: number): boolean {
    return this.top(i) < this.bottom(j);
  }
  /** Whole-candle (shadow) gaps, for kicking and abandoned baby. */
  candleGapUp(i: number, j: number): boolean {
    return this.l(i) > this.h(j);
  }
  candleGapDown(i: number, j: number): boolean {
    return this.h(i) < this.l(j);
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

interface PatternDef {
  /** Bars before the first output (TA-Lib's lookback). */
  lookback: number;
  detect(k: Candles, i: number, penetration: number): number;
  /** Patterns with memory (a setup, then its confirmation) scan the whole series instead. */
  scan?(k: Candles, out: Int32Array, lookback: number): void;
}

const P: Record<string, PatternDef> = {
  CDLDOJI: { lookback: 10, detect: (k, i) => (k.body(i) <= k.avg('BodyDoji', i) ? 100 : 0) },
  CDLDRAGONFLYDOJI: {
    lookback: 10,
    detect: (k, i) =>
      k.body(i) <= k.avg('BodyDoji', i) && k.upper(i) < k.avg('ShadowVeryShort', i) && k.lower(i) > k.avg('ShadowVeryShort', i) ? 100 : 0,
  },
  CDLGRAVESTONEDOJI: {
    lookback: 10,
    detect: (k, i) =>
      k.body(i) <= k.avg('BodyDoji', i) && k.lower(i) < k.avg('ShadowVeryShort', i) && k.upper(i) > k.avg('ShadowVeryShort', i) ? 100 : 0,
  },
  CDLLONGLEGGEDDOJI: {
    lookback: 10,
    detect: (k, i) =>
      k.body(i) <= k.avg('BodyDoji', i) && (k.lower(i) > k.avg('ShadowLong', i) || k.upper(i) > k.avg('ShadowLong', i)) ? 100 : 0,
  },
  CDLRICKSHAWMAN: {
    lookback: 10,
    detect: (k, i) => {
      const mid = k.l(i) + (k.h(i) - k.l(i)) / 2;
      return k.body(i) <= k.avg('BodyDoji', i) &&
        k.lower(i) > k.avg('ShadowLong', i) &&
        k.upper(i) > k.avg('ShadowLong', i) &&
        k.bottom(i) <= mid + k.avg('Near', i) &&
        k.top(i) >= mid - k.avg('Near', i)
        ? 100
        : 0;
    },
  },
  CDLTAKURI: {
    lookback: 10,
    detect: (k, i) =>
      k.body(i) <= k.avg('BodyDoji', i) && k.upper(i) < k.avg('ShadowVeryShort', i) && k.lower(i) > k.avg('ShadowVeryLong', i) ? 100 : 0,
  },
  CDLHAMMER: {
    lookback: 11,
    detect: (k, i) =>
      k.body(i) < k.avg('BodyShort', i) &&
      k.lower(i) > k.avg('ShadowLong', i) &&
      k.upper(i) < k.avg('ShadowVeryShort', i) &&
      k.bottom(i) <= k.l(i - 1) + k.avg('Near', i - 1)
        ? 100
        : 0,
  },
  CDLHANGINGMAN: {
    lookback: 11,
    detect: (k, i) =>
      k.body(i) < k.avg('BodyShort', i) &&
      k.lower(i) > k.avg('ShadowLong', i) &&
      k.upper(i) < k.avg('ShadowVeryShort', i) &&
      k.bottom(i) >= k.h(i - 1) - k.avg('Near', i - 1)
        ? -100
        : 0,
  },
  CDLINVERTEDHAMMER: {
    lookback: 11,
    detect: (k, i) =>
      k.body(i) < k.avg('BodyShort', i) &&
      k.upper(i) > k.avg('ShadowLong', i) &&
      k.lower(i) < k.avg('ShadowVeryShort', i) &&
      k.gapDown(i, i - 1)
        ? 100
        : 0,
  },
  CDLSHOOTINGSTAR: {
    lookback: 11,
    detect: (k, i) =>
      k.body(i) < k.avg('BodyShort', i) &&
      k.upper(i) > k.avg('ShadowLong', i) &&
      k.lower(i) < k.avg('ShadowVeryShort', i) &&
      k.gapUp(i, i - 1)
        ? -100
        : 0,
  },
  CDLMARUBOZU: {
    lookback: 10,
    detect: (k, i) =>
      k.body(i) > k.avg('BodyLong', i) && k.upper(i) < k.avg('ShadowVeryShort', i) && k.lower(i) < k.avg('ShadowVeryShort', i)
        ? k.color(i) * 100
        : 0,
  },
  CDLCLOSINGMARUBOZU: {
    lookback: 10,
    detect: (k, i) =>
      k.body(i) > k.avg('BodyLong', i) &&
      ((k.color(i) === 1 && k.upper(i) < k.avg('ShadowVeryShort', i)) || (k.color(i) === -1 && k.lower(i) < k.avg('ShadowVeryShort', i)))
        ? k.color(i) * 100
        : 0,
  },
  CDLBELTHOLD: {
    lookback: 10,
    detect: (k, i) =>
      k.body(i) > k.avg('BodyLong', i) &&
      ((k.color(i) === 1 && k.lower(i) < k.avg('ShadowVeryShort', i)) || (k.color(i) === -1 && k.upper(i) < k.avg('ShadowVeryShort', i)))
        ? k.color(i) * 100
        : 0,
  },
  CDLLONGLINE: {
    lookback: 10,
    detect: (k, i) =>
      k.body(i) > k.avg('BodyLong', i) && k.upper(i) < k.avg('ShadowShort', i) && k.lower(i) < k.avg('ShadowShort', i)
        ? k.color(i) * 100
        : 0,
  },
  CDLSHORTLINE: {
    lookback: 10,
    detect: (k, i) =>
      k.body(i) < k.avg('BodyShort', i) && k.upper(i) < k.avg('ShadowShort', i) && k.lower(i) < k.avg('ShadowShort', i)
        ? k.color(i) * 100
        : 0,
  },
  CDLSPINNINGTOP: {
    lookback: 10,
    detect: (k, i) => (k.body(i) < k.avg('BodyShort', i) && k.upper(i) > k.body(i) && k.lower(i) > k.body(i) ? k.color(i) * 100 : 0),
  },
  CDLHIGHWAVE: {
    lookback: 10,
    detect: (k, i) =>
      k.body(i) < k.avg('BodyShort', i) && k.upper(i) > k.avg('ShadowVeryLong', i) && k.lower(i) > k.avg('ShadowVeryLong', i)
        ? k.color(i) * 100
        : 0,
  },
  CDLENGULFING: {
    lookback: 2,
    detect: (k, i) => {
      const [c, o, pc, po] = [k.c(i), k.o(i), k.c(i - 1), k.o(i - 1)];
      const engulfs =
        (k.color(i) === 1 && k.color(i - 1) === -1 && ((c >= po && o < pc) || (c > po && o <= pc))) ||
        (k.color(i) === -1 && k.color(i - 1) === 1 && ((o >= pc && c < po) || (o > pc && c <= po)));
      if (!engulfs) return 0;
      // Strict on both ends: 100; one end level with the previous body: 80 (TA-Lib's weaker form).
      return k.color(i) * (o !== pc && c !== po ? 100 : 80);
    },
  },
  CDLHARAMI: {
    lookback: 11,
    detect: (k, i) => {
      if (!(k.body(i - 1) > k.avg('BodyLong', i - 1) && k.body(i) <= k.avg('BodyShort', i))) return 0;
      // Strictly inside the previous body: 100; touching one of its ends: 80.
      if (k.top(i) < k.top(i - 1) && k.bottom(i) > k.bottom(i - 1)) return -k.color(i - 1) * 100;
      if (k.top(i) <= k.top(i - 1) && k.bottom(i) >= k.bottom(i - 1)) return -k.color(i - 1) * 80;
      return 0;
    },
  },
  CDLHARAMICROSS: {
    lookback: 11,
    detect: (k, i) => {
      if (!(k.body(i - 1) > k.avg('BodyLong', i - 1) && k.body(i) <= k.avg('BodyDoji', i))) return 0;
      // Strictly inside the previous body: 100; touching one of its ends: 80.
      if (k.top(i) < k.top(i - 1) && k.bottom(i) > k.bottom(i - 1)) return -k.color(i - 1) * 100;
      if (k.top(i) <= k.top(i - 1) && k.bottom(i) >= k.bottom(i - 1)) return -k.color(i - 1) * 80;
      return 0;
    },
  },
  CDLDOJISTAR: {
    lookback: 11,
    detect: (k, i) =>
      k.body(i - 1) > k.avg('BodyLong', i - 1) &&
      k.body(i) <= k.avg('BodyDoji', i) &&
      ((k.color(i - 1) === 1 && k.gapUp(i, i - 1)) || (k.color(i - 1) === -1 && k.gapDown(i, i - 1)))
        ? -k.color(i - 1) * 100
        : 0,
  },
  CDLPIERCING: {
    lookback: 11,
    detect: (k, i) =>
      k.color(i - 1) === -1 &&
      k.body(i - 1) > k.avg('BodyLong', i - 1) &&
      k.color(i) === 1 &&
      k.body(i) > k.avg('BodyLong', i) &&
      k.o(i) < k.l(i - 1) &&
      k.c(i) < k.o(i - 1) &&
      k.c(i) > k.c(i - 1) + k.body(i - 1) * 0.5
        ? 100
        : 0,
  },
  CDLDARKCLOUDCOVER: {
    lookback: 11,
    detect: (k, i, pen) =>
      k.color(i - 1) === 1 &&
      k.body(i - 1) > k.avg('BodyLong', i - 1) &&
      k.color(i) === -1 &&
      k.o(i) > k.h(i - 1) &&
      k.c(i) > k.o(i - 1) &&
      k.c(i) < k.c(i - 1) - k.body(i - 1) * pen
        ? -100
        : 0,
  },
  CDLMORNINGSTAR: {
    lookback: 12,
    detect: (k, i, pen) =>
      k.body(i - 2) > k.avg('BodyLong', i - 2) &&
      k.color(i - 2) === -1 &&
      k.body(i - 1) <= k.avg('BodyShort', i - 1) &&
      k.gapDown(i - 1, i - 2) &&
      k.body(i) > k.avg('BodyShort', i) &&
      k.color(i) === 1 &&
      k.c(i) > k.c(i - 2) + k.body(i - 2) * pen
        ? 100
        : 0,
  },
  CDLEVENINGSTAR: {
    lookback: 12,
    detect: (k, i, pen) =>
      k.body(i - 2) > k.avg('BodyLong', i - 2) &&
      k.color(i - 2) === 1 &&
      k.body(i - 1) <= k.avg('BodyShort', i - 1) &&
      k.gapUp(i - 1, i - 2) &&
      k.body(i) > k.avg('BodyShort', i) &&
      k.color(i) === -1 &&
      k.c(i) < k.c(i - 2) - k.body(i - 2) * pen
        ? -100
        : 0,
  },
  CDL3OUTSIDE: {
    lookback: 3,
    detect: (k, i) => {
      if (k.color(i - 1) === 1 && k.color(i - 2) === -1 && k.c(i - 1) > k.o(i - 2) && k.o(i - 1) < k.c(i - 2) && k.c(i) > k.c(i - 1))
        return 100;
      if (k.color(i - 1) === -1 && k.color(i - 2) === 1 && k.o(i - 1) > k.c(i - 2) && k.c(i - 1) < k.o(i - 2) && k.c(i) < k.c(i - 1))
        return -100;
      return 0;
    },
  },
  CDL3INSIDE: {
    lookback: 12,
    detect: (k, i) =>
      k.body(i - 2) > k.avg('BodyLong', i - 2) &&
      k.body(i - 1) <= k.avg('BodyShort', i - 1) &&
      k.top(i - 1) < k.top(i - 2) &&
      k.bottom(i - 1) > k.bottom(i - 2) &&
      ((k.color(i - 2) === 1 && k.color(i) === -1 && k.c(i) < k.o(i - 2)) ||
        (k.color(i - 2) === -1 && k.color(i) === 1 && k.c(i) > k.o(i - 2)))
        ? -k.color(i - 2) * 100
        : 0,
  },
  CDLMORNINGDOJISTAR: {
    lookback: 12,
    detect: (k, i, pen) =>
      k.body(i - 2) > k.avg('BodyLong', i - 2) &&
      k.color(i - 2) === -1 &&
      k.body(i - 1) <= k.avg('BodyDoji', i - 1) &&
      k.gapDown(i - 1, i - 2) &&
      k.body(i) > k.avg('BodyShort', i) &&
      k.color(i) === 1 &&
      k.c(i) > k.c(i - 2) + k.body(i - 2) * pen
        ? 100
        : 0,
  },
  CDLEVENINGDOJISTAR: {
    lookback: 12,
    detect: (k, i, pen) =>
      k.body(i - 2) > k.avg('BodyLong', i - 2) &&
      k.color(i - 2) === 1 &&
      k.body(i - 1) <= k.avg('BodyDoji', i - 1) &&
      k.gapUp(i - 1, i - 2) &&
      k.body(i) > k.avg('BodyShort', i) &&
      k.color(i) === -1 &&
      k.c(i) < k.c(i - 2) - k.body(i - 2) * pen
        ? -100
        : 0,
  },
  CDLABANDONEDBABY: {
    lookback: 12,
    detect: (k, i, pen) =>
      k.body(i - 2) > k.avg('BodyLong', i - 2) &&
      k.body(i - 1) <= k.avg('BodyDoji', i - 1) &&
      k.body(i) > k.avg('BodyShort', i) &&
      ((k.color(i - 2) === 1 &&
        k.color(i) === -1 &&
        k.c(i) < k.c(i - 2) - k.body(i - 2) * pen &&
        k.candleGapUp(i - 1, i - 2) &&
        k.candleGapDown(i, i - 1)) ||
        (k.color(i - 2) === -1 &&
          k.color(i) === 1 &&
          k.c(i) > k.c(i - 2) + k.body(i - 2) * pen &&
          k.candleGapDown(i - 1, i - 2) &&
          k.candleGapUp(i, i - 1)))
        ? k.color(i) * 100
        : 0,
  },
  CDLKICKING: {
    lookback: 11,
    detect: (k, i) =>
      k.color(i - 1) === -k.color(i) &&
      k.marubozu(i - 1) &&
      k.marubozu(i) &&
      ((k.color(i - 1) === -1 && k.candleGapUp(i, i - 1)) || (k.color(i - 1) === 1 && k.candleGapDown(i, i - 1)))
        ? k.color(i) * 100
        : 0,
  },
  CDLKICKINGBYLENGTH: {
    lookback: 11,
    detect: (k, i) =>
      k.color(i - 1) === -k.color(i) &&
      k.marubozu(i - 1) &&
      k.marubozu(i) &&
      ((k.color(i - 1) === -1 && k.candleGapUp(i, i - 1)) || (k.color(i - 1) === 1 && k.candleGapDown(i, i - 1)))
        ? k.color(k.body(i) > k.body(i - 1) ? i : i - 1) * 100
        : 0,
  },
  CDLMATCHINGLOW: {
    lookback: 6,
    detect: (k, i) => (k.color(i - 1) === -1 && k.color(i) === -1 && k.near(k.c(i), k.c(i - 1), 'Equal', i - 1) ? 100 : 0),
  },
  CDLHOMINGPIGEON: {
    lookback: 11,
    detect: (k, i) =>
      k.color(i - 1) === -1 &&
      k.color(i) === -1 &&
      k.body(i - 1) > k.avg('BodyLong', i - 1) &&
      k.body(i) <= k.avg('BodyShort', i) &&
      k.o(i) < k.o(i - 1) &&
      k.c(i) > k.c(i - 1)
        ? 100
        : 0,
  },
  CDLCOUNTERATTACK: {
    lookback: 11,
    detect: (k, i) =>
      k.color(i - 1) === -k.color(i) &&
      k.body(i - 1) > k.avg('BodyLong', i - 1) &&
      k.body(i) > k.avg('BodyLong', i) &&
      k.near(k.c(i), k.c(i - 1), 'Equal', i - 1)
        ? k.color(i) * 100
        : 0,
  },
  CDLSEPARATINGLINES: {
    lookback: 11,
    detect: (k, i) =>
      k.color(i - 1) === -k.color(i) &&
      k.near(k.o(i), k.o(i - 1), 'Equal', i - 1) &&
      k.body(i) > k.avg('BodyLong', i) &&
      ((k.color(i) === 1 && k.lower(i) < k.avg('ShadowVeryShort', i)) || (k.color(i) === -1 && k.upper(i) < k.avg('ShadowVeryShort', i)))
        ? k.color(i) * 100
        : 0,
  },
  CDLONNECK: {
    lookback: 11,
    detect: (k, i) =>
      k.color(i - 1) === -1 &&
      k.body(i - 1) > k.avg('BodyLong', i - 1) &&
      k.color(i) === 1 &&
      k.o(i) < k.l(i - 1) &&
      k.near(k.c(i), k.l(i - 1), 'Equal', i - 1)
        ? -100
        : 0,
  },
  CDLINNECK: {
    lookback: 11,
    detect: (k, i) =>
      k.color(i - 1) === -1 &&
      k.body(i - 1) > k.avg('BodyLong', i - 1) &&
      k.color(i) === 1 &&
      k.o(i) < k.l(i - 1) &&
      k.c(i) <= k.c(i - 1) + k.avg('Equal', i - 1) &&
      k.c(i) >= k.c(i - 1)
        ? -100
        : 0,
  },
  CDLTHRUSTING: {
    lookback: 11,
    detect: (k, i) =>
      k.color(i - 1) === -1 &&
      k.body(i - 1) > k.avg('BodyLong', i - 1) &&
      k.color(i) === 1 &&
      k.o(i) < k.l(i - 1) &&
      k.c(i) > k.c(i - 1) + k.avg('Equal', i - 1) &&
      k.c(i) <= k.c(i - 1) + k.body(i - 1) * 0.5
        ? -100
        : 0,
  },
  CDL2CROWS: {
    lookback: 12,
    detect: (k, i) =>
      k.color(i - 2) === 1 &&
      k.body(i - 2) > k.avg('BodyLong', i - 2) &&
      k.color(i - 1) === -1 &&
      k.gapUp(i - 1, i - 2) &&
      k.color(i) === -1 &&
      k.o(i) < k.o(i - 1) &&
      k.o(i) > k.c(i - 1) &&
      k.c(i) > k.o(i - 2) &&
      k.c(i) < k.c(i - 2)
        ? -100
        : 0,
  },
  CDLUPSIDEGAP2CROWS: {
    lookback: 12,
    detect: (k, i) =>
      k.color(i - 2) === 1 &&
      k.body(i - 2) > k.avg('BodyLong', i - 2) &&
      k.color(i - 1) === -1 &&
      k.body(i - 1) <= k.avg('BodyShort', i - 1) &&
      k.gapUp(i - 1, i - 2) &&
      k.color(i) === -1 &&
      k.o(i) > k.o(i - 1) &&
      k.c(i) < k.c(i - 1) &&
      k.c(i) > k.c(i - 2)
        ? -100
        : 0,
  },
  CDLSTICKSANDWICH: {
    lookback: 7,
    detect: (k, i) =>
      k.color(i - 2) === -1 &&
      k.color(i - 1) === 1 &&
      k.color(i) === -1 &&
      k.l(i - 1) > k.c(i - 2) &&
      k.near(k.c(i), k.c(i - 2), 'Equal', i - 2)
        ? 100
        : 0,
  },
  CDLTASUKIGAP: {
    lookback: 7,
    detect: (k, i) => {
      const similar = Math.abs(k.body(i - 1) - k.body(i)) < k.avg('Near', i - 1);
      if (
        k.gapUp(i - 1, i - 2) &&
        k.color(i - 1) === 1 &&
        k.color(i) === -1 &&
        k.o(i) < k.c(i - 1) &&
        k.o(i) > k.o(i - 1) &&
        k.c(i) < k.o(i - 1) &&
        k.c(i) > k.top(i - 2) &&
        similar
      )
        return 100;
      if (
        k.gapDown(i - 1, i - 2) &&
        k.color(i - 1) === -1 &&
        k.color(i) === 1 &&
        k.o(i) < k.o(i - 1) &&
        k.o(i) > k.c(i - 1) &&
        k.c(i) > k.o(i - 1) &&
        k.c(i) < k.bottom(i - 2) &&
        similar
      )
        return -100;
      return 0;
    },
  },
  CDLGAPSIDESIDEWHITE: {
    lookback: 7,
    detect: (k, i) => {
      const up = k.gapUp(i - 1, i - 2) && k.gapUp(i, i - 2);
      const down = k.gapDown(i - 1, i - 2) && k.gapDown(i, i - 2);
      return (up || down) &&
        k.color(i - 1) === 1 &&
        k.color(i) === 1 &&
        k.near(k.body(i), k.body(i - 1), 'Near', i - 1) &&
        k.near(k.o(i), k.o(i - 1), 'Equal', i - 1)
        ? up
          ? 100
          : -100
        : 0;
    },
  },
  CDLTRISTAR: {
    lookback: 12,
    detect: (k, i) => {
      // TA-Lib judges all three dojis against the average at the first one.
      const doji = k.avg('BodyDoji', i - 2);
      if (!(k.body(i - 2) <= doji && k.body(i - 1) <= doji && k.body(i) <= doji)) return 0;
      if (k.gapUp(i - 1, i - 2) && k.top(i) < k.top(i - 1)) return -100;
      if (k.gapDown(i - 1, i - 2) && k.bottom(i) > k.bottom(i - 1)) return 100;
      return 0;
    },
  },

  CDL3BLACKCROWS: {
    lookback: 13,
    detect: (k, i) =>
      k.color(i - 3) === 1 &&
      k.color(i - 2) === -1 &&
      k.lower(i - 2) < k.avg('ShadowVeryShort', i - 2) &&
      k.color(i - 1) === -1 &&
      k.lower(i - 1) < k.avg('ShadowVeryShort', i - 1) &&
      k.color(i) === -1 &&
      k.lower(i) < k.avg('ShadowVeryShort', i) &&
      k.o(i - 1) < k.o(i - 2) &&
      k.o(i - 1) > k.c(i - 2) &&
      k.o(i) < k.o(i - 1) &&
      k.o(i) > k.c(i - 1) &&
      k.h(i - 3) > k.c(i - 2) &&
      k.c(i - 2) > k.c(i - 1) &&
      k.c(i - 1) > k.c(i)
        ? -100
        : 0,
  },
  CDLIDENTICAL3CROWS: {
    lookback: 12,
    detect: (k, i) =>
      k.color(i - 2) === -1 &&
      k.lower(i - 2) < k.avg('ShadowVeryShort', i - 2) &&
      k.color(i - 1) === -1 &&
      k.lower(i - 1) < k.avg('ShadowVeryShort', i - 1) &&
      k.color(i) === -1 &&
      k.lower(i) < k.avg('ShadowVeryShort', i) &&
      k.c(i - 2) > k.c(i - 1) &&
      k.c(i - 1) > k.c(i) &&
      k.near(k.o(i - 1), k.c(i - 2), 'Equal', i - 2) &&
      k.near(k.o(i), k.c(i - 1), 'Equal', i - 1)
        ? -100
        : 0,
  },
  CDL3WHITESOLDIERS: {
    lookback: 12,
    detect: (k, i) =>
      k.color(i - 2) === 1 &&
      k.upper(i - 2) < k.avg('ShadowVeryShort', i - 2) &&
      k.color(i - 1) === 1 &&
      k.upper(i - 1) < k.avg('ShadowVeryShort', i - 1) &&
      k.color(i) === 1 &&
      k.upper(i) < k.avg('ShadowVeryShort', i) &&
      k.c(i) > k.c(i - 1) &&
      k.c(i - 1) > k.c(i - 2) &&
      k.o(i - 1) > k.o(i - 2) &&
      k.o(i - 1) <= k.c(i - 2) + k.avg('Near', i - 2) &&
      k.o(i) > k.o(i - 1) &&
      k.o(i) <= k.c(i - 1) + k.avg('Near', i - 1) &&
      k.body(i - 1) > k.body(i - 2) - k.avg('Far', i - 2) &&
      k.body(i) > k.body(i - 1) - k.avg('Far', i - 1) &&
      k.body(i) > k.avg('BodyShort', i)
        ? 100
        : 0,
  },
  CDL3LINESTRIKE: {
    lookback: 8,
    detect: (k, i) => {
      const c1 = k.color(i - 1);
      if (!(k.color(i - 3) === c1 && k.color(i - 2) === c1 && k.color(i) === -c1)) return 0;
      const inside = (j: number, ref: number): boolean =>
        k.o(j) >= k.bottom(ref) - k.avg('Near', ref) && k.o(j) <= k.top(ref) + k.avg('Near', ref);
      if (!inside(i - 2, i - 3) || !inside(i - 1, i - 2)) return 0;
      if (c1 === 1 && k.c(i - 1) > k.c(i - 2) && k.c(i - 2) > k.c(i - 3) && k.o(i) > k.c(i - 1) && k.c(i) < k.o(i - 3)) return 100;
      if (c1 === -1 && k.c(i - 1) < k.c(i - 2) && k.c(i - 2) < k.c(i - 3) && k.o(i) < k.c(i - 1) && k.c(i) > k.o(i - 3)) return -100;
      return 0;
    },
  },
  CDLLADDERBOTTOM: {
    lookback: 14,
    detect: (k, i) =>
      k.color(i - 4) === -1 &&
      k.color(i - 3) === -1 &&
      k.color(i - 2) === -1 &&
      k.o(i - 4) > k.o(i - 3) &&
      k.o(i - 3) > k.o(i - 2) &&
      k.c(i - 4) > k.c(i - 3) &&
      k.c(i - 3) > k.c(i - 2) &&
      k.color(i - 1) === -1 &&
      k.upper(i - 1) > k.avg('ShadowVeryShort', i - 1) &&
      k.color(i) === 1 &&
      k.o(i) > k.o(i - 1) &&
      k.c(i) > k.h(i - 1)
        ? 100
        : 0,
  },
  CDLUNIQUE3RIVER: {
    lookback: 12,
    detect: (k, i) =>
      k.body(i - 2) > k.avg('BodyLong', i - 2) &&
      k.color(i - 2) === -1 &&
      k.color(i - 1) === -1 &&
      k.c(i - 1) > k.c(i - 2) &&
      k.o(i - 1) <= k.o(i - 2) &&
      k.l(i - 1) < k.l(i - 2) &&
      k.body(i) < k.avg('BodyShort', i) &&
      k.color(i) === 1 &&
      k.o(i) > k.l(i - 1)
        ? 100
        : 0,
  },
  CDLBREAKAWAY: {
    lookback: 14,
    detect: (k, i) => {
      if (
        !(
          k.body(i - 4) > k.avg('BodyLong', i - 4) &&
          k.color(i - 4) === k.color(i - 3) &&
          k.color(i - 3) === k.color(i - 1) &&
          k.color(i - 1) === -k.color(i)
        )
      )
        return 0;
      const down =
        k.color(i - 4) === -1 &&
        k.gapDown(i - 3, i - 4) &&
        k.h(i - 2) < k.h(i - 3) &&
        k.l(i - 2) < k.l(i - 3) &&
        k.h(i - 1) < k.h(i - 2) &&
        k.l(i - 1) < k.l(i - 2) &&
        k.c(i) > k.o(i - 3) &&
        k.c(i) < k.c(i - 4);
      const up =
        k.color(i - 4) === 1 &&
        k.gapUp(i - 3, i - 4) &&
        k.h(i - 2) > k.h(i - 3) &&
        k.l(i - 2) > k.l(i - 3) &&
        k.h(i - 1) > k.h(i - 2) &&
        k.l(i - 1) > k.l(i - 2) &&
        k.c(i) < k.o(i - 3) &&
        k.c(i) > k.c(i - 4);
      return down || up ? k.color(i) * 100 : 0;
    },
  },
  CDLCONCEALBABYSWALL: {
    lookback: 13,
    detect: (k, i) =>
      k.color(i - 3) === -1 &&
      k.color(i - 2) === -1 &&
      k.color(i - 1) === -1 &&
      k.color(i) === -1 &&
      k.lower(i - 3) < k.avg('ShadowVeryShort', i - 3) &&
      k.upper(i - 3) < k.avg('ShadowVeryShort', i - 3) &&
      k.lower(i - 2) < k.avg('ShadowVeryShort', i - 2) &&
      k.upper(i - 2) < k.avg('ShadowVeryShort', i - 2) &&
      k.gapDown(i - 1, i - 2) &&
      k.upper(i - 1) > k.avg('ShadowVeryShort', i - 1) &&
      k.h(i - 1) > k.c(i - 2) &&
      k.h(i) > k.h(i - 1) &&
      k.l(i) < k.l(i - 1)
        ? 100
        : 0,
  },
  CDLMATHOLD: {
    lookback: 14,
    detect: (k, i, pen) =>
      k.body(i - 4) > k.avg('BodyLong', i - 4) &&
      k.body(i - 3) <= k.avg('BodyShort', i - 3) &&
      k.body(i - 2) <= k.avg('BodyShort', i - 2) &&
      k.body(i - 1) <= k.avg('BodyShort', i - 1) &&
      k.color(i - 4) === 1 &&
      k.color(i - 3) === -1 &&
      k.color(i) === 1 &&
      k.gapUp(i - 3, i - 4) &&
      k.bottom(i - 2) < k.c(i - 4) &&
      k.bottom(i - 1) < k.c(i - 4) &&
      k.bottom(i - 2) > k.c(i - 4) - k.body(i - 4) * pen &&
      k.bottom(i - 1) > k.c(i - 4) - k.body(i - 4) * pen &&
      k.top(i - 2) < k.o(i - 3) &&
      k.top(i - 1) < k.top(i - 2) &&
      k.o(i) > k.c(i - 1) &&
      k.c(i) > Math.max(k.h(i - 3), k.h(i - 2), k.h(i - 1))
        ? 100
        : 0,
  },
  CDLRISEFALL3METHODS: {
    lookback: 14,
    detect: (k, i) => {
      const d = k.color(i - 4);
      if (
        !(
          k.body(i - 4) > k.avg('BodyLong', i - 4) &&
          k.body(i - 3) < k.avg('BodyShort', i - 3) &&
          k.body(i - 2) < k.avg('BodyShort', i - 2) &&
          k.body(i - 1) < k.avg('BodyShort', i - 1) &&
          k.body(i) > k.avg('BodyLong', i) &&
          d === -k.color(i - 3) &&
          k.color(i - 3) === k.color(i - 2) &&
          k.color(i - 2) === k.color(i - 1) &&
          k.color(i - 1) === -k.color(i)
        )
      )
        return 0;
      for (const j of [i - 3, i - 2, i - 1]) if (!(k.bottom(j) < k.h(i - 4) && k.top(j) > k.l(i - 4))) return 0;
      return k.c(i - 2) * d < k.c(i - 3) * d &&
        k.c(i - 1) * d < k.c(i - 2) * d &&
        k.o(i) * d > k.c(i - 1) * d &&
        k.c(i) * d > k.c(i - 4) * d
        ? 100 * d
        : 0;
    },
  },
  CDLXSIDEGAP3METHODS: {
    lookback: 2,
    detect: (k, i) =>
      k.color(i - 2) === k.color(i - 1) &&
      k.color(i - 1) === -k.color(i) &&
      k.o(i) < k.top(i - 1) &&
      k.o(i) > k.bottom(i - 1) &&
      k.c(i) < k.top(i - 2) &&
      k.c(i) > k.bottom(i - 2) &&
      ((k.color(i - 2) === 1 && k.gapUp(i - 1, i - 2)) || (k.color(i - 2) === -1 && k.gapDown(i - 1, i - 2)))
        ? k.color(i - 2) * 100
        : 0,
  },
  CDLADVANCEBLOCK: {
    lookback: 12,
    detect: (k, i) => {
      const [b2, b1, b0] = [k.body(i - 2), k.body(i - 1), k.body(i)];
      const base =
        k.color(i - 2) === 1 &&
        k.color(i - 1) === 1 &&
        k.color(i) === 1 &&
        k.c(i) > k.c(i - 1) &&
        k.c(i - 1) > k.c(i - 2) &&
        k.o(i - 1) > k.o(i - 2) &&
        k.o(i - 1) <= k.c(i - 2) + k.avg('Near', i - 2) &&
        k.o(i) > k.o(i - 1) &&
        k.o(i) <= k.c(i - 1) + k.avg('Near', i - 1) &&
        b2 > k.avg('BodyLong', i - 2) &&
        k.upper(i - 2) < k.avg('ShadowShort', i - 2);
      if (!base) return 0;
      // Any sign of the advance weakening.
      const weakening =
        (b1 < b2 - k.avg('Far', i - 2) && b0 < b1 + k.avg('Near', i - 1)) ||
        b0 < b1 - k.avg('Far', i - 1) ||
        (b0 < b1 && b1 < b2 && (k.upper(i) > k.avg('ShadowShort', i) || k.upper(i - 1) > k.avg('ShadowShort', i - 1))) ||
        (b0 < b1 && k.upper(i) > k.avg('ShadowLong', i));
      return weakening ? -100 : 0;
    },
  },
  CDLSTALLEDPATTERN: {
    lookback: 12,
    detect: (k, i) =>
      k.color(i - 2) === 1 &&
      k.color(i - 1) === 1 &&
      k.color(i) === 1 &&
      k.c(i) > k.c(i - 1) &&
      k.c(i - 1) > k.c(i - 2) &&
      k.body(i - 2) > k.avg('BodyLong', i - 2) &&
      k.body(i - 1) > k.avg('BodyLong', i - 1) &&
      k.upper(i - 1) < k.avg('ShadowVeryShort', i - 1) &&
      k.o(i - 1) > k.o(i - 2) &&
      k.o(i - 1) <= k.c(i - 2) + k.avg('Near', i - 2) &&
      k.body(i) < k.avg('BodyShort', i) &&
      k.o(i) >= k.c(i - 1) - k.body(i) - k.avg('Near', i - 1)
        ? -100
        : 0,
  },
  CDLHIKKAKE: {
    lookback: 5,
    detect: () => 0,
    // An inside bar followed by a false breakout (±100); a close beyond the inside bar within
    // three bars confirms it (±200). A new setup overrides a pending confirmation.
    scan: (k, out, lookback) => {
      let setupAt = 0;
      let result = 0;
      for (let i = Math.max(2, lookback - 3); i < k.n; i++) {
        let v = 0;
        const inside = k.h(i - 1) < k.h(i - 2) && k.l(i - 1) > k.l(i - 2);
        if (inside && ((k.h(i) < k.h(i - 1) && k.l(i) < k.l(i - 1)) || (k.h(i) > k.h(i - 1) && k.l(i) > k.l(i - 1)))) {
          result = k.h(i) < k.h(i - 1) ? 100 : -100;
          setupAt = i;
          v = result;
        } else if (i <= setupAt + 3 && ((result > 0 && k.c(i) > k.h(setupAt - 1)) || (result < 0 && k.c(i) < k.l(setupAt - 1)))) {
          v = result + (result > 0 ? 100 : -100);
          setupAt = 0;
        }
        if (i >= lookback) out[i] = v;
      }
    },
  },
  CDL3STARSINSOUTH: {
    lookback: 12,
    detect: (k, i) =>
      k.color(i - 2) === -1 &&
      k.color(i - 1) === -1 &&
      k.color(i) === -1 &&
      k.body(i - 2) > k.avg('BodyLong', i - 2) &&
      k.lower(i - 2) > k.avg('ShadowLong', i - 2) &&
      k.body(i - 1) < k.body(i - 2) &&
      k.o(i - 1) > k.c(i - 2) &&
      k.o(i - 1) <= k.h(i - 2) &&
      k.l(i - 1) < k.c(i - 2) &&
      k.l(i - 1) >= k.l(i - 2) &&
      k.lower(i - 1) > k.avg('ShadowVeryShort', i - 1) &&
      k.body(i) < k.avg('BodyShort', i) &&
      k.lower(i) < k.avg('ShadowVeryShort', i) &&
      k.upper(i) < k.avg('ShadowVeryShort', i) &&
      k.l(i) > k.l(i - 1) &&
      k.h(i) < k.h(i - 1)
        ? 100
        : 0,
  },
  CDLHIKKAKEMOD: {
    lookback: 10,
    detect: () => 0,
    // Two inside bars, the first closing near its low (high), then a false breakout (±100);
    // confirmed by a close beyond the second inside bar within three bars (±200).
    scan: (k, out, lookback) => {
      let setupAt = 0;
      let result = 0;
      for (let i = lookback - 3; i < k.n; i++) {
        let v = 0;
        const insides = k.h(i - 2) < k.h(i - 3) && k.l(i - 2) > k.l(i - 3) && k.h(i - 1) < k.h(i - 2) && k.l(i - 1) > k.l(i - 2);
        const near = k.avg('Near', i - 2);
        const bull = k.h(i) < k.h(i - 1) && k.l(i) < k.l(i - 1) && k.c(i - 2) <= k.l(i - 2) + near;
        const bear = k.h(i) > k.h(i - 1) && k.l(i) > k.l(i - 1) && k.c(i - 2) >= k.h(i - 2) - near;
        if (insides && (bull || bear)) {
          result = k.h(i) < k.h(i - 1) ? 100 : -100;
          setupAt = i;
          v = result;
        } else if (i <= setupAt + 3 && ((result > 0 && k.c(i) > k.h(setupAt - 1)) || (result < 0 && k.c(i) < k.l(setupAt - 1)))) {
          v = result + (result > 0 ? 100 : -100);
          setupAt = 0;
        }
        if (i >= lookback) out[i] = v;
      }
    },
  },
};

/** Patterns with a `penetration` parameter, and TA-Lib's defaults. */
const PENETRATION: Record<string, number> = {
  CDLDARKCLOUDCOVER: 0.5,
  CDLMORNINGSTAR: 0.3,
  CDLEVENINGSTAR: 0.3,
  CDLMORNINGDOJISTAR: 0.3,
  CDLEVENINGDOJISTAR: 0.3,
  CDLABANDONEDBABY: 0.3,
  CDLMATHOLD: 0.5,
};

export const CANDLESTICK_PATTERNS: readonly string[] = Object.keys(P);

export function candlestickLookback(name: string): number {
  const d = P[name];
  if (!d) throw new RangeError(`unknown candlestick pattern "${name}" (known: ${CANDLESTICK_PATTERNS.join(', ')})`);
  return d.lookback;
}

/** Batch scan: one Int32Array per pattern, aligned to the input, 0 where TA-Lib has no output. */
export function scanCandlesticks(
  series: BarSeries,
  names: readonly string[] = CANDLESTICK_PATTERNS,
  options: { penetration?: number } = {},
): Record<string, Int32Array> {
  const k = new Candles(series);
  const out: Record<string, Int32Array> = {};
  for (const name of names) {
    const d = P[name];
    if (!d) throw new RangeError(`unknown candlestick pattern "${name}" (known: ${CANDLESTICK_PATTERNS.join(', ')})`);
    const pen = options.penetration ?? PENETRATION[name] ?? 0;
    const a = new Int32Array(k.n);
    if (d.scan) d.scan(k, a, d.lookback);
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
