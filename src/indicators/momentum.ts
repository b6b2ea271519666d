/** Momentum indicators, with TA-Lib's seeding and smoothing. */
import type { Ohlcv } from '../core/market.ts';
import { Indicator } from './indicator.ts';
import { DelayedStage, EmaStage, isZero, maLookback, maStage, Ring, type ScalarStage, type Undoable, WindowExtreme } from './primitives.ts';

/** Wilder-smoothed average gain and loss of one-bar changes (RSI, CMO). */
class GainLoss implements Undoable {
  gain = 0;
  loss = 0;
  count = 0;
  private prev = Number.NaN;
  private readonly s = new Float64Array(4);
  constructor(readonly n: number) {}
  /** Returns true once the averages exist (after n changes). */
  push(x: number): boolean {
    const c = this.count++;
    const prev = this.prev;
    this.prev = x;
    if (c === 0) return false;
    const d = x - prev;
    const n = this.n;
    if (c <= n) {
      if (d < 0) this.loss -= d;
      else this.gain += d;
      if (c < n) return false;
      this.loss /= n;
      this.gain /= n;
      return true;
    }
    this.loss *= n - 1;
    this.gain *= n - 1;
    if (d < 0) this.loss -= d;
    else this.gain += d;
    this.loss /= n;
    this.gain /= n;
    return true;
  }
  save(): void {
    const s = this.s;
    s[0] = this.gain;
    s[1] = this.loss;
    s[2] = this.count;
    s[3] = this.prev;
  }
  restore(): void {
    const s = this.s;
    this.gain = s[0] as number;
    this.loss = s[1] as number;
    this.count = s[2] as number;
    this.prev = s[3] as number;
  }
}

export class Rsi extends Indicator {
  private readonly gl: GainLoss;
  constructor(timeperiod = 14) {
    super(['real'], timeperiod);
    this.gl = new GainLoss(timeperiod);
    this.parts = [this.gl];
  }
  protected step(b: Ohlcv): void {
    if (!this.gl.push(b.close)) return;
    const t = this.gl.gain + this.gl.loss;
    this.out[0] = isZero(t) ? 0 : 100 * (this.gl.gain / t);
  }
}

/** Chande momentum oscillator, smoothed as TA-Lib smooths it (Wilder, like RSI). */
export class Cmo extends Indicator {
  private readonly gl: GainLoss;
  constructor(timeperiod = 14) {
    super(['real'], timeperiod);
    this.gl = new GainLoss(timeperiod);
    this.parts = [this.gl];
  }
  protected step(b: Ohlcv): void {
    if (!this.gl.push(b.close)) return;
    const t = this.gl.gain + this.gl.loss;
    this.out[0] = isZero(t) ? 0 : 100 * ((this.gl.gain - this.gl.loss) / t);
  }
}

export type RocKind = 'MOM' | 'ROC' | 'ROCP' | 'ROCR' | 'ROCR100';

/** Change over `timeperiod` bars: difference, percent, fraction or ratio. */
export class RateOfChange extends Indicator {
  private readonly ring: Ring;
  constructor(
    readonly kind: RocKind,
    readonly timeperiod = 10,
  ) {
    super(['real'], timeperiod);
    this.ring = new Ring(timeperiod + 1);
    this.parts = [this.ring];
  }
  protected step(b: Ohlcv): void {
    const x = b.close;
    this.ring.push(x);
    if (!this.ring.full) return;
    const prev = this.ring.ago(this.timeperiod);
    switch (this.kind) {
      case 'MOM':
        this.out[0] = x - prev;
        break;
      case 'ROC':
        this.out[0] = prev !== 0 ? (x / prev - 1) * 100 : 0;
        break;
      case 'ROCP':
        this.out[0] = prev !== 0 ? (x - prev) / prev : 0;
        break;
      case 'ROCR':
        this.out[0] = prev !== 0 ? x / prev : 0;
        break;
      case 'ROCR100':
        this.out[0] = prev !== 0 ? (x / prev) * 100 : 0;
        break;
    }
  }
}

/**
 * A fast and a slow MA of the close. `aligned` (TA-Lib's MACD): both begin where the slow one
 * needs to, so the fast one skips the first (slow − fast) inputs — why TA-Lib's MACD differs
 * from textbook EMAs seeded at bar 0. APO and PPO start both at bar 0.
 */
