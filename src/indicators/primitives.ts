/**
 * O(1) streaming building blocks with one-step undo, so every indicator built from them can
 * `replace()` the still-open last bar: `save()` before a step remembers the few numbers the
 * step will change, `restore()` puts them back. Formulas follow TA-Lib's operation order so
 * results agree to the last bits, not just approximately.
 */

/** Anything with one-step undo. */
import { MamaStage } from './cycle.ts';

export interface Undoable {
  save(): void;
  restore(): void;
}

/** Fixed-size window of the last `n` values; remembers the slot a push overwrote. */
export class Ring implements Undoable {
  readonly buf: Float64Array;
  /** Index where the next value goes. */
  pos = 0;
  count = 0;
  private sPos = 0;
  private sCount = 0;
  private sOld = 0;

  constructor(readonly n: number) {
    this.buf = new Float64Array(Math.max(1, n));
  }

  /** Pushes x; returns the value that left the window (NaN while filling). */
  push(x: number): number {
    const old = this.count >= this.n ? (this.buf[this.pos] as number) : Number.NaN;
    this.buf[this.pos] = x;
    this.pos = this.pos + 1 === this.n ? 0 : this.pos + 1;
    this.count++;
    return old;
  }

  /** The value pushed `k` steps ago (0 = newest). */
  ago(k: number): number {
    let i = this.pos - 1 - k;
    while (i < 0) i += this.n;
    return this.buf[i] as number;
  }

  get full(): boolean {
    return this.count >= this.n;
  }

  save(): void {
    this.sPos = this.pos;
    this.sCount = this.count;
    this.sOld = this.buf[this.pos] as number;
  }

  restore(): void {
    this.pos = this.sPos;
    this.count = this.sCount;
    this.buf[this.pos] = this.sOld;
  }
}

/** A scalar-in, scalar-out streaming stage (moving averages and the like). */
export interface ScalarStage extends Undoable {
  /** Feeds one value; returns the output (NaN during warm-up). */
  next(x: number): number;
  /** Inputs needed before the first output, minus one (TA-Lib's lookback). */
  readonly lookback: number;
}

/**
 * Simple MA in TA-Lib's order: the new value is added to the sum of the n − 1 that stay, and the
 * oldest is subtracted after the output (another order leaves other rounding residues).
 */
export class SmaStage implements ScalarStage {
  // Its own circular buffer rather than a Ring: this is the hottest stage, and the window's
  // oldest value is simply the slot the next input overwrites.
  private readonly buf: Float64Array;
  private pos = 0;
  private count = 0;
  private keep = 0;
  private sPos = 0;
  private sCount = 0;
  private sKeep = 0;
  private sOld = 0;
  readonly lookback: number;
  constructor(readonly n: number) {
    this.buf = new Float64Array(n);
    this.lookback = n - 1;
  }
  next(x: number): number {
    const n = this.n;
    const buf = this.buf;
    buf[this.pos] = x;
    const next = this.pos + 1 === n ? 0 : this.pos + 1;
    this.pos = next;
    const total = this.keep + x;
    if (++this.count < n) {
      this.keep = total;
      return Number.NaN;
    }
    this.keep = total - (buf[next] as number);
    return total / n;
  }
  save(): void {
    this.sPos = this.pos;
    this.sCount = this.count;
    this.sKeep = this.keep;
    this.sOld = this.buf[this.pos] as number;
  }
  restore(): void {
    this.pos = this.sPos;
    this.count = this.sCount;
    this.keep = this.sKeep;
    this.buf[this.pos] = this.sOld;
  }
}

