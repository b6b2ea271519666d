/** Statistic functions: variance, standard deviation, linear regression over a window. */
import type { Ohlcv } from '../core/market.ts';
import { column, Indicator, type IndicatorBar } from './indicator.ts';
import { VAR_EPSILON, WindowMoments } from './overlap.ts';
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
    this.out[0] = this.stddev ? (v < VAR_EPSILON ? 0 : Math.sqrt(v) * this.nbdev) : v;
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

/** TA-Lib's TA_IS_ZERO (epsilon 1e-14, the binding's ta_utility.h). */
const isTiny = (x: number): boolean => x > -1e-14 && x < 1e-14;

/**
 * BETA as TA-Lib
 * defines it, x = returns of price0, y = returns of price1, β = (nΣxy − ΣxΣy) / (nΣx² − (Σx)²),
 * over n returns (so n + 1 prices: lookback n). A zero previous price gives a return of 0.
 * Sums are added before the output and the oldest return removed after, in TA-Lib's order.
 */
export class Beta extends Indicator {
  private readonly rx: Ring;
  private readonly ry: Ring;
  private readonly st = new Float64Array(7);
  private readonly sv = new Float64Array(7);
  constructor(
    readonly timeperiod = 5,
    readonly price0 = 1,
    readonly price1 = 2,
  ) {
    super(['real'], timeperiod);
    this.rx = new Ring(timeperiod);
    this.ry = new Ring(timeperiod);
    this.parts = [this.rx, this.ry];
  }
  protected override saveOwn(): void {
    this.sv.set(this.st);
  }
  protected override restoreOwn(): void {
    this.st.set(this.sv);
  }
  protected step(b: Ohlcv): void {
    // st: lastX, lastY, Sxx, Sxy, Sx, Sy, bars seen
    const st = this.st;
    const px = column(b as IndicatorBar, this.price0);
    const py = column(b as IndicatorBar, this.price1);
    const seen = st[6] as number;
    st[6] = seen + 1;
    const lx = st[0] as number;
    const ly = st[1] as number;
    st[0] = px;
    st[1] = py;
    if (seen === 0) return;
    const x = isTiny(lx) ? 0 : (px - lx) / lx;
    const y = isTiny(ly) ? 0 : (py - ly) / ly;
    this.rx.push(x);
    this.ry.push(y);
    st[2] = (st[2] as number) + x * x;
    st[3] = (st[3] as number) + x * y;
    st[4] = (st[4] as number) + x;
    st[5] = (st[5] as number) + y;
    const n = this.timeperiod;
    if (seen < n) return;
    const sx = st[4] as number;
    const d = n * (st[2] as number) - sx * sx;
    this.out[0] = isTiny(d) ? 0 : (n * (st[3] as number) - sx * (st[5] as number)) / d;
    const ox = this.rx.ago(n - 1);
    const oy = this.ry.ago(n - 1);
    st[2] = (st[2] as number) - ox * ox;
    st[3] = (st[3] as number) - ox * oy;
    st[4] = (st[4] as number) - ox;
    st[5] = (st[5] as number) - oy;
  }
}

/**
 * CORREL: Pearson correlation of two columns over the window. TA-Lib removes the oldest pair
 * from the sums before adding the new one; a non-positive (or < 1e-14) variance product gives 0.
 */
export class Correl extends Indicator {
  private readonly rx: Ring;
  private readonly ry: Ring;
  private readonly st = new Float64Array(5);
  private readonly sv = new Float64Array(5);
  constructor(
    readonly timeperiod = 30,
    readonly price0 = 1,
    readonly price1 = 2,
  ) {
    super(['real'], timeperiod - 1);
    this.rx = new Ring(timeperiod);
    this.ry = new Ring(timeperiod);
    this.parts = [this.rx, this.ry];
  }
  protected override saveOwn(): void {
    this.sv.set(this.st);
  }
  protected override restoreOwn(): void {
    this.st.set(this.sv);
  }
  protected step(b: Ohlcv): void {
    // st: Σx, Σx², Σxy, Σy, Σy²
    const st = this.st;
    const x = column(b as IndicatorBar, this.price0);
    const y = column(b as IndicatorBar, this.price1);
    const ox = this.rx.push(x);
    const oy = this.ry.push(y);
    if (!Number.isNaN(ox)) {
      st[0] = (st[0] as number) - ox;
      st[1] = (st[1] as number) - ox * ox;
      st[2] = (st[2] as number) - ox * oy;
      st[3] = (st[3] as number) - oy;
      st[4] = (st[4] as number) - oy * oy;
    }
    st[0] = (st[0] as number) + x;
    st[1] = (st[1] as number) + x * x;
    st[2] = (st[2] as number) + x * y;
    st[3] = (st[3] as number) + y;
    st[4] = (st[4] as number) + y * y;
    if (!this.rx.full) return;
    const n = this.timeperiod;
    const sx = st[0] as number;
    const sy = st[3] as number;
    const t = ((st[1] as number) - (sx * sx) / n) * ((st[4] as number) - (sy * sy) / n);
    this.out[0] = t < 1e-14 ? 0 : ((st[2] as number) - (sx * sy) / n) / Math.sqrt(t);
  }
}

/**
 * AVGDEV: mean absolute deviation from the window mean. The mean moves every bar, so each output
 * needs the whole window: O(n) per bar (as in TA-Lib and CCI); the sum runs newest to oldest as
 * TA-Lib's does, so results agree to the bit.
 */
export class AvgDev extends Indicator {
  private readonly ring: Ring;
  constructor(readonly timeperiod = 14) {
    super(['real'], timeperiod - 1);
    this.ring = new Ring(timeperiod);
    this.parts = [this.ring];
  }
  protected step(b: Ohlcv): void {
    this.ring.push(b.close);
    if (!this.ring.full) return;
    const n = this.timeperiod;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.ring.ago(i);
    let dev = 0;
    for (let i = 0; i < n; i++) dev += Math.abs(this.ring.ago(i) - sum / n);
    this.out[0] = dev / n;
  }
}
