/** Overlap studies: moving averages, bands, midpoints, parabolic SAR. */
import type { Ohlcv } from '../core/market.ts';
import { column, Indicator, type IndicatorBar } from './indicator.ts';
import { WindowSum } from './math.ts';
import { DelayedStage, maLookback, maStage, Ring, type ScalarStage, T3Stage, WindowExtreme } from './primitives.ts';

/** A moving average of the close: any scalar stage (SMA, EMA, …, T3). */
export class MovingAverage extends Indicator {
  constructor(private readonly stage: ScalarStage) {
    super(['real'], stage.lookback);
    this.parts = [stage];
  }
  protected step(b: Ohlcv): void {
    this.out[0] = this.stage.next(b.close);
  }
  /** The generic update with its loops unrolled for one stage and one output (the hottest path). */
  override update(bar: IndicatorBar): void {
    this.stage.save();
    this.saved[0] = this.out[0] as number;
    this.savedCount = this.count;
    const v = this.stage.next(bar.close);
    this.out[0] = ++this.count <= this.lookback ? Number.NaN : v;
  }
}

export class Sma extends MovingAverage {
  constructor(timeperiod = 30) {
    super(maStage(0, timeperiod));
  }
}
export class Ema extends MovingAverage {
  constructor(timeperiod = 30) {
    super(maStage(1, timeperiod));
  }
}
export class Wma extends MovingAverage {
  constructor(timeperiod = 30) {
    super(maStage(2, timeperiod));
  }
}
export class T3 extends MovingAverage {
  constructor(timeperiod = 5, vfactor = 0.7) {
    super(timeperiod === 1 ? maStage(0, 1) : new T3Stage(timeperiod, vfactor));
  }
}

/**
 * Mean and population variance over a window, from running sums in TA-Lib's order: the new value
 * is added to the sums of the n − 1 values that stay, and the oldest is subtracted only after the
 * output. Adding and subtracting in another order leaves different rounding residues, which the
 * cancellation in E[x²] − E[x]² magnifies on near-flat windows (up to 2e-7 relative before).
 */
export class WindowMoments {
  readonly ring: Ring;
  /** Σx and Σx² of the newest n − 1 values (the part of the window that stays). */
  private keep = 0;
  private keepSq = 0;
  sum = 0;
  sumSq = 0;
  private sKeep = 0;
  private sKeepSq = 0;
  constructor(readonly n: number) {
    this.ring = new Ring(n);
  }
  push(x: number): void {
    this.ring.push(x);
    this.sum = this.keep + x;
    this.sumSq = this.keepSq + x * x;
    if (this.ring.count >= this.n) {
      const old = this.ring.ago(this.n - 1);
      this.keep = this.sum - old;
      this.keepSq = this.sumSq - old * old;
    } else {
      this.keep = this.sum;
      this.keepSq = this.sumSq;
    }
  }
  get ready(): boolean {
    return this.ring.count >= this.n;
  }
  get variance(): number {
    const mean = this.sum / this.n;
    return this.sumSq / this.n - mean * mean;
  }
  save(): void {
    this.ring.save();
    this.sKeep = this.keep;
    this.sKeepSq = this.keepSq;
  }
  restore(): void {
    this.ring.restore();
    this.keep = this.sKeep;
    this.keepSq = this.sKeepSq;
  }
}

/** TA-Lib's TA_IS_ZERO_OR_NEG (epsilon 1e-14): a variance below it gives a deviation of 0. */
export const VAR_EPSILON = 1e-14;

/** Bollinger Bands: MA ± k population standard deviations (the deviation is always around the SMA, as TA-Lib). */
export class Bbands extends Indicator {
  private readonly ma: ScalarStage;
  private readonly mom: WindowMoments;
  /**
   * For a slower MA, TA-Lib runs its STDDEV from the MA's first output, so the running sums start
   * (MA lookback − period + 1) bars late; on near-flat windows their rounding residue is the
   * whole variance, so they start late here too.
   */
  private readonly skip: number;
  constructor(
    readonly timeperiod = 5,
    readonly nbdevup = 2,
    readonly nbdevdn = 2,
    matype = 0,
  ) {
    const ma = maStage(matype, timeperiod);
    // MAMA's lookback (32) can be shorter than the deviation window; TA-Lib then pairs the MA of
    // an earlier bar with the deviation (a misalignment not reproduced): values start when both exist.
    super(['upperband', 'middleband', 'lowerband'], Math.max(ma.lookback, timeperiod - 1));
    this.ma = ma;
    this.mom = new WindowMoments(timeperiod);
    this.skip = Math.max(0, ma.lookback - (timeperiod - 1));
    this.parts = [ma, this.mom];
  }
  protected step(b: Ohlcv): void {
    const mid = this.ma.next(b.close);
    if (this.count < this.skip) return;
    this.mom.push(b.close);
    if (!this.mom.ready) return;
    const v = this.mom.variance;
    const sd = v < VAR_EPSILON ? 0 : Math.sqrt(v);
    this.out[0] = mid + this.nbdevup * sd;
    this.out[1] = mid;
    this.out[2] = mid - this.nbdevdn * sd;
  }
}