class FastSlow implements Undoable {
  readonly fast: ScalarStage;
  readonly slow: ScalarStage;
  private readonly skip: number;
  private count = 0;
  private sCount = 0;
  f = Number.NaN;
  s = Number.NaN;
  constructor(
    fastN: number,
    slowN: number,
    fastStage: (n: number) => ScalarStage,
    slowStage: (n: number) => ScalarStage,
    aligned: boolean,
  ) {
    this.fast = fastStage(fastN);
    this.slow = slowStage(slowN);
    this.skip = aligned ? this.slow.lookback - this.fast.lookback : 0;
  }
  push(x: number): void {
    this.s = this.slow.next(x);
    if (this.count++ >= this.skip) this.f = this.fast.next(x);
  }
  save(): void {
    this.fast.save();
    this.slow.save();
    this.sCount = this.count;
  }
  restore(): void {
    this.fast.restore();
    this.slow.restore();
    this.count = this.sCount;
  }
}

export class Macd extends Indicator {
  private readonly fs: FastSlow;
  private readonly signal: EmaStage;
  /** `fixed` (MACDFIX): 12/26 with TA-Lib's fixed factors 0.15 and 0.075, not 2/13 and 2/27. */
  constructor(fastperiod = 12, slowperiod = 26, signalperiod = 9, fixed = false) {
    const [fast, slow] = slowperiod < fastperiod ? [slowperiod, fastperiod] : [fastperiod, slowperiod];
    super(['macd', 'macdsignal', 'macdhist'], slow - 1 + signalperiod - 1);
    this.fs = new FastSlow(
      fast,
      slow,
      (n) => (fixed ? new EmaStage(n, 0.15) : new EmaStage(n)),
      (n) => (fixed ? new EmaStage(n, 0.075) : new EmaStage(n)),
      true,
    );
    this.signal = new EmaStage(signalperiod);
    this.parts = [this.fs, this.signal];
  }
  protected step(b: Ohlcv): void {
    this.fs.push(b.close);
    if (Number.isNaN(this.fs.s) || Number.isNaN(this.fs.f)) return;
    const macd = this.fs.f - this.fs.s;
    const sig = this.signal.next(macd);
    this.out[0] = macd;
    this.out[1] = sig;
    this.out[2] = macd - sig;
  }
}

/**
 * MACDEXT: MACD with an MA type for each line. TA-Lib computes both MAs from the start index of
 * the longer lookback (each seeded there, not at bar 0) and smooths the difference with the
 * signal MA; values appear after both lookbacks.
 */
export class MacdExt extends Indicator {
  private readonly fast: ScalarStage;
  private readonly slow: ScalarStage;
  private readonly signal: ScalarStage;
  constructor(fastperiod = 12, fastmatype = 0, slowperiod = 26, slowmatype = 0, signalperiod = 9, signalmatype = 0) {
    let [fp, ft, sp, stype] = [fastperiod, fastmatype, slowperiod, slowmatype];
    if (sp < fp) [fp, ft, sp, stype] = [sp, stype, fp, ft];
    const largest = Math.max(maLookback(ft, fp), maLookback(stype, sp));
    const signal = maStage(signalmatype, signalperiod);
    super(['macd', 'macdsignal', 'macdhist'], largest + signal.lookback);
    this.fast = new DelayedStage(ft, fp, largest - maLookback(ft, fp));
    this.slow = new DelayedStage(stype, sp, largest - maLookback(stype, sp));
    this.signal = signal;
    this.parts = [this.fast, this.slow, signal];
  }
  protected step(b: Ohlcv): void {
    const f = this.fast.next(b.close);
    const s = this.slow.next(b.close);
    if (Number.isNaN(f) || Number.isNaN(s)) return;
    const macd = f - s;
    const sig = this.signal.next(macd);
    this.out[0] = macd;
    this.out[1] = sig;
    this.out[2] = macd - sig;
  }
}

/**
 * IMI, the intraday momentum index: 100 · Σup / (Σup + Σdown) of close − open over the window.
 * TA-Lib re-adds each window; running sums here, resynchronized from the window every n bars, and
 * exactly 0 while no bar of the window went that way (so flat windows give TA-Lib's 0/0 = NaN).
 */
