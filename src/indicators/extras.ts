/**
 * Indicators beyond TA-Lib that traders ask for. Where one is built from TA-Lib pieces (EMA, ATR,
 * WMA, SMA) it uses TA-Lib's seeding, so e.g. Keltner's middle band is exactly our EMA; the tests
 * compare with trading-signals (whose EMA and ATR seed differently: equal once the seed has decayed)
 * and with hand-computed cases. Every update is O(1) except ALMA (a Gaussian-weighted window has no
 * recurrence: O(n)).
 */
import type { Ohlcv } from '../core/market.ts';
import { Indicator, type IndicatorBar } from './indicator.ts';
import { WindowSum } from './math.ts';
import { EmaStage, Ring, type ScalarStage, SmaStage, type Undoable, WindowExtreme, WmaStage } from './primitives.ts';

/** Snapshot of a Float64Array of scalar state, for indicators that keep theirs in one. */
abstract class ScalarStateIndicator extends Indicator {
  protected readonly st: Float64Array;
  private readonly sv: Float64Array;
  constructor(outputs: readonly string[], lookback: number, slots: number) {
    super(outputs, lookback);
    this.st = new Float64Array(slots);
    this.sv = new Float64Array(slots);
  }
  protected override saveOwn(): void {
    this.sv.set(this.st);
  }
  protected override restoreOwn(): void {
    this.st.set(this.sv);
  }
}

/** TA-Lib's ATR as a stage: NaN until bar n (the first true range needs a previous close). */
class AtrStage implements Undoable {
  private readonly s = new Float64Array(3); // prevClose, atr, bars
  private readonly sv = new Float64Array(3);
  value = Number.NaN;
  private sValue = Number.NaN;
  constructor(readonly n: number) {}
  push(b: Ohlcv): number {
    const s = this.s;
    const pc = s[0] as number;
    s[0] = b.close;
    const c = s[2] as number;
    s[2] = c + 1;
    if (c === 0) return Number.NaN;
    let tr = b.high - b.low;
    const a = Math.abs(b.high - pc);
    if (a > tr) tr = a;
    const d = Math.abs(b.low - pc);
    if (d > tr) tr = d;
    const n = this.n;
    if (c < n) {
      s[1] = (s[1] as number) + tr;
      return Number.NaN;
    }
    s[1] = c === n ? ((s[1] as number) + tr) / n : ((s[1] as number) * (n - 1) + tr) / n;
    this.value = s[1] as number;
    return this.value;
  }
  save(): void {
    this.sv.set(this.s);
    this.sValue = this.value;
  }
  restore(): void {
    this.s.set(this.sv);
    this.value = this.sValue;
  }
}

/**
 * VWAP: Σ typical price · volume / Σ volume, cumulative from `anchor` (epoch ms; bars before it are
 * NaN) and reset at every session boundary: `session` hours of UTC time (24: each UTC day; 0: never,
 * an anchored VWAP). Needs bar times (`IndicatorBar.time` or `.ts`); without them no reset happens. NaN
 * while the volume so far is 0.
 */
export class Vwap extends ScalarStateIndicator {
  constructor(
    readonly session = 24,
    readonly anchor = 0,
  ) {
    // st: Σ tp·v, Σ v, current session number
    super(['real'], 0, 3);
    this.st[2] = Number.NaN;
  }
  protected step(b: Ohlcv): void {
    const st = this.st;
    const t = (b as IndicatorBar).time ?? (b as IndicatorBar).ts ?? Number.NaN;
    if (t < this.anchor) {
      this.out[0] = Number.NaN;
      return;
    }
    const ms = this.session * 3_600_000;
    const sessionNo = ms > 0 && Number.isFinite(t) ? Math.floor(t / ms) : 0;
    if (sessionNo !== st[2]) {
      st[0] = 0;
      st[1] = 0;
      st[2] = sessionNo;
    }
    st[0] = (st[0] as number) + ((b.high + b.low + b.close) / 3) * b.volume;
    st[1] = (st[1] as number) + b.volume;
    this.out[0] = st[1] === 0 ? Number.NaN : (st[0] as number) / (st[1] as number);
  }
}

