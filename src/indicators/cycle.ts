/**
 * Ehlers' Hilbert-transform family as TA-Lib computes it: HT_DCPERIOD, HT_DCPHASE, HT_PHASOR,
 * HT_SINE, HT_TRENDLINE, HT_TRENDMODE and MAMA (also `matype` 7 of every MA parameter).
 *
 * TA-Lib runs one engine for all of them: a 4-bar WMA price smoother, four Hilbert FIR filters
 * kept in separate odd-bar and even-bar delay lines (the bar index's parity picks the line, so
 * outputs depend on where the series starts — here, as with the binding called from index 0, on
 * the bar count), then a homodyne period estimate. The engine starts after 12 bars for
 * DCPERIOD/PHASOR/MAMA and after 37 for the phase-based four (their lookback is 63, not 32),
 * so the two groups see different histories; `start` selects it. Every update is O(1): the
 * phase and trendline sums read at most 50 remembered values.
 */
import type { Ohlcv } from '../core/market.ts';
import { Indicator } from './indicator.ts';
import type { ScalarStage, Undoable } from './primitives.ts';

const A = 0.0962;
const B = 0.5769;
const RAD2DEG = 180 / (4 * Math.atan(1));
const DEG2RAD = 1 / RAD2DEG;
const TWO_PI = Math.atan(1) * 8;
/** Remembered smoothed prices and raw prices for the phase and trendline sums. */
const SMOOTH_SIZE = 50;

/*
 * The DC phase is a DFT over one dominant cycle: Σ sin(2πi/n)·p and Σ cos(2πi/n)·p. On a flat
 * stretch the cosine sum is a pure rounding residue and the phase is the arctangent of noise, so
 * agreeing with TA-Lib there needs the very sin/cos values its C library returns. V8's Math.sin
 * and Math.cos differ from glibc's in the last bit for 68 of the 1 275 coefficients (n ≤ 50);
 * correctly rounded values (double-double Taylor series below) differ for 7, where glibc rounds a
 * near-halfway value the other way; those 7 are listed as glibc returns them.
 */
type DD = [number, number];
const SPLIT = 134217729; // 2^27 + 1, Dekker's split
function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}
function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}
function twoProd(a: number, b: number): DD {
  const p = a * b;
  let c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}
function ddAdd(x: DD, y: DD): DD {
  const [s, e] = twoSum(x[0], y[0]);
  return quickTwoSum(s, e + x[1] + y[1]);
}
function ddMul(x: DD, y: DD): DD {
  const [p, e] = twoProd(x[0], y[0]);
  return quickTwoSum(p, e + x[0] * y[1] + x[1] * y[0]);
}
function ddDiv(x: DD, d: number): DD {
  const q = x[0] / d;
  const [p, e] = twoProd(q, d);
  return quickTwoSum(q, (x[0] - p - e + x[1]) / d);
}
/** π/2 to ~160 bits, as three doubles. */
const PIO2 = [1.5707963267948966, 6.123233995736766e-17, -1.4973849048591698e-33] as const;

/** sin and cos of a double, correctly rounded (barring values within ~1e-30 ulp of a halfway point). */
function sinCos(a: number): [number, number] {
  const k = Math.round(a / PIO2[0]);
  const kp = ddMul([PIO2[0], PIO2[1]], [k, 0]);
  let r = ddAdd([a, 0], [-kp[0], -kp[1]]);
  r = ddAdd(r, [-k * PIO2[2], 0]);
  const r2 = ddMul(r, r);
  let term: DD = r;
  let s: DD = r;
  for (let j = 1; j < 20; j++) {
    term = ddDiv(ddMul(term, r2), -(2 * j) * (2 * j + 1));
    s = ddAdd(s, term);
  }
  term = [1, 0];
  let c: DD = [1, 0];
  for (let j = 1; j < 20; j++) {
    term = ddDiv(ddMul(term, r2), -(2 * j - 1) * (2 * j));
    c = ddAdd(c, term);
  }
  const sv = s[0] + s[1];
  const cv = c[0] + c[1];
  switch (((k % 4) + 4) % 4) {
    case 0:
      return [sv, cv];
    case 1:
      return [cv, -sv];
    case 2:
      return [-sv, -cv];
    default:
      return [-cv, sv];
  }
}