export class Imi extends Indicator {
  private readonly up: Ring;
  private readonly down: Ring;
  private readonly st = new Float64Array(5);
  private readonly sv = new Float64Array(5);
  constructor(readonly timeperiod = 14) {
    super(['real'], timeperiod - 1);
    this.up = new Ring(timeperiod);
    this.down = new Ring(timeperiod);
    this.parts = [this.up, this.down];
  }
  protected override saveOwn(): void {
    this.sv.set(this.st);
  }
  protected override restoreOwn(): void {
    this.st.set(this.sv);
  }
  protected step(b: Ohlcv): void {
    // st: Σup, Σdown, bars with an up move, bars with a down move (in the window), bars seen
    const st = this.st;
    const u = b.close > b.open ? b.close - b.open : 0;
    const d = b.close > b.open ? 0 : b.open - b.close;
    const ou = this.up.push(u);
    const od = this.down.push(d);
    st[0] = (st[0] as number) + u;
    st[1] = (st[1] as number) + d;
    st[2] = (st[2] as number) + (u !== 0 ? 1 : 0);
    st[3] = (st[3] as number) + (d !== 0 ? 1 : 0);
    if (!Number.isNaN(ou)) {
      st[0] = (st[0] as number) - ou;
      st[1] = (st[1] as number) - od;
      st[2] = (st[2] as number) - (ou !== 0 ? 1 : 0);
      st[3] = (st[3] as number) - (od !== 0 ? 1 : 0);
    }
    const n = this.timeperiod;
    st[4] = (st[4] as number) + 1;
    if (!this.up.full) return;
    if ((st[4] as number) % n === 0) {
      // Re-add the window oldest first, as TA-Lib does, so rounding cannot drift.
      let su = 0;
      let sd = 0;
      for (let k = n - 1; k >= 0; k--) {
        su += this.up.ago(k);
        sd += this.down.ago(k);
      }
      st[0] = su;
      st[1] = sd;
    }
    if (st[2] === 0) st[0] = 0;
    if (st[3] === 0) st[1] = 0;
    const su = st[0] as number;
    this.out[0] = 100 * (su / (su + (st[1] as number)));
  }
}

/** APO (difference) and PPO (percent) of a fast and a slow MA of the given type. */
export class PriceOscillator extends Indicator {
  private readonly fs: FastSlow;
  constructor(
    readonly percent: boolean,
    fastperiod = 12,
    slowperiod = 26,
    matype = 0,
  ) {
    const [fast, slow] = slowperiod < fastperiod ? [slowperiod, fastperiod] : [fastperiod, slowperiod];
    const fs = new FastSlow(
      fast,
      slow,
      (n) => maStage(matype, n),
      (n) => maStage(matype, n),
      false,
    );
    super(['real'], fs.slow.lookback);
    this.fs = fs;
    this.parts = [fs];
  }
  protected step(b: Ohlcv): void {
    this.fs.push(b.close);
    const { f, s } = this.fs;
    if (Number.isNaN(s) || Number.isNaN(f)) return;
    this.out[0] = this.percent ? (isZero(s) ? 0 : ((f - s) / s) * 100) : f - s;
  }
}

/** Raw %K: where the close sits in the high-low range of the window, 0..100. */
class StochK implements Undoable {
  readonly hi: WindowExtreme;
  readonly lo: WindowExtreme;
  constructor(n: number) {
    this.hi = new WindowExtreme(n, true);
    this.lo = new WindowExtreme(n, false);
  }
  push(high: number, low: number, close: number): number {
    this.hi.push(high);
    this.lo.push(low);
    if (!this.hi.ring.full) return Number.NaN;
    // TA-Lib's operation order, to the bit: (c − LL) / ((HH − LL) / 100).
    const d = (this.hi.value - this.lo.value) / 100;
    return d !== 0 ? (close - this.lo.value) / d : 0;
  }
  save(): void {
    this.hi.save();
    this.lo.save();
  }
  restore(): void {
    this.hi.restore();
    this.lo.restore();
  }
}

export class Stoch extends Indicator {
  private readonly k: StochK;
  private readonly slowK: ScalarStage;
  private readonly slowD: ScalarStage;
  constructor(fastk_period = 5, slowk_period = 3, slowk_matype = 0, slowd_period = 3, slowd_matype = 0) {
    const slowK = maStage(slowk_matype, slowk_period);
    const slowD = maStage(slowd_matype, slowd_period);
    super(['slowk', 'slowd'], fastk_period - 1 + slowK.lookback + slowD.lookback);
    this.k = new StochK(fastk_period);
    this.slowK = slowK;
    this.slowD = slowD;
    this.parts = [this.k, slowK, slowD];
  }
  protected step(b: Ohlcv): void {
    const k = this.k.push(b.high, b.low, b.close);
    if (Number.isNaN(k)) return;
    const sk = this.slowK.next(k);
    if (Number.isNaN(sk)) return;
    this.out[0] = sk;
    this.out[1] = this.slowD.next(sk);
  }
}