/** (highest + lowest) / 2 of the close over the period. */
export class Midpoint extends Indicator {
  private readonly hi: WindowExtreme;
  private readonly lo: WindowExtreme;
  constructor(timeperiod = 14) {
    super(['real'], timeperiod - 1);
    this.hi = new WindowExtreme(timeperiod, true);
    this.lo = new WindowExtreme(timeperiod, false);
    this.parts = [this.hi, this.lo];
  }
  protected step(b: Ohlcv): void {
    this.hi.push(b.close);
    this.lo.push(b.close);
    this.out[0] = (this.hi.value + this.lo.value) / 2;
  }
}

/** (highest high + lowest low) / 2 over the period. */
export class Midprice extends Indicator {
  private readonly hi: WindowExtreme;
  private readonly lo: WindowExtreme;
  constructor(timeperiod = 14) {
    super(['real'], timeperiod - 1);
    this.hi = new WindowExtreme(timeperiod, true);
    this.lo = new WindowExtreme(timeperiod, false);
    this.parts = [this.hi, this.lo];
  }
  protected step(b: Ohlcv): void {
    this.hi.push(b.high);
    this.lo.push(b.low);
    this.out[0] = (this.hi.value + this.lo.value) / 2;
  }
}

/**
 * Parabolic SAR, as TA-Lib runs it: the first direction from the first two bars' directional
 * movement (down if −DM > 0), the stop starting at the first bar's extreme.
 */
export class Sar extends Indicator {
  private n = 0;
  private long = true;
  private af = 0;
  private ep = 0;
  private sar = 0;
  private prevHigh = 0;
  private prevLow = 0;
  private readonly s = new Float64Array(7);
  readonly acceleration: number;
  constructor(
    acceleration = 0.02,
    readonly maximum = 0.2,
  ) {
    super(['real'], 1);
    // TA-Lib caps the acceleration step at the maximum.
    this.acceleration = Math.min(acceleration, maximum);
  }
  protected override saveOwn(): void {
    const s = this.s;
    s[0] = this.n;
    s[1] = this.long ? 1 : 0;
    s[2] = this.af;
    s[3] = this.ep;
    s[4] = this.sar;
    s[5] = this.prevHigh;
    s[6] = this.prevLow;
  }
  protected override restoreOwn(): void {
    const s = this.s;
    this.n = s[0] as number;
    this.long = s[1] === 1;
    this.af = s[2] as number;
    this.ep = s[3] as number;
    this.sar = s[4] as number;
    this.prevHigh = s[5] as number;
    this.prevLow = s[6] as number;
  }
  protected step(b: Ohlcv): void {
    const { high, low } = b;
    this.n++;
    if (this.n === 1) {
      this.prevHigh = high;
      this.prevLow = low;
      return;
    }
    let prevHigh: number;
    let prevLow: number;
    if (this.n === 2) {
      const diffP = high - this.prevHigh;
      const diffM = this.prevLow - low;
      const minusDm = diffM > 0 && diffP < diffM ? diffM : 0;
      this.long = !(minusDm > 0);
      this.af = this.acceleration;
      if (this.long) {
        this.ep = high;
        this.sar = this.prevLow;
      } else {
        this.ep = low;
        this.sar = this.prevHigh;
      }
      // TA-Lib's first step compares the second bar with itself.
      prevHigh = high;
      prevLow = low;
    } else {
      prevHigh = this.prevHigh;
      prevLow = this.prevLow;
    }
    this.prevHigh = high;
    this.prevLow = low;
    const acc = this.acceleration;
    if (this.long) {
      if (low <= this.sar) {
        this.long = false;
        let sar = this.ep;
        if (sar < prevHigh) sar = prevHigh;
        if (sar < high) sar = high;
        this.out[0] = sar;
        this.af = acc;
        this.ep = low;
        sar = sar + this.af * (this.ep - sar);
        if (sar < prevHigh) sar = prevHigh;
        if (sar < high) sar = high;
        this.sar = sar;
      } else {
        this.out[0] = this.sar;
        if (high > this.ep) {
          this.ep = high;
          this.af += acc;
          if (this.af > this.maximum) this.af = this.maximum;
        }
        let sar = this.sar + this.af * (this.ep - this.sar);
        if (sar > prevLow) sar = prevLow;
        if (sar > low) sar = low;
        this.sar = sar;
      }
    } else if (high >= this.sar) {
      this.long = true;
      let sar = this.ep;
      if (sar > prevLow) sar = prevLow;
      if (sar > low) sar = low;
      this.out[0] = sar;
      this.af = acc;
      this.ep = high;
      sar = sar + this.af * (this.ep - sar);
      if (sar > prevLow) sar = prevLow;
      if (sar > low) sar = low;
      this.sar = sar;
    } else {
      this.out[0] = this.sar;
      if (low < this.ep) {
        this.ep = low;
        this.af += acc;
        if (this.af > this.maximum) this.af = this.maximum;
      }
      let sar = this.sar + this.af * (this.ep - this.sar);
      if (sar < prevHigh) sar = prevHigh;
      if (sar < high) sar = high;
      this.sar = sar;
    }
  }
}

