/**
 * TA-Lib's math transforms (ACOS … TANH), math operators (ADD, SUB, MULT, DIV, SUM, MAXINDEX,
 * MININDEX, MINMAX, MINMAXINDEX) and price transforms (AVGPRICE, MEDPRICE, TYPPRICE, WCLPRICE).
 * Elementwise ones have no warm-up; the window ones follow TA-Lib's arithmetic and tie rules.
 */
import type { Ohlcv } from '../core/market.ts';
import { column, Indicator, type IndicatorBar } from './indicator.ts';
import { Ring, type Undoable } from './primitives.ts';

export const MATH_TRANSFORMS: Record<string, [string, (x: number) => number]> = {
  ACOS: ['Vector trigonometric ACos', Math.acos],
  ASIN: ['Vector trigonometric ASin', Math.asin],
  ATAN: ['Vector trigonometric ATan', Math.atan],
  CEIL: ['Vector ceil', Math.ceil],
  COS: ['Vector trigonometric Cos', Math.cos],
  COSH: ['Vector trigonometric Cosh', Math.cosh],
  EXP: ['Vector arithmetic Exp', Math.exp],
  FLOOR: ['Vector floor', Math.floor],
  LN: ['Vector log natural', Math.log],
  LOG10: ['Vector log10', Math.log10],
  SIN: ['Vector trigonometric Sin', Math.sin],
  SINH: ['Vector trigonometric Sinh', Math.sinh],
  SQRT: ['Vector square root', Math.sqrt],
  TAN: ['Vector trigonometric Tan', Math.tan],
  TANH: ['Vector trigonometric Tanh', Math.tanh],
};

/** One function of the close, bar by bar. */
export class MathTransform extends Indicator {
  constructor(private readonly fn: (x: number) => number) {
    super(['real'], 0);
  }
  protected step(b: Ohlcv): void {
    this.out[0] = this.fn(b.close);
  }
}

export type BinaryKind = 'ADD' | 'SUB' | 'MULT' | 'DIV';

/** ADD, SUB, MULT, DIV of two columns (high and low by default, as Python talib's abstract API). */
export class BinaryOperator extends Indicator {
  constructor(
    readonly kind: BinaryKind,
    readonly price0 = 1,
    readonly price1 = 2,
  ) {
    super(['real'], 0);
  }
  protected step(b: Ohlcv): void {
    const x = column(b as IndicatorBar, this.price0);
    const y = column(b as IndicatorBar, this.price1);
    switch (this.kind) {
      case 'ADD':
        this.out[0] = x + y;
        break;
      case 'SUB':
        this.out[0] = x - y;
        break;
      case 'MULT':
        this.out[0] = x * y;
        break;
      case 'DIV':
        this.out[0] = x / y;
        break;
    }
  }
}

export type PriceKind = 'AVGPRICE' | 'MEDPRICE' | 'TYPPRICE' | 'WCLPRICE';

/** Price transforms, in TA-Lib's order of addition. */
export class PriceTransform extends Indicator {
  constructor(readonly kind: PriceKind) {
    super(['real'], 0);
  }
  protected step(b: Ohlcv): void {
    switch (this.kind) {
      case 'AVGPRICE':
        this.out[0] = (b.high + b.low + b.close + b.open) / 4;
        break;
      case 'MEDPRICE':
        this.out[0] = (b.high + b.low) / 2;
        break;
      case 'TYPPRICE':
        this.out[0] = (b.high + b.low + b.close) / 3;
        break;
      case 'WCLPRICE':
        this.out[0] = (b.high + b.low + b.close * 2) / 4;
        break;
    }
  }
}

/**
 * Running sum of the last n values, in TA-Lib's order: the value that leaves is subtracted after
 * the output, from the sum of the window so far (so a flat window sums exactly as TA-Lib's does).
 */