/**
 * SuperTrend: bands hl2 ± multiplier·ATR that only tighten while price stays inside; the line is
 * the lower band in an up trend and the upper band in a down trend. direction is +1 or −1.
 * The first value starts down unless the close is above the upper band (trading-signals' rule).
 */
export class SuperTrend extends ScalarStateIndicator {
  private readonly atr: AtrStage;
  constructor(
    readonly timeperiod = 10,
    readonly multiplier = 3,
  ) {
    // st: has previous, previous close, final upper, final lower, up (1/0)
    super(['supertrend', 'direction'], timeperiod, 5);
    this.atr = new AtrStage(timeperiod);
    this.parts = [this.atr];
  }
  protected step(b: Ohlcv): void {
    const atr = this.atr.push(b);
    if (Number.isNaN(atr)) return;
    const st = this.st;
    const hl2 = (b.high + b.low) / 2;
    const upper = hl2 + this.multiplier * atr;
    const lower = hl2 - this.multiplier * atr;
    let fu = upper;
    let fl = lower;
    let up: boolean;
    if (st[0] === 0) up = b.close > fu;
    else {
      const pc = st[1] as number;
      const pu = st[2] as number;
      const pl = st[3] as number;
      // A band moves away from price only after price crossed it.
      fu = upper < pu || pc > pu ? upper : pu;
      fl = lower > pl || pc < pl ? lower : pl;
      up = st[4] === 1 ? b.close >= fl : b.close > fu;
    }
    st[0] = 1;
    st[1] = b.close;
    st[2] = fu;
    st[3] = fl;
    st[4] = up ? 1 : 0;
    this.out[0] = up ? fl : fu;
    this.out[1] = up ? 1 : -1;
  }
}