/**
 * Acceleration bands (Price Headley): SMAs of high·(1 + 4(h − l)/(h + l)), of the close and of
 * low·(1 − 4(h − l)/(h + l)); sums in TA-Lib's SMA order.
 */
export class Accbands extends Indicator {
  private readonly up: WindowSum;
  private readonly mid: WindowSum;
  private readonly lo: WindowSum;
  constructor(readonly timeperiod = 20) {
    super(['upperband', 'middleband', 'lowerband'], timeperiod - 1);
    this.up = new WindowSum(timeperiod);
    this.mid = new WindowSum(timeperiod);
    this.lo = new WindowSum(timeperiod);
    this.parts = [this.up, this.mid, this.lo];
  }
  protected step(b: Ohlcv): void {
    const { high, low } = b;
    const hl = high + low;
    let u = high;
    let l = low;
    // TA_IS_ZERO: a zero high + low keeps the raw high and low.
    if (!(hl > -1e-14 && hl < 1e-14)) {
      const k = (4 * (high - low)) / hl;
      u = high * (1 + k);
      l = low * (1 - k);
    }
    const n = this.timeperiod;
    this.out[0] = this.up.push(u) / n;
    this.out[1] = this.mid.push(b.close) / n;
    this.out[2] = this.lo.push(l) / n;
  }
}

/**
 * SAREXT: parabolic SAR with its start value and direction (0 auto, > 0 long at that value, < 0
 * short), a percent offset on reversal, and separate initial/step/maximum acceleration for long
 * and short. Short positions are output as −SAR, as TA-Lib does.
 */