/** EMA seeded with the SMA of its first `n` inputs (TA-Lib's default), factor k. */
export class EmaStage implements ScalarStage {
  private count = 0;
  private acc = 0;
  private value = Number.NaN;
  private sCount = 0;
  private sAcc = 0;
  private sValue = Number.NaN;
  readonly lookback: number;
  constructor(
    readonly n: number,
    readonly k = 2 / (n + 1),
  ) {
    this.lookback = n - 1;
  }
  next(x: number): number {
    const c = ++this.count;
    // The steady state first: one multiply-add, in TA-Lib's order.
    if (c > this.n) return (this.value = (x - this.value) * this.k + this.value);
    this.acc += x;
    if (c < this.n) return Number.NaN;
    this.value = this.acc / this.n;
    return this.value;
  }
  save(): void {
    this.sCount = this.count;
    this.sAcc = this.acc;
    this.sValue = this.value;
  }
  restore(): void {
    this.count = this.sCount;
    this.acc = this.sAcc;
    this.value = this.sValue;
  }
}

/** Linearly weighted MA (weights 1..n, newest heaviest). */
export class WmaStage implements ScalarStage {
  private readonly ring: Ring;
  private sum = 0;
  private wsum = 0;
  private sSum = 0;
  private sWsum = 0;
  readonly lookback: number;
  private readonly divider: number;
  constructor(readonly n: number) {
    this.ring = new Ring(n);
    this.lookback = n - 1;
    this.divider = (n * (n + 1)) / 2;
  }
  next(x: number): number {
    const c = this.ring.count;
    const old = this.ring.push(x);
    if (c < this.n) {
      this.wsum += x * (c + 1);
      this.sum += x;
      if (c + 1 < this.n) return Number.NaN;
      return this.wsum / this.divider;
    }
    // Every weight drops by one (−sum of the previous window), the new value enters at n.
    this.wsum += x * this.n - this.sum;
    this.sum += x - old;
    return this.wsum / this.divider;
  }
  save(): void {
    this.ring.save();
    this.sSum = this.sum;
    this.sWsum = this.wsum;
  }
  restore(): void {
    this.ring.restore();
    this.sum = this.sSum;
    this.wsum = this.sWsum;
  }
}

/** Stages applied one after another; NaN stops the chain during warm-up. */
class ChainStage implements ScalarStage {
  readonly lookback: number;
  constructor(readonly stages: ScalarStage[]) {
    this.lookback = stages.reduce((a, s) => a + s.lookback, 0);
  }
  next(x: number): number {
    let v = x;
    for (const s of this.stages) {
      if (Number.isNaN(v)) return v;
      v = s.next(v);
    }
    return v;
  }
  save(): void {
    for (const s of this.stages) s.save();
  }
  restore(): void {
    for (const s of this.stages) s.restore();
  }
}

/** DEMA = 2·EMA − EMA(EMA). */
class DemaStage implements ScalarStage {
  private readonly e1: EmaStage;
  private readonly e2: EmaStage;
  readonly lookback: number;
  constructor(n: number) {
    this.e1 = new EmaStage(n);
    this.e2 = new EmaStage(n);
    this.lookback = 2 * (n - 1);
  }
  next(x: number): number {
    const a = this.e1.next(x);
    if (Number.isNaN(a)) return a;
    const b = this.e2.next(a);
    return Number.isNaN(b) ? b : 2 * a - b;
  }
  save(): void {
    this.e1.save();
    this.e2.save();
  }
  restore(): void {
    this.e1.restore();
    this.e2.restore();
  }
}

/** TEMA = 3·EMA − 3·EMA² + EMA³. */
class TemaStage implements ScalarStage {
  private readonly e: EmaStage[];
  readonly lookback: number;
  constructor(n: number) {
    this.e = [new EmaStage(n), new EmaStage(n), new EmaStage(n)];
    this.lookback = 3 * (n - 1);
  }
  next(x: number): number {
    const [e1, e2, e3] = this.e as [EmaStage, EmaStage, EmaStage];
    const a = e1.next(x);
    if (Number.isNaN(a)) return a;
    const b = e2.next(a);
    if (Number.isNaN(b)) return b;
    const c = e3.next(b);
    return Number.isNaN(c) ? c : 3 * a - 3 * b + c;
  }
  save(): void {
    for (const s of this.e) s.save();
  }
  restore(): void {
    for (const s of this.e) s.restore();
  }
}

