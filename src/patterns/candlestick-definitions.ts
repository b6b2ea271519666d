/**
 * TA-Lib's 61 candlestick patterns, each with TA-Lib's rules and lookback. A bullish/bearish pair
 * (hammer and hanging man, morning and evening star, …) and a pattern that reads both ways
 * (engulfing, three outside, tasuki gap, …) is written once with a direction `d` (see
 * candles.ts); the output is ±100 in TA-Lib's sign convention. Pure: no I/O.
 */
import type { Candles, Direction, SettingName } from './candles.ts';

export interface PatternDefinition {
  /** Bars before the first output (TA-Lib's lookback). */
  lookback: number;
  /** TA-Lib's default `penetration`, for the patterns that take one. */
  penetration?: number;
  detect(k: Candles, i: number, penetration: number): number;
  /** Patterns with memory (a setup, then its confirmation) scan the whole series instead. */
  scan?(k: Candles, out: Int32Array): void;
}

const BOTH: readonly Direction[] = [1, -1];

/** One definition per direction: the bullish (+1) form, then the bearish (−1) one. */
function mirrored(
  lookback: number,
  detect: (k: Candles, i: number, d: Direction, penetration: number) => boolean,
  penetration?: number,
): [PatternDefinition, PatternDefinition] {
  const of = (d: Direction): PatternDefinition => ({
    lookback,
    penetration,
    detect: (k, i, pen) => (detect(k, i, d, pen) ? d * 100 : 0),
  });
  return [of(1), of(-1)];
}

/** A doji with no shadow on side d and a long one on the other: dragonfly (d = +1), gravestone (d = −1); both +100 in TA-Lib. */
function oneShadowDoji(d: Direction): PatternDefinition {
  return {
    lookback: 10,
    detect: (k, i) =>
      k.body(i) <= k.avg('BodyDoji', i) &&
      k.shadow(i, d) < k.avg('ShadowVeryShort', i) &&
      k.shadow(i, -d as Direction) > k.avg('ShadowVeryShort', i)
        ? 100
        : 0,
  };
}

/** A small body with a long lower shadow: at the previous low (hammer, +100) or high (hanging man, −100). */
const [HAMMER, HANGING_MAN] = mirrored(
  11,
  (k, i, d) =>
    k.body(i) < k.avg('BodyShort', i) &&
    k.lower(i) > k.avg('ShadowLong', i) &&
    k.upper(i) < k.avg('ShadowVeryShort', i) &&
    d * k.bottom(i) <= d * k.end(i - 1, -d as Direction) + k.avg('Near', i - 1),
);

/** A small body with a long upper shadow, gapping down (inverted hammer, +100) or up (shooting star, −100). */
const [INVERTED_HAMMER, SHOOTING_STAR] = mirrored(
  11,
  (k, i, d) =>
    k.body(i) < k.avg('BodyShort', i) &&
    k.upper(i) > k.avg('ShadowLong', i) &&
    k.lower(i) < k.avg('ShadowVeryShort', i) &&
    k.gap(i, i - 1, -d as Direction),
);

/** A long candle against `d`, then a candle of direction `d` opening beyond its far end (piercing, on-neck, …). */
function opensBeyondLongCandle(k: Candles, i: number, d: Direction): boolean {
  return (
    k.color(i - 1) === -d && k.body(i - 1) > k.avg('BodyLong', i - 1) && k.color(i) === d && d * k.o(i) < d * k.end(i - 1, -d as Direction)
  );
}

/** Closing back into the previous long body past `penetration` of it: piercing (+100) and dark cloud cover (−100). */
function penetratesLongCandle(k: Candles, i: number, d: Direction, penetration: number): boolean {
  return opensBeyondLongCandle(k, i, d) && d * k.c(i) < d * k.o(i - 1) && d * k.c(i) > d * k.c(i - 1) + k.body(i - 1) * penetration;
}