export class Stochf extends Indicator {
  private readonly k: StochK;
  private readonly d: ScalarStage;
  constructor(fastk_period = 5, fastd_period = 3, fastd_matype = 0) {
    const d = maStage(fastd_matype, fastd_period);
    super(['fastk', 'fastd'], fastk_period - 1 + d.lookback);
    this.k = new StochK(fastk_period);
    this.d = d;
    this.parts = [this.k, d];
  }
  protected step(b: Ohlcv): void {
    const k = this.k.push(b.high, b.low, b.close);
    if (Number.isNaN(k)) return;
    this.out[0] = k;
    this.out[1] = this.d.next(k);
  }
}

/** Stochastic of the RSI. */
export class StochRsi extends Indicator {
  private readonly gl: GainLoss;
  private readonly k: StochK;
  private readonly d: ScalarStage;
  constructor(timeperiod = 14, fastk_period = 5, fastd_period = 3, fastd_matype = 0) {
    const d = maStage(fastd_matype, fastd_period);
    super(['fastk', 'fastd'], timeperiod + fastk_period - 1 + d.lookback);
    this.gl = new GainLoss(timeperiod);
    this.k = new StochK(fastk_period);
    this.d = d;
    this.parts = [this.gl, this.k, d];
  }
  protected step(b: Ohlcv): void {
    if (!this.gl.push(b.close)) return;
    const t = this.gl.gain + this.gl.loss;
    const rsi = isZero(t) ? 0 : 100 * (this.gl.gain / t);
    const k = this.k.push(rsi, rsi, rsi);
    if (Number.isNaN(k)) return;
    this.out[0] = k;
    this.out[1] = this.d.next(k);
  }
}

export class Willr extends Indicator {
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
    const d = (this.hi.value - this.lo.value) / -100;
    this.out[0] = d !== 0 ? (this.hi.value - b.close) / d : 0;
  }
}

/** Commodity channel index; the mean deviation needs the window (O(n) per bar, as in TA-Lib). */
/**
 * CCI. The mean deviation needs the whole window every bar (O(n)), so the mean is summed with it,
 * over the buffer in slot order as TA-Lib does: a running sum leaves rounding residues that the
 * deviation of a near-flat window magnifies (3e-8 relative before).
 */
export class Cci extends Indicator {
  private readonly ring: Ring;
  constructor(readonly timeperiod = 14) {
    super(['real'], timeperiod - 1);
    this.ring = new Ring(timeperiod);
    this.parts = [this.ring];
  }
  protected step(b: Ohlcv): void {
    const tp = (b.high + b.low + b.close) / 3;
    this.ring.push(tp);
    if (!this.ring.full) return;
    const n = this.timeperiod;
    const buf = this.ring.buf;
    let mean = 0;
    for (let k = 0; k < n; k++) mean += buf[k] as number;
    mean /= n;
    let dev = 0;
    for (let k = 0; k < n; k++) dev += Math.abs((buf[k] as number) - mean);
    const x = tp - mean;
    this.out[0] = x !== 0 && dev !== 0 ? x / (0.015 * (dev / n)) : 0;
  }
}

export class Bop extends Indicator {
  constructor() {
    super(['real'], 0);
  }
  protected step(b: Ohlcv): void {
    const r = b.high - b.low;
    // TA_IS_ZERO_OR_NEG: a range under 1e-14 gives 0.
    this.out[0] = r < 1e-14 ? 0 : (b.close - b.open) / r;
  }
}

/** Aroon up/down: how recently the window's high and low were made (window of n + 1 bars). */
export class Aroon extends Indicator {
  private readonly hi: WindowExtreme;
  private readonly lo: WindowExtreme;
  constructor(
    readonly timeperiod = 14,
    readonly oscillator = false,
  ) {
    super(oscillator ? ['real'] : ['aroondown', 'aroonup'], timeperiod);
    this.hi = new WindowExtreme(timeperiod + 1, true);
    this.lo = new WindowExtreme(timeperiod + 1, false);
    this.parts = [this.hi, this.lo];
  }
  protected step(b: Ohlcv): void {
    this.hi.push(b.high);
    this.lo.push(b.low);
    const n = this.timeperiod;
    const f = 100 / n;
    const up = f * (n - this.hi.age);
    const down = f * (n - this.lo.age);
    if (this.oscillator) this.out[0] = up - down;
    else {
      this.out[0] = down;
      this.out[1] = up;
    }
  }
}