/** Midpoint of the highest high and lowest low over a window. */
class Midrange implements Undoable {
  readonly hi: WindowExtreme;
  readonly lo: WindowExtreme;
  constructor(n: number) {
    this.hi = new WindowExtreme(n, true);
    this.lo = new WindowExtreme(n, false);
  }
  push(b: Ohlcv): number {
    this.hi.push(b.high);
    this.lo.push(b.low);
    return (this.hi.value + this.lo.value) / 2;
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

/**
 * Ichimoku: tenkan (conversion), kijun (base), senkou A = (tenkan + kijun) / 2 and senkou B (the
 * midrange over the long window), as computed at this bar: the chart plots the spans kijun-period
 * bars ahead. Values once the longest window is full.
 */
export class Ichimoku extends Indicator {
  private readonly t: Midrange;
  private readonly k: Midrange;
  private readonly s: Midrange;
  constructor(tenkan = 9, kijun = 26, senkou = 52) {
    super(['tenkan', 'kijun', 'senkou_a', 'senkou_b'], Math.max(tenkan, kijun, senkou) - 1);
    this.t = new Midrange(tenkan);
    this.k = new Midrange(kijun);
    this.s = new Midrange(senkou);
    this.parts = [this.t, this.k, this.s];
  }
  protected step(b: Ohlcv): void {
    const t = this.t.push(b);
    const k = this.k.push(b);
    this.out[0] = t;
    this.out[1] = k;
    this.out[2] = (t + k) / 2;
    this.out[3] = this.s.push(b);
  }
}

/** Keltner channels: EMA of the close ± multiplier · ATR (both TA-Lib's). */
export class Keltner extends Indicator {
  private readonly ema: EmaStage;
  private readonly atr: AtrStage;
  constructor(
    readonly timeperiod = 20,
    atrperiod = 10,
    readonly multiplier = 2,
  ) {
    super(['upperband', 'middleband', 'lowerband'], Math.max(timeperiod - 1, atrperiod));
    this.ema = new EmaStage(timeperiod);
    this.atr = new AtrStage(atrperiod);
    this.parts = [this.ema, this.atr];
  }
  protected step(b: Ohlcv): void {
    const m = this.ema.next(b.close);
    const a = this.atr.push(b);
    this.out[0] = m + this.multiplier * a;
    this.out[1] = m;
    this.out[2] = m - this.multiplier * a;
  }
}

/** Donchian channels: highest high, midpoint, lowest low over the window. */
export class Donchian extends Indicator {
  private readonly m: Midrange;
  constructor(timeperiod = 20) {
    super(['upperband', 'middleband', 'lowerband'], timeperiod - 1);
    this.m = new Midrange(timeperiod);
    this.parts = [this.m];
  }
  protected step(b: Ohlcv): void {
    this.out[1] = this.m.push(b);
    this.out[0] = this.m.hi.value;
    this.out[2] = this.m.lo.value;
  }
}

/** Hull MA: WMA over ⌊√n⌋ of 2·WMA(⌊n/2⌋) − WMA(n). */
export class Hma extends Indicator {
  private readonly half: WmaStage;
  private readonly full: WmaStage;
  private readonly out2: ScalarStage;
  constructor(timeperiod = 9) {
    const h = Math.max(1, Math.floor(timeperiod / 2));
    const q = Math.max(1, Math.floor(Math.sqrt(timeperiod)));
    super(['real'], timeperiod - 1 + q - 1);
    this.half = new WmaStage(h);
    this.full = new WmaStage(timeperiod);
    this.out2 = new WmaStage(q);
    this.parts = [this.half, this.full, this.out2];
  }
  protected step(b: Ohlcv): void {
    const h = this.half.next(b.close);
    const f = this.full.next(b.close);
    if (Number.isNaN(f)) return;
    this.out[0] = this.out2.next(2 * h - f);
  }
}

/** Zero-lag EMA: EMA (SMA-seeded, as TA-Lib's) of 2·x − x[lag], lag = ⌊(n − 1) / 2⌋. */
export class Zlema extends Indicator {
  private readonly ring: Ring;
  private readonly ema: EmaStage;
  private readonly lag: number;
  constructor(timeperiod = 20) {
    const lag = Math.floor((timeperiod - 1) / 2);
    super(['real'], lag + timeperiod - 1);
    this.lag = lag;
    this.ring = new Ring(lag + 1);
    this.ema = new EmaStage(timeperiod);
    this.parts = [this.ring, this.ema];
  }
  protected step(b: Ohlcv): void {
    this.ring.push(b.close);
    if (!this.ring.full) return;
    this.out[0] = this.ema.next(2 * b.close - this.ring.ago(this.lag));
  }
}

/** Arnaud Legoux MA: Gaussian weights centred at offset·(n − 1), width n / sigma. O(n) per bar. */
export class Alma extends Indicator {
  private readonly ring: Ring;
  private readonly w: Float64Array;
  private readonly total: number;
  constructor(
    readonly timeperiod = 9,
    offset = 0.85,
    sigma = 6,
  ) {
    super(['real'], timeperiod - 1);
    this.ring = new Ring(timeperiod);
    this.parts = [this.ring];
    const m = offset * (timeperiod - 1);
    const s = timeperiod / sigma;
    this.w = new Float64Array(timeperiod);
    let total = 0;
    for (let i = 0; i < timeperiod; i++) {
      // Weight i applies to the i-th oldest value of the window.
      const v = Math.exp(-((i - m) ** 2) / (2 * s * s));
      this.w[i] = v;
      total += v;
    }
    this.total = total;
  }
  protected step(b: Ohlcv): void {
    this.ring.push(b.close);
    if (!this.ring.full) return;
    const n = this.timeperiod;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.ring.ago(n - 1 - i) * (this.w[i] as number);
    this.out[0] = sum / this.total;
  }
}

/**
 * Heikin-Ashi candles: close = (o + h + l + c) / 4, open = mean of the previous HA open and close
 * (the first: (o + c) / 2), high and low stretched to include them.
 */
export class HeikinAshi extends ScalarStateIndicator {
  constructor() {
    // st: previous HA open, previous HA close, bars
    super(['open', 'high', 'low', 'close'], 0, 3);
  }
  protected step(b: Ohlcv): void {
    const st = this.st;
    const close = (b.open + b.high + b.low + b.close) / 4;
    const open = st[2] === 0 ? (b.open + b.close) / 2 : ((st[0] as number) + (st[1] as number)) / 2;
    st[0] = open;
    st[1] = close;
    st[2] = 1;
    this.out[0] = open;
    this.out[1] = Math.max(b.high, open, close);
    this.out[2] = Math.min(b.low, open, close);
    this.out[3] = close;
  }
}

/**
 * Chaikin money flow: Σ money-flow volume / Σ volume over the window, the multiplier
 * ((c − l) − (h − c)) / (h − l) being 0 on a bar with no range; 0 when the window has no volume.
 */
export class Cmf extends Indicator {
  private readonly mfv: WindowSum;
  private readonly vol: WindowSum;
  constructor(readonly timeperiod = 20) {
    super(['real'], timeperiod - 1);
    this.mfv = new WindowSum(timeperiod);
    this.vol = new WindowSum(timeperiod);
    this.parts = [this.mfv, this.vol];
  }
  protected step(b: Ohlcv): void {
    const range = b.high - b.low;
    const mult = range !== 0 ? (b.close - b.low - (b.high - b.close)) / range : 0;
    const m = this.mfv.push(mult * b.volume);
    const v = this.vol.push(b.volume);
    this.out[0] = v === 0 ? 0 : m / v;
  }
}

/** Awesome oscillator: SMA(5) − SMA(34) of the median price (h + l) / 2. */
export class Awesome extends Indicator {
  private readonly fast: SmaStage;
  private readonly slow: SmaStage;
  constructor(fastperiod = 5, slowperiod = 34) {
    super(['real'], Math.max(fastperiod, slowperiod) - 1);
    this.fast = new SmaStage(fastperiod);
    this.slow = new SmaStage(slowperiod);
    this.parts = [this.fast, this.slow];
  }
  protected step(b: Ohlcv): void {
    const m = (b.high + b.low) / 2;
    this.out[0] = this.fast.next(m) - this.slow.next(m);
  }
}

/**
 * Choppiness index: 100 · log10(Σ TR / (max true high − min true low)) / log10(n) over n bars,
 * true high/low including the previous close (so n + 1 bars); 100 when the range is 0.
 */
export class Chop extends ScalarStateIndicator {
  private readonly tr: WindowSum;
  private readonly hi: WindowExtreme;
  private readonly lo: WindowExtreme;
  constructor(readonly timeperiod = 14) {
    // st: previous close, bars
    super(['real'], timeperiod, 2);
    this.tr = new WindowSum(timeperiod);
    this.hi = new WindowExtreme(timeperiod, true);
    this.lo = new WindowExtreme(timeperiod, false);
    this.parts = [this.tr, this.hi, this.lo];
  }
  protected step(b: Ohlcv): void {
    const st = this.st;
    const pc = st[0] as number;
    st[0] = b.close;
    st[1] = (st[1] as number) + 1;
    if (st[1] === 1) return;
    const th = Math.max(b.high, pc);
    const tl = Math.min(b.low, pc);
    const sum = this.tr.push(th - tl);
    this.hi.push(th);
    this.lo.push(tl);
    if (Number.isNaN(sum)) return;
    const range = this.hi.value - this.lo.value;
    this.out[0] = range === 0 ? 100 : (100 * Math.log10(sum / range)) / Math.log10(this.timeperiod);
  }
}

/** Vortex: Σ|H − L₋₁| / Σ TR (plus) and Σ|L − H₋₁| / Σ TR (minus) over n bars; 0 and 0 without range. */
export class Vortex extends ScalarStateIndicator {
  private readonly up: WindowSum;
  private readonly down: WindowSum;
  private readonly tr: WindowSum;
  constructor(readonly timeperiod = 14) {
    // st: previous high, low, close, bars
    super(['plus', 'minus'], timeperiod, 4);
    this.up = new WindowSum(timeperiod);
    this.down = new WindowSum(timeperiod);
    this.tr = new WindowSum(timeperiod);
    this.parts = [this.up, this.down, this.tr];
  }
  protected step(b: Ohlcv): void {
    const st = this.st;
    const [ph, pl, pc] = [st[0] as number, st[1] as number, st[2] as number];
    st[0] = b.high;
    st[1] = b.low;
    st[2] = b.close;
    st[3] = (st[3] as number) + 1;
    if (st[3] === 1) return;
    const u = this.up.push(Math.abs(b.high - pl));
    const d = this.down.push(Math.abs(b.low - ph));
    const tr = this.tr.push(Math.max(b.high - b.low, Math.abs(b.high - pc), Math.abs(b.low - pc)));
    if (Number.isNaN(tr)) return;
    this.out[0] = tr === 0 ? 0 : u / tr;
    this.out[1] = tr === 0 ? 0 : d / tr;
  }
}

/** Elder ray: bull power = high − EMA(close), bear power = low − EMA(close). */
export class ElderRay extends Indicator {
  private readonly ema: EmaStage;
  constructor(timeperiod = 13) {
    super(['bullpower', 'bearpower'], timeperiod - 1);
    this.ema = new EmaStage(timeperiod);
    this.parts = [this.ema];
  }
  protected step(b: Ohlcv): void {
    const e = this.ema.next(b.close);
    this.out[0] = b.high - e;
    this.out[1] = b.low - e;
  }
}

/**
 * Know Sure Thing (Pring): Σ weight k · SMA(ROC%) for four ROC/SMA pairs (weights 1..4), and its
 * SMA signal line. Rates of change in percent, so values match the usual charts.
 */
export class Kst extends Indicator {
  private readonly ring: Ring;
  private readonly rocs: number[];
  private readonly smas: SmaStage[];
  private readonly signal: SmaStage;
  /** Bars before the KST line exists (the signal needs signalperiod − 1 more; both show from then). */
  private readonly kstLookback: number;
  constructor(
    roc: [number, number, number, number] = [10, 15, 20, 30],
    sma: [number, number, number, number] = [10, 10, 10, 15],
    signal = 9,
  ) {
    const lb = Math.max(...roc.map((r, i) => r + (sma[i] as number) - 1));
    super(['kst', 'signal'], lb + signal - 1);
    this.rocs = roc;
    this.ring = new Ring(Math.max(...roc) + 1);
    this.smas = sma.map((n) => new SmaStage(n));
    this.signal = new SmaStage(signal);
    this.parts = [this.ring, ...this.smas, this.signal];
    this.kstLookback = lb;
  }
  protected step(b: Ohlcv): void {
    this.ring.push(b.close);
    let kst = 0;
    let ready = true;
    for (let k = 0; k < 4; k++) {
      const r = this.rocs[k] as number;
      if (this.ring.count <= r) {
        ready = false;
        continue;
      }
      const prev = this.ring.ago(r);
      const s = (this.smas[k] as SmaStage).next(prev !== 0 ? ((b.close - prev) / prev) * 100 : 0);
      if (Number.isNaN(s)) ready = false;
      else kst += (k + 1) * s;
    }
    if (!ready || this.ring.count <= this.kstLookback) return;
    this.out[0] = kst;
    this.out[1] = this.signal.next(kst);
  }
}