/** A long candle, a star gapping away in its direction, then a candle of direction `d` closing into the first. */
function star(starBody: SettingName): [PatternDefinition, PatternDefinition] {
  return mirrored(
    12,
    (k, i, d, pen) =>
      k.body(i - 2) > k.avg('BodyLong', i - 2) &&
      k.color(i - 2) === -d &&
      k.body(i - 1) <= k.avg(starBody, i - 1) &&
      k.gap(i - 1, i - 2, -d as Direction) &&
      k.body(i) > k.avg('BodyShort', i) &&
      k.color(i) === d &&
      d * k.c(i) > d * k.c(i - 2) + k.body(i - 2) * pen,
    0.3,
  );
}
const [MORNING_STAR, EVENING_STAR] = star('BodyShort');
const [MORNING_DOJI_STAR, EVENING_DOJI_STAR] = star('BodyDoji');

/** A long body, then a small one (`second`: short or doji) within it: ±100 strictly inside, ±80 touching an end. */
function harami(second: SettingName): PatternDefinition {
  return {
    lookback: 11,
    detect: (k, i) => {
      if (!(k.body(i - 1) > k.avg('BodyLong', i - 1) && k.body(i) <= k.avg(second, i))) return 0;
      if (k.top(i) < k.top(i - 1) && k.bottom(i) > k.bottom(i - 1)) return -k.color(i - 1) * 100;
      if (k.top(i) <= k.top(i - 1) && k.bottom(i) >= k.bottom(i - 1)) return -k.color(i - 1) * 80;
      return 0;
    },
  };
}

/** Two marubozu of opposite colours, the second gapping away (candle gap) in its own direction. */
function kicks(k: Candles, i: number): boolean {
  return k.color(i - 1) === -k.color(i) && k.marubozu(i - 1) && k.marubozu(i) && k.candleGap(i, i - 1, k.color(i));
}

/** The three candles up to i all of direction `d`, closing progressively further and with a very short shadow on that side. */
function threeClosingAtExtreme(k: Candles, i: number, d: Direction): boolean {
  for (const j of [i - 2, i - 1, i]) if (!(k.color(j) === d && k.shadow(j, d) < k.avg('ShadowVeryShort', j))) return false;
  return d * k.c(i) > d * k.c(i - 1) && d * k.c(i - 1) > d * k.c(i - 2);
}

/** Candle j opens above the previous open, at most `Near` above the previous close (soldiers, advance block). */
function opensWithinPrevious(k: Candles, j: number): boolean {
  return k.o(j) > k.o(j - 1) && k.o(j) <= k.c(j - 1) + k.avg('Near', j - 1);
}

/** Three white candles closing higher, the last two opening within the previous body. */
function threeAdvancing(k: Candles, i: number): boolean {
  return (
    k.color(i - 2) === 1 &&
    k.color(i - 1) === 1 &&
    k.color(i) === 1 &&
    k.c(i) > k.c(i - 1) &&
    k.c(i - 1) > k.c(i - 2) &&
    opensWithinPrevious(k, i - 1) &&
    opensWithinPrevious(k, i)
  );
}

/** A long white candle, then a black one gapping up: the start of two crows. */
function twoCrowsStart(k: Candles, i: number): boolean {
  return (
    k.color(i - 2) === 1 && k.body(i - 2) > k.avg('BodyLong', i - 2) && k.color(i - 1) === -1 && k.gap(i - 1, i - 2, 1) && k.color(i) === -1
  );
}

/**
 * Hikkake: a false breakout of an inside bar (`setup` gives its direction d, or 0): d × 100; a close
 * beyond the inside bar's far end within three bars confirms it: d × 200. A new setup overrides a
 * pending confirmation.
 */