/** Ultimate oscillator: buying pressure over true range on three windows, weighted 4:2:1. */
export class Ultosc extends Indicator {
  private readonly bp: Ring;
  private readonly tr: Ring;
  private readonly periods: [number, number, number];
  private readonly sums = new Float64Array(6);
  private readonly sSums = new Float64Array(6);
  private prevClose = Number.NaN;
  private sPrevClose = Number.NaN;
  private n = 0;
  private sN = 0;
  constructor(timeperiod1 = 7, timeperiod2 = 14, timeperiod3 = 28) {
    const sorted = [timeperiod1, timeperiod2, timeperiod3].sort((a, b) => a - b) as [number, number, number];
    super(['real'], sorted[2]);
    this.periods = sorted;
    this.bp = new Ring(sorted[2]);
    this.tr = new Ring(sorted[2]);
    this.parts = [this.bp, this.tr];
  }
  protected override saveOwn(): void {
    this.sSums.set(this.sums);
    this.sPrevClose = this.prevClose;
    this.sN = this.n;
  }
  protected override restoreOwn(): void {
    this.sums.set(this.sSums);
    this.prevClose = this.sPrevClose;
    this.n = this.sN;
  }
  protected step(b: Ohlcv): void {
    const pc = this.prevClose;
    this.prevClose = b.close;
    if (this.n++ === 0) return;
    const tl = b.low < pc ? b.low : pc;
    const th = b.high > pc ? b.high : pc;
    const bp = b.close - tl;
    const tr = th - tl;
    const s = this.sums;
    for (let i = 0; i < 3; i++) {
      const p = this.periods[i] as number;
      // Drop the value leaving this window before pushing (the ring holds the longest window).
      if (this.bp.count >= p) {
        s[2 * i] = (s[2 * i] as number) - this.bp.ago(p - 1);
        s[2 * i + 1] = (s[2 * i + 1] as number) - this.tr.ago(p - 1);
      }
      s[2 * i] = (s[2 * i] as number) + bp;
      s[2 * i + 1] = (s[2 * i + 1] as number) + tr;
    }
    this.bp.push(bp);
    this.tr.push(tr);
    if (this.bp.count < (this.periods[2] as number)) return;
    let v = 0;
    const w = [4, 2, 1];
    for (let i = 0; i < 3; i++) {
      const t = s[2 * i + 1] as number;
      if (!isZero(t)) v += (w[i] as number) * ((s[2 * i] as number) / t);
    }
    this.out[0] = 100 * (v / 7);
  }
}

/** 1-bar rate of change (percent) of a triple EMA. */
export class Trix extends Indicator {
  private readonly e: EmaStage[];
  private prev = Number.NaN;
  private sPrev = Number.NaN;
  constructor(timeperiod = 30) {
    super(['real'], 3 * (timeperiod - 1) + 1);
    this.e = [new EmaStage(timeperiod), new EmaStage(timeperiod), new EmaStage(timeperiod)];
    this.parts = this.e;
  }
  protected override saveOwn(): void {
    this.sPrev = this.prev;
  }
  protected override restoreOwn(): void {
    this.prev = this.sPrev;
  }
  protected step(b: Ohlcv): void {
    let v = b.close;
    for (const e of this.e) {
      v = e.next(v);
      if (Number.isNaN(v)) return;
    }
    const p = this.prev;
    this.prev = v;
    if (!Number.isNaN(p)) this.out[0] = p !== 0 ? (v / p - 1) * 100 : 0;
  }
}

/** Money flow index: RSI of typical price × volume. */
export class Mfi extends Indicator {
  private readonly pos: Ring;
  private readonly neg: Ring;
  private posSum = 0;
  private negSum = 0;
  private prevTp = Number.NaN;
  private readonly s = new Float64Array(3);
  constructor(readonly timeperiod = 14) {
    super(['real'], timeperiod);
    this.pos = new Ring(timeperiod);
    this.neg = new Ring(timeperiod);
    this.parts = [this.pos, this.neg];
  }
  protected override saveOwn(): void {
    this.s[0] = this.posSum;
    this.s[1] = this.negSum;
    this.s[2] = this.prevTp;
  }
  protected override restoreOwn(): void {
    this.posSum = this.s[0] as number;
    this.negSum = this.s[1] as number;
    this.prevTp = this.s[2] as number;
  }
  protected step(b: Ohlcv): void {
    const tp = (b.high + b.low + b.close) / 3;
    const prev = this.prevTp;
    this.prevTp = tp;
    if (Number.isNaN(prev)) return;
    const mf = tp * b.volume;
    const p = tp > prev ? mf : 0;
    const m = tp < prev ? mf : 0;
    const full = this.pos.full;
    const oldP = this.pos.push(p);
    const oldM = this.neg.push(m);
    if (full) {
      this.posSum -= oldP;
      this.negSum -= oldM;
    }
    this.posSum += p;
    this.negSum += m;
    if (!this.pos.full) return;
    const t = this.posSum + this.negSum;
    this.out[0] = t < 1 ? 0 : 100 * (this.posSum / t);
  }
}