/** [n, i, sin(2πi/n)] where glibc's sin is not the correctly rounded value (its cos always is here). */
const GLIBC_SIN: readonly [number, number, number][] = [
  [19, 11, -0.4759473930370731],
  [27, 13, 0.11609291412522993],
  [38, 22, -0.4759473930370731],
  [39, 1, 0.16041128085776024],
  [40, 33, -0.891006524188368],
  [40, 39, -0.15643446504023112],
  [41, 22, -0.2278535089031371],
];

/** sin and cos of 2πi/n for i < n, interleaved, per n (computed once). */
const DFT_TABLES: Float64Array[] = [];
function dftTable(n: number): Float64Array {
  let t = DFT_TABLES[n];
  if (t) return t;
  t = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [sv, cv] = sinCos((i * TWO_PI) / n);
    t[2 * i] = sv;
    t[2 * i + 1] = cv;
  }
  for (const [m, i, v] of GLIBC_SIN) if (m === n) t[2 * i] = v;
  DFT_TABLES[n] = t;
  return t;
}

/** State slots of the engine (one Float64Array so a save is one copy). */
enum S {
  Count,
  WmaSub,
  WmaSum,
  Trailing,
  X1, // the last three raw inputs, newest first, for the WMA's trailing value
  X2,
  X3,
  HilbertIdx,
  Period,
  SmoothPeriod,
  PrevI2,
  PrevQ2,
  Re,
  Im,
  I1OddPrev2,
  I1OddPrev3,
  I1EvenPrev2,
  I1EvenPrev3,
  Smoothed,
  Q1,
  I1,
  // Four filters (detrender, Q1, jI, jQ), 11 slots each: odd[3], even[3], prevOdd, prevEven, prevInOdd, prevInEven, value.
  Filters,
  // Phase-group state after the filters.
  DcPhase = Filters + 44,
  PrevDcPhase,
  Sine,
  LeadSine,
  PrevSine,
  PrevLeadSine,
  ITrend1,
  ITrend2,
  ITrend3,
  Trendline,
  DaysInTrend,
  Trend,
  RingPos,
  Size,
}

const DETRENDER = S.Filters;
const FQ1 = S.Filters + 11;
const FJI = S.Filters + 22;
const FJQ = S.Filters + 33;

/** The shared engine. `start` is 12 (DCPERIOD, PHASOR, MAMA) or 37 (DCPHASE, SINE, TRENDLINE, TRENDMODE). */
export class HilbertEngine implements Undoable {
  readonly st = new Float64Array(S.Size);
  private readonly saved = new Float64Array(S.Size);
  /** Smoothed prices (phase) and raw prices (trendline), circular, written at RingPos. */
  private readonly smooth = new Float64Array(SMOOTH_SIZE);
  private readonly raw = new Float64Array(SMOOTH_SIZE);
  private sSmooth = 0;
  private sRaw = 0;

  constructor(
    readonly start: 12 | 37,
    /** Computes DC phase, sine, trendline and trend mode (the 37-bar group). */
    readonly phase: boolean,
    /** Absolute index of the first input (the odd/even delay lines follow it). */
    readonly parity = 0,
  ) {}

  private filter(f: number, input: number, odd: boolean, idx: number, adj: number): number {
    const st = this.st;
    const t = A * input;
    const slot = f + (odd ? 0 : 3) + idx;
    let v = -(st[slot] as number);
    st[slot] = t;
    v += t;
    const prev = f + (odd ? 6 : 7);
    const prevIn = f + (odd ? 8 : 9);
    v -= st[prev] as number;
    const p = B * (st[prevIn] as number);
    st[prev] = p;
    v += p;
    st[prevIn] = input;
    v *= adj;
    st[f + 10] = v;
    return v;
  }

