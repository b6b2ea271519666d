/** Volume indicators. */
import type { Ohlcv } from '../core/market.ts';
import { Indicator } from './indicator.ts';

export class Obv extends Indicator {
  private obv = Number.NaN;
  private prev = Number.NaN;
  private readonly s = new Float64Array(2);
  constructor() {
    super(['real'], 0);
  }
  protected override saveOwn(): void {
    this.s[0] = this.obv;
    this.s[1] = this.prev;
  }
  protected override restoreOwn(): void {
    this.obv = this.s[0] as number;
    this.prev = this.s[1] as number;
  }
  protected step(b: Ohlcv): void {
    if (Number.isNaN(this.prev)) this.obv = b.volume;
    else if (b.close > this.prev) this.obv += b.volume;
    else if (b.close < this.prev) this.obv -= b.volume;
    this.prev = b.close;
    this.out[0] = this.obv;
  }
}

/** Close location value × volume; 0 for a bar without range. */
function adStep(b: Ohlcv): number {
  const r = b.high - b.low;
  return r > 0 ? ((b.close - b.low - (b.high - b.close)) / r) * b.volume : 0;
}

/** Chaikin accumulation/distribution line. */
export class Ad extends Indicator {
  private ad = 0;
  private sAd = 0;
  constructor() {
    super(['real'], 0);
  }
  protected override saveOwn(): void {
    this.sAd = this.ad;
  }
  protected override restoreOwn(): void {
    this.ad = this.sAd;
  }
  protected step(b: Ohlcv): void {
    this.ad += adStep(b);
    this.out[0] = this.ad;
  }
}

/** Chaikin A/D oscillator: fast EMA − slow EMA of the A/D line, both seeded with its first value (TA-Lib). */
export class Adosc extends Indicator {
  private ad = 0;
  private fast = 0;
  private slow = 0;
  private n = 0;
  private readonly kf: number;
  private readonly ks: number;
  private readonly s = new Float64Array(4);
  constructor(fastperiod = 3, slowperiod = 10) {
    super(['real'], Math.max(fastperiod, slowperiod) - 1);
    this.kf = 2 / (fastperiod + 1);
    this.ks = 2 / (slowperiod + 1);
  }
  protected override saveOwn(): void {
    const s = this.s;
    s[0] = this.ad;
    s[1] = this.fast;
    s[2] = this.slow;
    s[3] = this.n;
  }
  protected override restoreOwn(): void {
    const s = this.s;
    this.ad = s[0] as number;
    this.fast = s[1] as number;
    this.slow = s[2] as number;
    this.n = s[3] as number;
  }
  protected step(b: Ohlcv): void {
    this.ad += adStep(b);
    if (this.n++ === 0) {
      this.fast = this.ad;
      this.slow = this.ad;
    } else {
      this.fast = this.kf * this.ad + (1 - this.kf) * this.fast;
      this.slow = this.ks * this.ad + (1 - this.ks) * this.slow;
    }
    this.out[0] = this.fast - this.slow;
  }
}
