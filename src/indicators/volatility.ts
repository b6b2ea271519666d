/** True range, ATR and Wilder's directional movement family (TA-Lib seeding). */
import type { Ohlcv } from '../core/market.ts';
import { Indicator } from './indicator.ts';
import { isZero, Ring } from './primitives.ts';

function trueRange(h: number, l: number, prevClose: number): number {
  let tr = h - l;
  const a = Math.abs(h - prevClose);
  if (a > tr) tr = a;
  const c = Math.abs(l - prevClose);
  if (c > tr) tr = c;
  return tr;
}

export class Trange extends Indicator {
  private prevClose = Number.NaN;
  private sPrev = Number.NaN;
  constructor() {
    super(['real'], 1);
  }
  protected override saveOwn(): void {
    this.sPrev = this.prevClose;
  }
  protected override restoreOwn(): void {
    this.prevClose = this.sPrev;
  }
  protected step(b: Ohlcv): void {
    if (!Number.isNaN(this.prevClose)) this.out[0] = trueRange(b.high, b.low, this.prevClose);
    this.prevClose = b.close;
  }
}

/** ATR (Wilder); NATR = ATR / close × 100. */
export class Atr extends Indicator {
  private prevClose = Number.NaN;
  private atr = 0;
  private n = 0;
  private readonly s = new Float64Array(3);
  constructor(
    readonly timeperiod = 14,
    readonly normalized = false,
  ) {
    super(['real'], timeperiod);
  }
  protected override saveOwn(): void {
    this.s[0] = this.prevClose;
    this.s[1] = this.atr;
    this.s[2] = this.n;
  }
  protected override restoreOwn(): void {
    this.prevClose = this.s[0] as number;
    this.atr = this.s[1] as number;
    this.n = this.s[2] as number;
  }
  protected step(b: Ohlcv): void {
    const pc = this.prevClose;
    this.prevClose = b.close;
    const c = this.n++;
    if (c === 0) return;
    const tr = trueRange(b.high, b.low, pc);
    const p = this.timeperiod;
    if (c < p) {
      this.atr += tr;
      return;
    }
    if (c === p) this.atr = (this.atr + tr) / p;
    else this.atr = (this.atr * (p - 1) + tr) / p;
    // TA-Lib's NATR with a period of 1 is its TRANGE, not normalized.
    const norm = this.normalized && p > 1;
    this.out[0] = norm ? (isZero(b.close) ? 0 : (this.atr / b.close) * 100) : this.atr;
  }
}

export type DmOutput = 'PLUS_DM' | 'MINUS_DM' | 'PLUS_DI' | 'MINUS_DI' | 'DX' | 'ADX' | 'ADXR';

const DM_LOOKBACK: Record<DmOutput, (n: number) => number> = {
  PLUS_DM: (n) => n - 1,
  MINUS_DM: (n) => n - 1,
  PLUS_DI: (n) => n,
  MINUS_DI: (n) => n,
  DX: (n) => n,
  ADX: (n) => 2 * n - 1,
  ADXR: (n) => 3 * n - 2,
};

/**
 * Wilder's directional movement: smoothed +DM, −DM and TR (sums of the first n − 1 bars, then
 * x − x/n + new), DI, DX, ADX (mean of the first n DX, then Wilder), ADXR.
 */
export class DirectionalMovement extends Indicator {
  private n = 0;
  private prevHigh = 0;
  private prevLow = 0;
  private prevClose = 0;
  private pdm = 0;
  private mdm = 0;
  private tr = 0;
  private dx = 0;
  private dxSum = 0;
  private adx = 0;
  private readonly adxRing: Ring;
  private readonly s = new Float64Array(11);
  constructor(
    readonly kind: DmOutput,
    readonly timeperiod = 14,
  ) {
    super(['real'], DM_LOOKBACK[kind](timeperiod));
    this.adxRing = new Ring(timeperiod);
    this.parts = [this.adxRing];
  }
  protected override saveOwn(): void {
    const s = this.s;
    s[0] = this.n;
    s[1] = this.prevHigh;
    s[2] = this.prevLow;
    s[3] = this.prevClose;
    s[4] = this.pdm;
    s[5] = this.mdm;
    s[6] = this.tr;
    s[7] = this.dx;
    s[8] = this.dxSum;
    s[9] = this.adx;
  }
  protected override restoreOwn(): void {
    const s = this.s;
    this.n = s[0] as number;
    this.prevHigh = s[1] as number;
    this.prevLow = s[2] as number;
    this.prevClose = s[3] as number;
    this.pdm = s[4] as number;
    this.mdm = s[5] as number;
    this.tr = s[6] as number;
    this.dx = s[7] as number;
    this.dxSum = s[8] as number;
    this.adx = s[9] as number;
  }
  protected step(b: Ohlcv): void {
    const c = this.n++;
    const p = this.timeperiod;
    if (c === 0) {
      this.prevHigh = b.high;
      this.prevLow = b.low;
      this.prevClose = b.close;
      return;
    }
    const diffP = b.high - this.prevHigh;
    const diffM = this.prevLow - b.low;
    this.prevHigh = b.high;
    this.prevLow = b.low;
    const plus = diffP > 0 && diffP > diffM ? diffP : 0;
    const minus = diffM > 0 && diffP < diffM ? diffM : 0;
    const tr = trueRange(b.high, b.low, this.prevClose);
    this.prevClose = b.close;
    if (c < p) {
      this.pdm += plus;
      this.mdm += minus;
      this.tr += tr;
      if (c === p - 1) this.emitDm();
      return;
    }
    this.pdm = this.pdm - this.pdm / p + plus;
    this.mdm = this.mdm - this.mdm / p + minus;
    this.tr = this.tr - this.tr / p + tr;
    this.emitDm();
    // DI and DX.
    let pdi = 0;
    let mdi = 0;
    let dxDefined = false;
    if (!isZero(this.tr)) {
      // TA-Lib's PLUS_DI/MINUS_DI with a period of 1 return the raw ratio DM/TR, not percent.
      const scale = p === 1 ? 1 : 100;
      pdi = scale * (this.pdm / this.tr);
      mdi = scale * (this.mdm / this.tr);
      const t = pdi + mdi;
      if (!isZero(t)) {
        this.dx = 100 * (Math.abs(mdi - pdi) / t);
        dxDefined = true;
      }
    }
    const k = this.kind;
    if (k === 'PLUS_DI') this.out[0] = pdi;
    else if (k === 'MINUS_DI') this.out[0] = mdi;
    else if (k === 'DX') {
      // An undefined DX repeats the previous value (0 at the first bar).
      this.out[0] = dxDefined ? this.dx : c === p ? 0 : (this.out[0] as number);
    }
    if (k !== 'ADX' && k !== 'ADXR') return;
    // ADX: the first is the mean of n DX values (bars p .. 2p−1), then Wilder-smoothed.
    const j = c - p;
    if (j < p) {
      if (dxDefined) this.dxSum += this.dx;
      if (j < p - 1) return;
      this.adx = this.dxSum / p;
    } else if (dxDefined) this.adx = (this.adx * (p - 1) + this.dx) / p;
    this.adxRing.push(this.adx);
    if (k === 'ADX') this.out[0] = this.adx;
    else if (this.adxRing.full) this.out[0] = (this.adx + this.adxRing.ago(p - 1)) / 2;
  }
  private emitDm(): void {
    if (this.kind === 'PLUS_DM') this.out[0] = this.pdm;
    else if (this.kind === 'MINUS_DM') this.out[0] = this.mdm;
  }
}