  /** One input; returns true when the main loop ran (the outputs in `st` are fresh). */
  next(x: number): boolean {
    const st = this.st;
    const t = st[S.Count] as number;
    st[S.Count] = t + 1;
    const pos = st[S.RingPos] as number;
    this.raw[pos] = x;
    if (t < 3) {
      // The WMA's unrolled start: weights 1, 2, 3.
      st[S.WmaSub] = t === 0 ? x : (st[S.WmaSub] as number) + x;
      st[S.WmaSum] = t === 0 ? x : (st[S.WmaSum] as number) + x * (t + 1);
      st[S.Trailing] = 0;
      this.pushRaw(x);
      st[S.RingPos] = (pos + 1) % SMOOTH_SIZE;
      return false;
    }
    let adj = 0;
    if (t >= this.start) adj = 0.075 * (st[S.Period] as number) + 0.54;
    // The 4-bar WMA: Σ weights 10; the trailing value leaves one bar late, as TA-Lib's macro does.
    let sub = (st[S.WmaSub] as number) + x;
    sub -= st[S.Trailing] as number;
    let sum = (st[S.WmaSum] as number) + x * 4;
    st[S.Trailing] = st[S.X3] as number;
    const smoothed = sum * 0.1;
    sum -= sub;
    st[S.WmaSub] = sub;
    st[S.WmaSum] = sum;
    st[S.Smoothed] = smoothed;
    this.pushRaw(x);
    if (t < this.start) {
      st[S.RingPos] = (pos + 1) % SMOOTH_SIZE;
      return false;
    }
    this.smooth[pos] = smoothed;
    const hIdx = st[S.HilbertIdx] as number;
    let q2: number;
    let i2: number;
    let q1: number;
    let i1: number;
    if ((t + this.parity) % 2 === 0) {
      const det = this.filter(DETRENDER, smoothed, false, hIdx, adj);
      q1 = this.filter(FQ1, det, false, hIdx, adj);
      i1 = st[S.I1EvenPrev3] as number;
      const ji = this.filter(FJI, i1, false, hIdx, adj);
      const jq = this.filter(FJQ, q1, false, hIdx, adj);
      st[S.HilbertIdx] = hIdx + 1 === 3 ? 0 : hIdx + 1;
      q2 = 0.2 * (q1 + ji) + 0.8 * (st[S.PrevQ2] as number);
      i2 = 0.2 * (i1 - jq) + 0.8 * (st[S.PrevI2] as number);
      st[S.I1OddPrev3] = st[S.I1OddPrev2] as number;
      st[S.I1OddPrev2] = det;
    } else {
      const det = this.filter(DETRENDER, smoothed, true, hIdx, adj);
      q1 = this.filter(FQ1, det, true, hIdx, adj);
      i1 = st[S.I1OddPrev3] as number;
      const ji = this.filter(FJI, i1, true, hIdx, adj);
      const jq = this.filter(FJQ, q1, true, hIdx, adj);
      q2 = 0.2 * (q1 + ji) + 0.8 * (st[S.PrevQ2] as number);
      i2 = 0.2 * (i1 - jq) + 0.8 * (st[S.PrevI2] as number);
      st[S.I1EvenPrev3] = st[S.I1EvenPrev2] as number;
      st[S.I1EvenPrev2] = det;
    }
    st[S.Q1] = q1;
    st[S.I1] = i1;
    const prevI2 = st[S.PrevI2] as number;
    const prevQ2 = st[S.PrevQ2] as number;
    const re = 0.2 * (i2 * prevI2 + q2 * prevQ2) + 0.8 * (st[S.Re] as number);
    const im = 0.2 * (i2 * prevQ2 - q2 * prevI2) + 0.8 * (st[S.Im] as number);
    st[S.Re] = re;
    st[S.Im] = im;
    st[S.PrevQ2] = q2;
    st[S.PrevI2] = i2;
    const before = st[S.Period] as number;
    let period = before;
    if (im !== 0 && re !== 0) period = 360 / (Math.atan(im / re) * RAD2DEG);
    // The period may move by at most +50 % / −33 % a bar and stays in [6, 50].
    if (period > 1.5 * before) period = 1.5 * before;
    if (period < 0.67 * before) period = 0.67 * before;
    if (period < 6) period = 6;
    else if (period > 50) period = 50;
    period = 0.2 * period + 0.8 * before;
    st[S.Period] = period;
    const sp = 0.33 * period + 0.67 * (st[S.SmoothPeriod] as number);
    st[S.SmoothPeriod] = sp;
    if (this.phase) this.phaseStep(pos, sp);
    st[S.RingPos] = (pos + 1) % SMOOTH_SIZE;
    return true;
  }

  private pushRaw(x: number): void {
    const st = this.st;
    st[S.X3] = st[S.X2] as number;
    st[S.X2] = st[S.X1] as number;
    st[S.X1] = x;
  }