export class Sarext extends Indicator {
  // st: bars, isLong, afLong, afShort, ep, sar, newHigh, newLow
  private readonly st = new Float64Array(8);
  private readonly sv = new Float64Array(8);
  private readonly initLong: number;
  private readonly stepLong: number;
  private readonly initShort: number;
  private readonly stepShort: number;
  constructor(
    readonly startvalue = 0,
    readonly offsetonreverse = 0,
    accelerationinitlong = 0.02,
    accelerationlong = 0.02,
    readonly accelerationmaxlong = 0.2,
    accelerationinitshort = 0.02,
    accelerationshort = 0.02,
    readonly accelerationmaxshort = 0.2,
  ) {
    super(['real'], 1);
    // TA-Lib caps the initial and step factors at the maximum.
    this.initLong = Math.min(accelerationinitlong, accelerationmaxlong);
    this.stepLong = Math.min(accelerationlong, accelerationmaxlong);
    this.initShort = Math.min(accelerationinitshort, accelerationmaxshort);
    this.stepShort = Math.min(accelerationshort, accelerationmaxshort);
  }
  protected override saveOwn(): void {
    this.sv.set(this.st);
  }
  protected override restoreOwn(): void {
    this.st.set(this.sv);
  }
  protected step(b: Ohlcv): void {
    const st = this.st;
    const n = st[0] as number;
    st[0] = n + 1;
    if (n === 0) {
      st[6] = b.high;
      st[7] = b.low;
      return;
    }
    if (n === 1) {
      let long: boolean;
      if (this.startvalue === 0) {
        // The direction of the first move: short if it is a minus directional movement.
        const diffP = b.high - (st[6] as number);
        const diffM = (st[7] as number) - b.low;
        long = !(diffM > 0 && diffP < diffM);
      } else long = this.startvalue > 0;
      if (this.startvalue === 0) {
        st[4] = long ? b.high : b.low;
        st[5] = long ? (st[7] as number) : (st[6] as number);
      } else {
        st[4] = long ? b.high : b.low;
        st[5] = Math.abs(this.startvalue);
      }
      st[1] = long ? 1 : 0;
      st[2] = this.initLong;
      st[3] = this.initShort;
      // The first step compares the second bar with itself.
      st[6] = b.high;
      st[7] = b.low;
    }
    const prevHigh = st[6] as number;
    const prevLow = st[7] as number;
    const newHigh = b.high;
    const newLow = b.low;
    st[6] = newHigh;
    st[7] = newLow;
    let sar = st[5] as number;
    let ep = st[4] as number;
    if (st[1] === 1) {
      if (newLow <= sar) {
        st[1] = 0;
        sar = ep;
        if (sar < prevHigh) sar = prevHigh;
        if (sar < newHigh) sar = newHigh;
        if (this.offsetonreverse !== 0) sar += sar * this.offsetonreverse;
        this.out[0] = -sar;
        st[3] = this.initShort;
        ep = newLow;
        sar = sar + this.initShort * (ep - sar);
        if (sar < prevHigh) sar = prevHigh;
        if (sar < newHigh) sar = newHigh;
      } else {
        this.out[0] = sar;
        let af = st[2] as number;
        if (newHigh > ep) {
          ep = newHigh;
          af += this.stepLong;
          if (af > this.accelerationmaxlong) af = this.accelerationmaxlong;
          st[2] = af;
        }
        sar = sar + af * (ep - sar);
        if (sar > prevLow) sar = prevLow;
        if (sar > newLow) sar = newLow;
      }
    } else if (newHigh >= sar) {
      st[1] = 1;
      sar = ep;
      if (sar > prevLow) sar = prevLow;
      if (sar > newLow) sar = newLow;
      if (this.offsetonreverse !== 0) sar -= sar * this.offsetonreverse;
      this.out[0] = sar;
      st[2] = this.initLong;
      ep = newHigh;
      sar = sar + this.initLong * (ep - sar);
      if (sar > prevLow) sar = prevLow;
      if (sar > newLow) sar = newLow;
    } else {
      this.out[0] = -sar;
      let af = st[3] as number;
      if (newLow < ep) {
        ep = newLow;
        af += this.stepShort;
        if (af > this.accelerationmaxshort) af = this.accelerationmaxshort;
        st[3] = af;
      }
      sar = sar + af * (ep - sar);
      if (sar < prevHigh) sar = prevHigh;
      if (sar < newHigh) sar = newHigh;
    }
    st[4] = ep;
    st[5] = sar;
  }
}

/**
 * MAVP: a moving average whose period comes from a column, bar by bar (truncated, clamped to
 * [minperiod, maxperiod]). TA-Lib runs one MA per distinct period from the start index of the
 * longest; here one stage per period in the range, each started where TA-Lib starts it, so an
 * update costs O(maxperiod − minperiod), independent of the series length.
 */
export class Mavp extends Indicator {
  private readonly stages: ScalarStage[];
  constructor(
    readonly minperiod = 2,
    readonly maxperiod = 30,
    matype = 0,
    readonly periods = 5,
  ) {
    const lookback = maLookback(matype, maxperiod);
    super(['real'], lookback);
    this.stages = [];
    for (let p = minperiod; p <= Math.max(minperiod, maxperiod); p++)
      this.stages.push(new DelayedStage(matype, p, lookback - maLookback(matype, p)));
    this.parts = this.stages;
  }
  protected step(b: Ohlcv): void {
    const x = b.close;
    let chosen = Math.trunc(column(b as IndicatorBar, this.periods));
    // C's (int) of NaN is INT_MIN on x86: below the minimum.
    if (!(chosen >= this.minperiod)) chosen = this.minperiod;
    else if (chosen > this.maxperiod) chosen = this.maxperiod;
    let v = Number.NaN;
    for (let i = 0; i < this.stages.length; i++) {
      const r = (this.stages[i] as ScalarStage).next(x);
      if (i === chosen - this.minperiod) v = r;
    }
    this.out[0] = v;
  }
}