/** Triangular MA: an SMA of an SMA, split as TA-Lib splits the period. */
function trimaStage(n: number): ScalarStage {
  const a = n % 2 === 1 ? (n + 1) / 2 : n / 2;
  const b = n % 2 === 1 ? a : a + 1;
  return new ChainStage([new SmaStage(a), new SmaStage(b)]);
}

/** Kaufman adaptive MA (fast 2, slow 30, as TA-Lib). */
class KamaStage implements ScalarStage {
  private readonly ring: Ring;
  private sumRoc = 0;
  private value = Number.NaN;
  private prev = Number.NaN;
  private sSumRoc = 0;
  private sValue = Number.NaN;
  private sPrev = Number.NaN;
  readonly lookback: number;
  private static readonly FAST = 2 / 3;
  private static readonly SLOW = 2 / 31;
  constructor(readonly n: number) {
    // The window holds n + 1 prices: the change over n bars and the n one-bar changes.
    this.ring = new Ring(n + 1);
    this.lookback = n;
  }
  next(x: number): number {
    const c = this.ring.count;
    const prev = this.prev;
    const oldest = c >= this.n + 1 ? this.ring.ago(this.n) : Number.NaN;
    const secondOldest = c >= this.n + 1 ? this.ring.ago(this.n - 1) : Number.NaN;
    this.ring.push(x);
    this.prev = x;
    if (c === 0) return Number.NaN;
    if (c < this.n) {
      this.sumRoc += Math.abs(x - prev);
      return Number.NaN;
    }
    if (c === this.n) {
      // First output: seeded from the previous price.
      this.sumRoc += Math.abs(x - prev);
      this.value = prev;
    } else {
      this.sumRoc -= Math.abs(secondOldest - oldest);
      this.sumRoc += Math.abs(x - prev);
    }
    const change = x - this.ring.ago(this.n);
    // A window without movement (|Σ| < 1e-14, often a rounding residue) counts as efficient, as in TA-Lib.
    const er = this.sumRoc <= change || isZero(this.sumRoc) ? 1 : Math.abs(change / this.sumRoc);
    const sc = er * (KamaStage.FAST - KamaStage.SLOW) + KamaStage.SLOW;
    this.value = (x - this.value) * sc * sc + this.value;
    return this.value;
  }
  save(): void {
    this.ring.save();
    this.sSumRoc = this.sumRoc;
    this.sValue = this.value;
    this.sPrev = this.prev;
  }
  restore(): void {
    this.ring.restore();
    this.sumRoc = this.sSumRoc;
    this.value = this.sValue;
    this.prev = this.sPrev;
  }
}

/** Tillson T3: six chained EMAs combined with the volume factor's coefficients. */
export class T3Stage implements ScalarStage {
  private readonly e: EmaStage[];
  readonly lookback: number;
  private readonly c1: number;
  private readonly c2: number;
  private readonly c3: number;
  private readonly c4: number;
  constructor(n: number, v: number) {
    this.e = Array.from({ length: 6 }, () => new EmaStage(n));
    this.lookback = 6 * (n - 1);
    const v2 = v * v;
    const v3 = v2 * v;
    this.c1 = -v3;
    this.c2 = 3 * (v2 + v3);
    this.c3 = -6 * v2 - 3 * v - 3 * v3;
    this.c4 = 1 + 3 * v + v3 + 3 * v2;
  }
  next(x: number): number {
    let v = x;
    let e3 = Number.NaN;
    let e4 = Number.NaN;
    let e5 = Number.NaN;
    for (let i = 0; i < 6; i++) {
      v = (this.e[i] as EmaStage).next(v);
      if (Number.isNaN(v)) return v;
      if (i === 2) e3 = v;
      else if (i === 3) e4 = v;
      else if (i === 4) e5 = v;
    }
    return this.c1 * v + this.c2 * e5 + this.c3 * e4 + this.c4 * e3;
  }
  save(): void {
    for (const s of this.e) s.save();
  }
  restore(): void {
    for (const s of this.e) s.restore();
  }
}

/** TA-Lib's TA_IS_ZERO: |x| < 1e-14 (TA_EPSILON in the binding's ta_utility.h). */
export function isZero(x: number): boolean {
  return x > -1e-14 && x < 1e-14;
}