  /** DC phase (a DFT of the smoothed prices over one dominant cycle), sine, trendline, trend mode. */
  private phaseStep(pos: number, sp: number): void {
    const st = this.st;
    const prevPhase = st[S.DcPhase] as number;
    st[S.PrevDcPhase] = prevPhase;
    const n = Math.trunc(sp + 0.5);
    let realPart = 0;
    let imagPart = 0;
    let idx = pos;
    const table = dftTable(n);
    for (let i = 0; i < n; i++) {
      const v = this.smooth[idx] as number;
      realPart += (table[2 * i] as number) * v;
      imagPart += (table[2 * i + 1] as number) * v;
      idx = idx === 0 ? SMOOTH_SIZE - 1 : idx - 1;
    }
    let phase = prevPhase;
    const absImag = Math.abs(imagPart);
    if (absImag > 0) phase = Math.atan(realPart / imagPart) * RAD2DEG;
    else if (absImag <= 0.01) {
      if (realPart < 0) phase -= 90;
      else if (realPart > 0) phase += 90;
    }
    phase += 90;
    phase += 360 / sp;
    if (imagPart < 0) phase += 180;
    if (phase > 315) phase -= 360;
    st[S.DcPhase] = phase;
    st[S.PrevSine] = st[S.Sine] as number;
    st[S.PrevLeadSine] = st[S.LeadSine] as number;
    const sine = Math.sin(phase * DEG2RAD);
    const lead = Math.sin((phase + 45) * DEG2RAD);
    st[S.Sine] = sine;
    st[S.LeadSine] = lead;
    // Trendline: the mean of the raw prices over one dominant cycle, then a 4-3-2-1 WMA of it.
    let mean = 0;
    idx = pos;
    for (let i = 0; i < n; i++) {
      mean += this.raw[idx] as number;
      idx = idx === 0 ? SMOOTH_SIZE - 1 : idx - 1;
    }
    if (n > 0) mean = mean / n;
    const trendline = (4 * mean + 3 * (st[S.ITrend1] as number) + 2 * (st[S.ITrend2] as number) + (st[S.ITrend3] as number)) / 10;
    st[S.ITrend3] = st[S.ITrend2] as number;
    st[S.ITrend2] = st[S.ITrend1] as number;
    st[S.ITrend1] = mean;
    st[S.Trendline] = trendline;
    // Trend mode: cycle mode right after a sine/lead-sine crossing, for half a cycle, and while
    // the phase advances at the cycle's rate; trend whenever price strays 1.5 % from the trendline.
    let trend = 1;
    const prevSine = st[S.PrevSine] as number;
    const prevLead = st[S.PrevLeadSine] as number;
    let days = st[S.DaysInTrend] as number;
    if ((sine > lead && prevSine <= prevLead) || (sine < lead && prevSine >= prevLead)) {
      days = 0;
      trend = 0;
    }
    days++;
    st[S.DaysInTrend] = days;
    if (days < 0.5 * sp) trend = 0;
    const dPhase = phase - prevPhase;
    if (sp !== 0 && dPhase > (0.67 * 360) / sp && dPhase < (1.5 * 360) / sp) trend = 0;
    const price = this.smooth[pos] as number;
    if (trendline !== 0 && Math.abs((price - trendline) / trendline) >= 0.015) trend = 1;
    st[S.Trend] = trend;
  }

  save(): void {
    this.saved.set(this.st);
    const pos = this.st[S.RingPos] as number;
    this.sSmooth = this.smooth[pos] as number;
    this.sRaw = this.raw[pos] as number;
  }
  restore(): void {
    this.st.set(this.saved);
    const pos = this.st[S.RingPos] as number;
    this.smooth[pos] = this.sSmooth;
    this.raw[pos] = this.sRaw;
  }

  get period(): number {
    return this.st[S.Period] as number;
  }
  get smoothPeriod(): number {
    return this.st[S.SmoothPeriod] as number;
  }
  get q1(): number {
    return this.st[S.Q1] as number;
  }
  get i1(): number {
    return this.st[S.I1] as number;
  }
  get dcPhase(): number {
    return this.st[S.DcPhase] as number;
  }
  get sine(): number {
    return this.st[S.Sine] as number;
  }
  get leadSine(): number {
    return this.st[S.LeadSine] as number;
  }
  get trendline(): number {
    return this.st[S.Trendline] as number;
  }
  get trend(): number {
    return this.st[S.Trend] as number;
  }
}

