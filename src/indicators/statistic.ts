/** Statistic functions: variance, standard deviation, linear regression over a window. */
import type { Ohlcv } from '../core/market.ts';
import { Indicator } from './indicator.ts';
import { WindowMoments } from './overlap.ts';
import { Ring, WindowExtreme } from './primitives.ts';

/** Population variance (VAR) or standard deviation × nbdev (STDDEV). */
export class Dispersion extends Indicator {
  private readonly m: WindowMoments;
  constructor(
    readonly stddev: boolean,
    timeperiod = 5,
    readonly nbdev = 1,
  ) {
    super(['real'], timeperiod - 1);
    this.m = new WindowMoments(timeperiod);
    this.parts = [this.m];
  }
  protected step(b: Ohlcv): void {
    this.m.push(b.close);
    if (!this.m.ready) return;
    const v = this.m.variance;
    // VAR scales by nbdev as TA-Lib does (it has the parameter but ignores it: variance as is).
    this.out[0] = this.stddev ? (v < 1e-8 ? 0 : Math.sqrt(v) * this.nbdev) : v;
  }
}

export type LinearRegKind = 'LINEARREG' | 'LINEARREG_SLOPE' | 'LINEARREG_INTERCEPT' | 'LINEARREG_ANGLE' | 'TSF';

/**
 * Least-squares line through the last n closes (x = 0 oldest .. n−1 newest): its value at the
 * newest bar, slope, intercept, angle in degrees, or the forecast one bar ahead (TSF). The sums
 * are updated in O(1) and recomputed from the window every n bars so rounding cannot drift.
 */
export class LinearRegression extends Indicator {
  private readonly ring: Ring;
  /** Σy and Σ(age·y), age 0 = newest. */
  private sumY = 0;
  private sumAY = 0;
  private sSumY = 0;
  private sSumAY = 0;
  private readonly sumX: number;
  private readonly divisor: number;
  constructor(
    readonly kind: LinearRegKind,
    readonly timeperiod = 14,
  ) {
    super(['real'], timeperiod - 1);
    const n = timeperiod;
    this.ring = new Ring(n);
    this.parts = [this.ring];
    this.sumX = (n * (n - 1)) / 2;
    const sumXSq = (n * (n - 1) * (2 * n - 1)) / 6;
    this.divisor = this.sumX * this.sumX - n * sumXSq;
  }
  protected override saveOwn(): void {
    this.sSumY = this.sumY;
    this.sSumAY = this.sumAY;
  }
  protected override restoreOwn(): void {
    this.sumY = this.sSumY;
    this.sumAY = this.sSumAY;
  }
  protected step(b: Ohlcv): void {
    const n = this.timeperiod;
    const y = b.close;
    const full = this.ring.full;
    const old = this.ring.push(y);
    if (full) {
      this.sumAY += this.sumY - old - (n - 1) * old;
      this.sumY += y - old;
    } else {
      this.sumAY += this.sumY;
      this.sumY += y;
    }
    if (!this.ring.full) return;
    if (this.ring.count % n === 0) this.resync();
    const m = (n * this.sumAY - this.sumX * this.sumY) / this.divisor;
    const intercept = (this.sumY - m * this.sumX) / n;
    switch (this.kind) {
      case 'LINEARREG':
        this.out[0] = intercept + m * (n - 1);
        break;
      case 'LINEARREG_SLOPE':
        this.out[0] = m;
        break;
      case 'LINEARREG_INTERCEPT':
        this.out[0] = intercept;
        break;
      case 'LINEARREG_ANGLE':
        this.out[0] = Math.atan(m) * (180 / Math.PI);
        break;
      case 'TSF':
        this.out[0] = intercept + m * n;
        break;
    }
  }
  private resync(): void {
    let sy = 0;
    let say = 0;
    for (let a = this.timeperiod - 1; a >= 0; a--) {
      const v = this.ring.ago(a);
      sy += v;
      say += a * v;
    }
    this.sumY = sy;
    this.sumAY = say;
  }
}

/** Highest (MAX) or lowest (MIN) close over the period. */
export class WindowExtremeIndicator extends Indicator {
  private readonly ext: WindowExtreme;
  constructor(max: boolean, timeperiod = 30) {
    super(['real'], timeperiod - 1);
    this.ext = new WindowExtreme(timeperiod, max);
    this.parts = [this.ext];
  }
  protected step(b: Ohlcv): void {
    this.ext.push(b.close);
    this.out[0] = this.ext.value;
  }
}
