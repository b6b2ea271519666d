/** Overlap studies: moving averages, bands, midpoints, parabolic SAR. */
import type { Ohlcv } from '../core/market.ts';
import { Indicator } from './indicator.ts';
import { maStage, Ring, type ScalarStage, T3Stage, WindowExtreme } from './primitives.ts';

/** A moving average of the close: any scalar stage (SMA, EMA, …, T3). */
export class MovingAverage extends Indicator {
  constructor(private readonly stage: ScalarStage) {
    super(['real'], stage.lookback);
    this.parts = [stage];
  }
  protected step(b: Ohlcv): void {
    this.out[0] = this.stage.next(b.close);
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

/** Mean and population variance over a window, from running sums (TA-Lib's order of operations). */
export class WindowMoments {
  readonly ring: Ring;
  sum = 0;
  sumSq = 0;
  private sSum = 0;
  private sSumSq = 0;
  constructor(readonly n: number) {
    this.ring = new Ring(n);
  }
  push(x: number): void {
    const old = this.ring.push(x);
    this.sum += x;
    this.sumSq += x * x;
    if (this.ring.count > this.n) {
      this.sum -= old;
      this.sumSq -= old * old;
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
    this.sSum = this.sum;
    this.sSumSq = this.sumSq;
  }
  restore(): void {
    this.ring.restore();
    this.sum = this.sSum;
    this.sumSq = this.sSumSq;
  }
}

/** Bollinger Bands: MA ± k population standard deviations (the deviation is always around the SMA, as TA-Lib). */
export class Bbands extends Indicator {
  private readonly ma: ScalarStage;
  private readonly mom: WindowMoments;
  constructor(
    readonly timeperiod = 5,
    readonly nbdevup = 2,
    readonly nbdevdn = 2,
    matype = 0,
  ) {
    const ma = maStage(matype, timeperiod);
    super(['upperband', 'middleband', 'lowerband'], ma.lookback);
    this.ma = ma;
    this.mom = new WindowMoments(timeperiod);
    this.parts = [ma, this.mom];
  }
  protected step(b: Ohlcv): void {
    const mid = this.ma.next(b.close);
    this.mom.push(b.close);
    if (!this.mom.ready) return;
    const v = this.mom.variance;
    const sd = v < 1e-8 ? 0 : Math.sqrt(v);
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
  constructor(
    readonly acceleration = 0.02,
    readonly maximum = 0.2,
  ) {
    super(['real'], 1);
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