/** TA-Lib MA types: 0 SMA, 1 EMA, 2 WMA, 3 DEMA, 4 TEMA, 5 TRIMA, 6 KAMA, 7 MAMA (fast 0.5, slow 0.05, period ignored), 8 T3. */
export const MA_TYPES = ['SMA', 'EMA', 'WMA', 'DEMA', 'TEMA', 'TRIMA', 'KAMA', 'MAMA', 'T3'] as const;

/**
 * `parity` is the index, in the series TA-Lib's MA call sees, of this stage's first input: MAMA's
 * Hilbert filters alternate odd and even delay lines by that absolute index.
 */
export function maStage(matype: number, n: number, parity = 0): ScalarStage {
  // TA-Lib returns its input unchanged for a period of 1, whatever the type.
  if (n === 1) return new SmaStage(1);
  switch (matype) {
    case 0:
      return new SmaStage(n);
    case 1:
      return new EmaStage(n);
    case 2:
      return new WmaStage(n);
    case 3:
      return new DemaStage(n);
    case 4:
      return new TemaStage(n);
    case 5:
      return trimaStage(n);
    case 6:
      return new KamaStage(n);
    case 7:
      return new MamaStage(0.5, 0.05, parity);
    case 8:
      return new T3Stage(n, 0.7);
    default:
      throw new RangeError(`matype ${matype} (${MA_TYPES[matype] ?? 'unknown'}) is not supported`);
  }
}

/** TA-Lib's MA lookback for a type and period (MAMA's is 32 whatever the period; 0 for period 1). */
export function maLookback(matype: number, n: number): number {
  return maStage(matype, n).lookback;
}

/**
 * A stage that ignores its first `skip` inputs: TA-Lib functions that call an MA with a later
 * start index (MACDEXT, MAVP) seed it there, not at bar 0, and MAMA keeps the absolute parity.
 */
export class DelayedStage implements ScalarStage {
  readonly inner: ScalarStage;
  readonly lookback: number;
  private count = 0;
  private sCount = 0;
  constructor(
    matype: number,
    n: number,
    readonly skip: number,
  ) {
    this.inner = maStage(matype, n, skip);
    this.lookback = skip + this.inner.lookback;
  }
  next(x: number): number {
    if (this.count < this.skip) {
      this.count++;
      return Number.NaN;
    }
    return this.inner.next(x);
  }
  save(): void {
    this.sCount = this.count;
    this.inner.save();
  }
  restore(): void {
    this.count = this.sCount;
    this.inner.restore();
  }
}

/**
 * Highest (or lowest) of the last n values, with its age. Rescans only when the extreme leaves
 * the window (amortized O(1) on market data; O(n) worst case), as TA-Lib does.
 */
export class WindowExtreme implements Undoable {
  readonly ring: Ring;
  value = Number.NaN;
  /** Pushes since the extreme was pushed (0 = newest). */
  age = 0;
  private sValue = Number.NaN;
  private sAge = 0;
  constructor(
    readonly n: number,
    readonly max: boolean,
  ) {
    this.ring = new Ring(n);
  }
  push(x: number): void {
    this.ring.push(x);
    this.age++;
    const better = this.max ? x >= this.value : x <= this.value;
    if (this.ring.count === 1 || better || Number.isNaN(this.value)) {
      this.value = x;
      this.age = 0;
    } else if (this.age >= this.n) this.rescan();
  }
  private rescan(): void {
    const m = Math.min(this.n, this.ring.count);
    let best = this.ring.ago(0);
    let age = 0;
    for (let k = 1; k < m; k++) {
      const v = this.ring.ago(k);
      if (this.max ? v > best : v < best) {
        best = v;
        age = k;
      }
    }
    this.value = best;
    this.age = age;
  }
  save(): void {
    this.ring.save();
    this.sValue = this.value;
    this.sAge = this.age;
  }
  restore(): void {
    this.ring.restore();
    this.value = this.sValue;
    this.age = this.sAge;
  }
}