export type HtKind = 'HT_DCPERIOD' | 'HT_DCPHASE' | 'HT_PHASOR' | 'HT_SINE' | 'HT_TRENDLINE' | 'HT_TRENDMODE';

const HT_OUTPUTS: Record<HtKind, string[]> = {
  HT_DCPERIOD: ['real'],
  HT_DCPHASE: ['real'],
  HT_PHASOR: ['inphase', 'quadrature'],
  HT_SINE: ['sine', 'leadsine'],
  HT_TRENDLINE: ['real'],
  HT_TRENDMODE: ['integer'],
};

/** The six HT_* cycle indicators of the close. */
export class HilbertTransform extends Indicator {
  private readonly e: HilbertEngine;
  constructor(readonly kind: HtKind) {
    const short = kind === 'HT_DCPERIOD' || kind === 'HT_PHASOR';
    super(HT_OUTPUTS[kind], short ? 32 : 63);
    this.e = new HilbertEngine(short ? 12 : 37, !short);
    this.parts = [this.e];
  }
  protected step(b: Ohlcv): void {
    const e = this.e;
    if (!e.next(b.close)) return;
    switch (this.kind) {
      case 'HT_DCPERIOD':
        this.out[0] = e.smoothPeriod;
        break;
      case 'HT_DCPHASE':
        this.out[0] = e.dcPhase;
        break;
      case 'HT_PHASOR':
        this.out[0] = e.i1;
        this.out[1] = e.q1;
        break;
      case 'HT_SINE':
        this.out[0] = e.sine;
        this.out[1] = e.leadSine;
        break;
      case 'HT_TRENDLINE':
        this.out[0] = e.trendline;
        break;
      case 'HT_TRENDMODE':
        this.out[0] = e.trend;
        break;
    }
  }
}

/**
 * MESA adaptive moving average as a scalar stage (MAMA and FAMA): the alpha follows the rate of
 * change of the Hilbert phase, clamped to [slowlimit, fastlimit]. Lookback 32, whatever the period.
 */
export class MamaStage implements ScalarStage {
  private readonly e: HilbertEngine;
  readonly lookback = 32;
  mama = 0;
  fama = 0;
  private prevPhase = 0;
  private count = 0;
  private readonly s = new Float64Array(4);
  constructor(
    readonly fastlimit = 0.5,
    readonly slowlimit = 0.05,
    parity = 0,
  ) {
    this.e = new HilbertEngine(12, false, parity);
  }
  next(x: number): number {
    const ran = this.e.next(x);
    this.count++;
    if (!ran) return Number.NaN;
    const q1 = this.e.q1;
    const i1 = this.e.i1;
    const phase = i1 !== 0 ? Math.atan(q1 / i1) * RAD2DEG : 0;
    let delta = this.prevPhase - phase;
    this.prevPhase = phase;
    if (delta < 1) delta = 1;
    let alpha: number;
    if (delta > 1) {
      alpha = this.fastlimit / delta;
      if (alpha < this.slowlimit) alpha = this.slowlimit;
    } else alpha = this.fastlimit;
    this.mama = alpha * x + (1 - alpha) * this.mama;
    alpha *= 0.5;
    this.fama = alpha * this.mama + (1 - alpha) * this.fama;
    return this.count > this.lookback ? this.mama : Number.NaN;
  }
  save(): void {
    this.e.save();
    const s = this.s;
    s[0] = this.mama;
    s[1] = this.fama;
    s[2] = this.prevPhase;
    s[3] = this.count;
  }
  restore(): void {
    this.e.restore();
    const s = this.s;
    this.mama = s[0] as number;
    this.fama = s[1] as number;
    this.prevPhase = s[2] as number;
    this.count = s[3] as number;
  }
}

/** MAMA of the close: outputs mama and fama. */
export class Mama extends Indicator {
  private readonly m: MamaStage;
  constructor(fastlimit = 0.5, slowlimit = 0.05) {
    super(['mama', 'fama'], 32);
    this.m = new MamaStage(fastlimit, slowlimit);
    this.parts = [this.m];
  }
  protected step(b: Ohlcv): void {
    this.out[0] = this.m.next(b.close);
    this.out[1] = this.m.fama;
  }
}