export class WindowSum implements Undoable {
  readonly ring: Ring;
  /** Sum of the newest n − 1 values (the part of the window that stays). */
  private partial = 0;
  private sPartial = 0;
  value = Number.NaN;
  constructor(readonly n: number) {
    this.ring = new Ring(n);
  }
  push(x: number): number {
    this.ring.push(x);
    const total = this.partial + x;
    if (this.ring.count >= this.n) {
      // The oldest value of this window leaves before the next push.
      this.partial = total - this.ring.ago(this.n - 1);
      this.value = total;
    } else {
      this.partial = total;
      this.value = Number.NaN;
    }
    return this.value;
  }
  save(): void {
    this.ring.save();
    this.sPartial = this.partial;
  }
  restore(): void {
    this.ring.restore();
    this.partial = this.sPartial;
  }
}

export class Sum extends Indicator {
  private readonly s: WindowSum;
  constructor(timeperiod = 30) {
    super(['real'], timeperiod - 1);
    this.s = new WindowSum(timeperiod);
    this.parts = [this.s];
  }
  protected step(b: Ohlcv): void {
    this.out[0] = this.s.push(b.close);
  }
}

/**
 * The extreme of the last n values and its absolute bar index, with TA-Lib's tie rules: when the
 * extreme leaves the window, or at the first full window, a forward scan takes the oldest of equal
 * extremes; otherwise a new value equal to the extreme takes over. Amortized O(1).
 */
export class IndexedExtreme implements Undoable {
  readonly ring: Ring;
  value = Number.NaN;
  /** Absolute index (0 = first bar) of the extreme; −1 before the first window. */
  index = -1;
  private sValue = Number.NaN;
  private sIndex = -1;
  constructor(
    readonly n: number,
    readonly max: boolean,
  ) {
    this.ring = new Ring(n);
  }
  push(x: number): void {
    this.ring.push(x);
    const today = this.ring.count - 1;
    if (this.ring.count < this.n) return;
    const trailing = today - this.n + 1;
    if (this.index < trailing) {
      let best = this.ring.ago(this.n - 1);
      let at = trailing;
      for (let k = this.n - 2; k >= 0; k--) {
        const v = this.ring.ago(k);
        if (this.max ? v > best : v < best) {
          best = v;
          at = today - k;
        }
      }
      this.value = best;
      this.index = at;
    } else if (this.max ? x >= this.value : x <= this.value) {
      this.value = x;
      this.index = today;
    }
  }
  save(): void {
    this.ring.save();
    this.sValue = this.value;
    this.sIndex = this.index;
  }
  restore(): void {
    this.ring.restore();
    this.value = this.sValue;
    this.index = this.sIndex;
  }
}

export type ExtremeKind = 'MAXINDEX' | 'MININDEX' | 'MINMAX' | 'MINMAXINDEX';

/** MAXINDEX, MININDEX (absolute bar index), MINMAX (min, max), MINMAXINDEX (minidx, maxidx) of the close. */
export class WindowIndex extends Indicator {
  private readonly lo: IndexedExtreme;
  private readonly hi: IndexedExtreme;
  constructor(
    readonly kind: ExtremeKind,
    timeperiod = 30,
  ) {
    super(kind === 'MINMAX' ? ['min', 'max'] : kind === 'MINMAXINDEX' ? ['minidx', 'maxidx'] : ['integer'], timeperiod - 1);
    this.lo = new IndexedExtreme(timeperiod, false);
    this.hi = new IndexedExtreme(timeperiod, true);
    this.parts = [this.lo, this.hi];
  }
  protected step(b: Ohlcv): void {
    this.lo.push(b.close);
    this.hi.push(b.close);
    switch (this.kind) {
      case 'MAXINDEX':
        this.out[0] = this.hi.index;
        break;
      case 'MININDEX':
        this.out[0] = this.lo.index;
        break;
      case 'MINMAX':
        this.out[0] = this.lo.value;
        this.out[1] = this.hi.value;
        break;
      case 'MINMAXINDEX':
        this.out[0] = this.lo.index;
        this.out[1] = this.hi.index;
        break;
    }
  }
}