function hikkake(lookback: number, setup: (k: Candles, i: number) => Direction | 0): PatternDefinition {
  return {
    lookback,
    detect: () => 0,
    scan: (k, out) => {
      let setupAt = 0;
      let pending: Direction | 0 = 0;
      for (let i = Math.max(2, lookback - 3); i < k.n; i++) {
        let v = 0;
        const d = setup(k, i);
        if (d !== 0) {
          pending = d;
          setupAt = i;
          v = d * 100;
        } else if (pending !== 0 && i <= setupAt + 3 && pending * k.c(i) > pending * k.end(setupAt - 1, pending)) {
          v = pending * 200;
          setupAt = 0;
        }
        if (i >= lookback) out[i] = v;
      }
    },
  };
}

/** Bar i breaks bar i−1 on side −d (lower high and lower low for d = +1): the false breakout of a hikkake. */
function breaksAgainst(k: Candles, i: number, d: Direction): boolean {
  return d * k.h(i) < d * k.h(i - 1) && d * k.l(i) < d * k.l(i - 1);
}

/** The first direction for which `holds` is true, else 0. */
function firstDirection(holds: (d: Direction) => boolean): Direction | 0 {
  for (const d of BOTH) if (holds(d)) return d;
  return 0;
}

export const CANDLESTICK_DEFINITIONS: Record<string, PatternDefinition> = {
  CDLDOJI: { lookback: 10, detect: (k, i) => (k.body(i) <= k.avg('BodyDoji', i) ? 100 : 0) },
  CDLDRAGONFLYDOJI: oneShadowDoji(1),
  CDLGRAVESTONEDOJI: oneShadowDoji(-1),
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
  CDLHAMMER: HAMMER,
  CDLHANGINGMAN: HANGING_MAN,
  CDLINVERTEDHAMMER: INVERTED_HAMMER,
  CDLSHOOTINGSTAR: SHOOTING_STAR,
  CDLMARUBOZU: { lookback: 10, detect: (k, i) => (k.marubozu(i) ? k.color(i) * 100 : 0) },
  // A long body with no shadow beyond its close (closing marubozu) or its open (belt hold).
  CDLCLOSINGMARUBOZU: {
    lookback: 10,
    detect: (k, i) => (k.body(i) > k.avg('BodyLong', i) && k.shadow(i, k.color(i)) < k.avg('ShadowVeryShort', i) ? k.color(i) * 100 : 0),
  },
  CDLBELTHOLD: {
    lookback: 10,
    detect: (k, i) =>
      k.body(i) > k.avg('BodyLong', i) && k.shadow(i, -k.color(i) as Direction) < k.avg('ShadowVeryShort', i) ? k.color(i) * 100 : 0,
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
      // Opposite colours, the second real body covering the first, strictly at one end at least.
      const engulfs =
        k.color(i - 1) === -k.color(i) &&
        ((k.top(i) >= k.top(i - 1) && k.bottom(i) < k.bottom(i - 1)) || (k.top(i) > k.top(i - 1) && k.bottom(i) <= k.bottom(i - 1)));
      if (!engulfs) return 0;
      // Strict on both ends: 100; one end level with the previous body: 80 (TA-Lib's weaker form).
      return k.color(i) * (k.top(i) !== k.top(i - 1) && k.bottom(i) !== k.bottom(i - 1) ? 100 : 80);
    },
  },
  CDLHARAMI: harami('BodyShort'),
  CDLHARAMICROSS: harami('BodyDoji'),
  CDLDOJISTAR: {
    lookback: 11,
    detect: (k, i) =>
      k.body(i - 1) > k.avg('BodyLong', i - 1) && k.body(i) <= k.avg('BodyDoji', i) && k.gap(i, i - 1, k.color(i - 1))
        ? -k.color(i - 1) * 100
        : 0,
  },
  // TA-Lib's piercing line has a fixed penetration of a half and wants a long second candle.
  CDLPIERCING: {
    lookback: 11,
    detect: (k, i) => (k.body(i) > k.avg('BodyLong', i) && penetratesLongCandle(k, i, 1, 0.5) ? 100 : 0),
  },
  CDLDARKCLOUDCOVER: {
    lookback: 11,
    penetration: 0.5,
    detect: (k, i, pen) => (penetratesLongCandle(k, i, -1, pen) ? -100 : 0),
  },
  CDLMORNINGSTAR: MORNING_STAR,
  CDLEVENINGSTAR: EVENING_STAR,
  CDL3OUTSIDE: {
    lookback: 3,
    detect: (k, i) => {
      // An engulfing pair (strictly on both ends), then a third candle closing further its way.
      const d = k.color(i - 1);
      return k.color(i - 2) === -d && k.top(i - 1) > k.top(i - 2) && k.bottom(i - 1) < k.bottom(i - 2) && d * k.c(i) > d * k.c(i - 1)
        ? d * 100
        : 0;
    },
  },
  CDL3INSIDE: {
    lookback: 12,
    detect: (k, i) => {
      // A harami (long, then short strictly inside), then a candle against the first closing beyond its open.
      const d = -k.color(i - 2) as Direction;
      return k.body(i - 2) > k.avg('BodyLong', i - 2) &&
        k.body(i - 1) <= k.avg('BodyShort', i - 1) &&
        k.top(i - 1) < k.top(i - 2) &&
        k.bottom(i - 1) > k.bottom(i - 2) &&
        k.color(i) === d &&
        d * k.c(i) > d * k.o(i - 2)
        ? d * 100
        : 0;
    },
  },
  CDLMORNINGDOJISTAR: MORNING_DOJI_STAR,
  CDLEVENINGDOJISTAR: EVENING_DOJI_STAR,
  CDLABANDONEDBABY: {
    lookback: 12,
    penetration: 0.3,
    detect: (k, i, pen) => {
      // A long candle, a doji gapping away from it (whole candles), a candle gapping back of direction d.
      const d = k.color(i);
      return k.body(i - 2) > k.avg('BodyLong', i - 2) &&
        k.body(i - 1) <= k.avg('BodyDoji', i - 1) &&
        k.body(i) > k.avg('BodyShort', i) &&
        k.color(i - 2) === -d &&
        d * k.c(i) > d * k.c(i - 2) + k.body(i - 2) * pen &&
        k.candleGap(i - 1, i - 2, -d as Direction) &&
        k.candleGap(i, i - 1, d)
        ? d * 100
        : 0;
    },
  },
  CDLKICKING: { lookback: 11, detect: (k, i) => (kicks(k, i) ? k.color(i) * 100 : 0) },
  CDLKICKINGBYLENGTH: {
    lookback: 11,
    // The direction of the longer of the two marubozu.
    detect: (k, i) => (kicks(k, i) ? k.color(k.body(i) > k.body(i - 1) ? i : i - 1) * 100 : 0),
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
      k.shadow(i, -k.color(i) as Direction) < k.avg('ShadowVeryShort', i)
        ? k.color(i) * 100
        : 0,
  },
  // On-neck, in-neck, thrusting: a long black candle, a white one opening below its low and
  // closing at its low, at its close, or into its lower half.
  CDLONNECK: {
    lookback: 11,
    detect: (k, i) => (opensBeyondLongCandle(k, i, 1) && k.near(k.c(i), k.l(i - 1), 'Equal', i - 1) ? -100 : 0),
  },
  CDLINNECK: {
    lookback: 11,
    detect: (k, i) => (opensBeyondLongCandle(k, i, 1) && k.c(i) <= k.c(i - 1) + k.avg('Equal', i - 1) && k.c(i) >= k.c(i - 1) ? -100 : 0),
  },
  CDLTHRUSTING: {
    lookback: 11,
    detect: (k, i) =>
      opensBeyondLongCandle(k, i, 1) && k.c(i) > k.c(i - 1) + k.avg('Equal', i - 1) && k.c(i) <= k.c(i - 1) + k.body(i - 1) * 0.5
        ? -100
        : 0,
  },
  CDL2CROWS: {
    lookback: 12,
    detect: (k, i) =>
      twoCrowsStart(k, i) && k.o(i) < k.o(i - 1) && k.o(i) > k.c(i - 1) && k.c(i) > k.o(i - 2) && k.c(i) < k.c(i - 2) ? -100 : 0,
  },
  CDLUPSIDEGAP2CROWS: {
    lookback: 12,
    detect: (k, i) =>
      twoCrowsStart(k, i) && k.body(i - 1) <= k.avg('BodyShort', i - 1) && k.o(i) > k.o(i - 1) && k.c(i) < k.c(i - 1) && k.c(i) > k.c(i - 2)
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
      // A gap in direction d, then a candle against d opening in the second body and closing into the gap.
      const d = k.color(i - 1);
      return k.gap(i - 1, i - 2, d) &&
        k.color(i) === -d &&
        d * k.o(i) < d * k.c(i - 1) &&
        d * k.o(i) > d * k.o(i - 1) &&
        d * k.c(i) < d * k.o(i - 1) &&
        d * k.c(i) > d * k.edge(i - 2, d) &&
        Math.abs(k.body(i - 1) - k.body(i)) < k.avg('Near', i - 1)
        ? d * 100
        : 0;
    },
  },
  CDLGAPSIDESIDEWHITE: {
    lookback: 7,
    detect: (k, i) => {
      // Two similar white candles side by side, both gapped the same way d from the candle before.
      const d = firstDirection((d) => k.gap(i - 1, i - 2, d) && k.gap(i, i - 2, d));
      return d !== 0 &&
        k.color(i - 1) === 1 &&
        k.color(i) === 1 &&
        k.near(k.body(i), k.body(i - 1), 'Near', i - 1) &&
        k.near(k.o(i), k.o(i - 1), 'Equal', i - 1)
        ? d * 100
        : 0;
    },
  },
  CDLTRISTAR: {
    lookback: 12,
    detect: (k, i) => {
      // TA-Lib judges all three dojis against the average at the first one.
      const doji = k.avg('BodyDoji', i - 2);
      if (!(k.body(i - 2) <= doji && k.body(i - 1) <= doji && k.body(i) <= doji)) return 0;
      // The middle doji gaps in direction d, the third turns back: a reversal against d.
      const d = firstDirection((d) => k.gap(i - 1, i - 2, d) && d * k.edge(i, d) < d * k.edge(i - 1, d));
      return -d * 100;
    },
  },
  CDL3BLACKCROWS: {
    lookback: 13,
    detect: (k, i) =>
      k.color(i - 3) === 1 &&
      threeClosingAtExtreme(k, i, -1) &&
      k.o(i - 1) < k.o(i - 2) &&
      k.o(i - 1) > k.c(i - 2) &&
      k.o(i) < k.o(i - 1) &&
      k.o(i) > k.c(i - 1) &&
      k.h(i - 3) > k.c(i - 2)
        ? -100
        : 0,
  },
  CDLIDENTICAL3CROWS: {
    lookback: 12,
    detect: (k, i) =>
      threeClosingAtExtreme(k, i, -1) && k.near(k.o(i - 1), k.c(i - 2), 'Equal', i - 2) && k.near(k.o(i), k.c(i - 1), 'Equal', i - 1)
        ? -100
        : 0,
  },
  CDL3WHITESOLDIERS: {
    lookback: 12,
    detect: (k, i) =>
      threeClosingAtExtreme(k, i, 1) &&
      threeAdvancing(k, i) &&
      k.body(i - 1) > k.body(i - 2) - k.avg('Far', i - 2) &&
      k.body(i) > k.body(i - 1) - k.avg('Far', i - 1) &&
      k.body(i) > k.avg('BodyShort', i)
        ? 100
        : 0,
  },
  CDL3LINESTRIKE: {
    lookback: 8,
    detect: (k, i) => {
      // Three candles of direction d, each opening within the previous body and closing further; a fourth strikes back past the first open.
      const d = k.color(i - 1);
      if (!(k.color(i - 3) === d && k.color(i - 2) === d && k.color(i) === -d)) return 0;
      const opensInside = (j: number, ref: number): boolean =>
        k.o(j) >= k.bottom(ref) - k.avg('Near', ref) && k.o(j) <= k.top(ref) + k.avg('Near', ref);
      if (!opensInside(i - 2, i - 3) || !opensInside(i - 1, i - 2)) return 0;
      return d * k.c(i - 1) > d * k.c(i - 2) &&
        d * k.c(i - 2) > d * k.c(i - 3) &&
        d * k.o(i) > d * k.c(i - 1) &&
        d * k.c(i) < d * k.o(i - 3)
        ? d * 100
        : 0;
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
      // A long candle of trend t, a gap further its way, two more candles extending the trend,
      // then a candle against t closing inside the gap: a reversal, signed by the last candle.
      const t = k.color(i - 4);
      return k.body(i - 4) > k.avg('BodyLong', i - 4) &&
        k.color(i - 3) === t &&
        k.color(i - 1) === t &&
        k.color(i) === -t &&
        k.gap(i - 3, i - 4, t) &&
        t * k.h(i - 2) > t * k.h(i - 3) &&
        t * k.l(i - 2) > t * k.l(i - 3) &&
        t * k.h(i - 1) > t * k.h(i - 2) &&
        t * k.l(i - 1) > t * k.l(i - 2) &&
        t * k.c(i) < t * k.o(i - 3) &&
        t * k.c(i) > t * k.c(i - 4)
        ? -t * 100
        : 0;
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
      k.gap(i - 1, i - 2, -1) &&
      k.upper(i - 1) > k.avg('ShadowVeryShort', i - 1) &&
      k.h(i - 1) > k.c(i - 2) &&
      k.h(i) > k.h(i - 1) &&
      k.l(i) < k.l(i - 1)
        ? 100
        : 0,
  },
  CDLMATHOLD: {
    lookback: 14,
    penetration: 0.5,
    detect: (k, i, pen) =>
      k.body(i - 4) > k.avg('BodyLong', i - 4) &&
      k.body(i - 3) <= k.avg('BodyShort', i - 3) &&
      k.body(i - 2) <= k.avg('BodyShort', i - 2) &&
      k.body(i - 1) <= k.avg('BodyShort', i - 1) &&
      k.color(i - 4) === 1 &&
      k.color(i - 3) === -1 &&
      k.color(i) === 1 &&
      k.gap(i - 3, i - 4, 1) &&
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
      k.gap(i - 1, i - 2, k.color(i - 2))
        ? k.color(i - 2) * 100
        : 0,
  },
  CDLADVANCEBLOCK: {
    lookback: 12,
    detect: (k, i) => {
      const [b2, b1, b0] = [k.body(i - 2), k.body(i - 1), k.body(i)];
      if (!(threeAdvancing(k, i) && b2 > k.avg('BodyLong', i - 2) && k.upper(i - 2) < k.avg('ShadowShort', i - 2))) return 0;
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
      opensWithinPrevious(k, i - 1) &&
      k.body(i) < k.avg('BodyShort', i) &&
      k.o(i) >= k.c(i - 1) - k.body(i) - k.avg('Near', i - 1)
        ? -100
        : 0,
  },
  // An inside bar, then a false breakout of it.
  CDLHIKKAKE: hikkake(5, (k, i) =>
    k.h(i - 1) < k.h(i - 2) && k.l(i - 1) > k.l(i - 2) ? firstDirection((d) => breaksAgainst(k, i, d)) : 0,
  ),
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
  // Two nested inside bars, the first closing near its low (bullish) or high (bearish), then a false breakout.
  CDLHIKKAKEMOD: hikkake(10, (k, i) => {
    const insides = k.h(i - 2) < k.h(i - 3) && k.l(i - 2) > k.l(i - 3) && k.h(i - 1) < k.h(i - 2) && k.l(i - 1) > k.l(i - 2);
    if (!insides) return 0;
    const near = k.avg('Near', i - 2);
    return firstDirection((d) => breaksAgainst(k, i, d) && d * k.c(i - 2) <= d * k.end(i - 2, -d as Direction) + near);
  }),
};
