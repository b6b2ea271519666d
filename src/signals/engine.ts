/**
 * Buy/sell signals from declarative rules over streaming indicators, confirmed by higher
 * timeframes (bars resampled from the input), filtered (cooldown, regime, minimum confidence),
 * with a confidence that is calibrated walk-forward, purged and embargoed (calibrate.ts): the
 * probability, fitted on this strategy's earlier signals on this instrument whose horizon ended at
 * least `embargo` bars ago, that a signal of this side and strength is right at its horizon
 * (by default calibrators of several memories, mixed by their out-of-sample record). It never
 * looks ahead. Pure: no I/O.
 */
import type { Ohlcv } from '../core/market.ts';
import type { Regime } from '../core/regime.ts';
import { createIndicator, type StreamingIndicator } from '../indicators/index.ts';
import { RegimeClassifier } from '../regimes/index.ts';
import { type CalibrationMethod, MixtureCalibrator, WalkForwardCalibrator } from './calibrate.ts';

export type Side = 'buy' | 'sell';

/** A value the rules can read: a constant, the close, or an indicator output (`prev`: its value one bar earlier). */
export type Operand = number | 'close' | { ind: string; out?: string; prev?: boolean };

export interface Condition {
  left: Operand;
  op: '>' | '<' | 'crosses_above' | 'crosses_below';
  right: Operand;
  /** For strength: how far beyond the threshold counts as full strength, in units of `scale`. */
  scale?: Operand;
  why: string;
}

export interface StrategySpec {
  name: string;
  description: string;
  /** Indicators the rules read, by label: `{ ema12: ['EMA', {timeperiod: 12}] }`. */
  indicators: Record<string, [string, Record<string, number>?]>;
  buy: Condition[];
  sell: Condition[];
  /** Regimes in which this strategy's signal on that side is suppressed. */
  suppress?: Partial<Record<Side, Regime[]>>;
}

export interface SignalHit {
  index: number;
  time: number;
  side: Side;
  strategy: string;
  strength: number;
  confidence: number;
  reasons: string[];
  confirmations: { timeframe: string; agrees: boolean }[];
}

export interface SignalEngineOptions {
  strategy: StrategySpec;
  /** Higher timeframes that confirm, as multiples of the input's bar (e.g. 5 for 1d → 1w). */
  confirmations?: { label: string; bars: number }[];
  /** Bars a signal is judged over (default 5). */
  horizon?: number;
  /** Minimum bars between two signals (default 5). */
  cooldown?: number;
  minConfidence?: number;
  regimeFilter?: boolean;
  /** How confidence is calibrated (default `platt`; see calibrate.ts). */
  calibration?: CalibrationMethod;
  /** Bars between the end of a calibrating signal's horizon and the signal calibrated (default: the horizon). */
  embargo?: number;
  /** Calibrator shrinkage (see calibrate.ts; default there). */
  shrink?: number;
  /** Calibrator memory in signals (see calibrate.ts). */
  halfLife?: number;
  /**
   * `adaptive` (default): calibrators remembering all the past, or mostly the last 300 or 100
   * signals, mixed by their out-of-sample record; `all`: one calibrator on all the past.
   */
  memory?: 'adaptive' | 'all';
}

/** A trend read on resampled bars: close above its EMA(20) is up. */
class HigherTimeframe {
  private n = 0;
  private close = Number.NaN;
  private readonly ema = createIndicator('EMA', { timeperiod: 20 });
  trend = 0;
  constructor(
    readonly label: string,
    readonly bars: number,
  ) {}
  update(b: Ohlcv): void {
    this.close = b.close;
    if (++this.n % this.bars !== 0) return;
    this.ema.update({ open: this.close, high: this.close, low: this.close, close: this.close, volume: 0 });
    const e = this.ema.value();
    this.trend = Number.isFinite(e) ? Math.sign(this.close - e) : 0;
  }
}

export class SignalEngine {
  private readonly inds = new Map<string, StreamingIndicator>();
  /** Last and previous value of every operand read, for crosses. */
  private readonly prev = new Map<string, number>();
  private readonly higher: HigherTimeframe[];
  private readonly regime = new RegimeClassifier();
  private currentRegime: Regime = 'sideways';
  private index = -1;
  private lastSignal = Number.NEGATIVE_INFINITY;
  /** Signals waiting for their horizon. */
  private readonly pending: { index: number; side: Side; strength: number; close: number }[] = [];
  private readonly calibrator: WalkForwardCalibrator | MixtureCalibrator;
  private readonly opts: Required<Omit<SignalEngineOptions, 'strategy' | 'embargo' | 'shrink' | 'halfLife'>> & {
    strategy: StrategySpec;
    embargo?: number;
    shrink?: number;
    halfLife?: number;
  };

  constructor(options: SignalEngineOptions) {
    this.opts = {
      confirmations: [],
      horizon: 5,
      cooldown: 5,
      minConfidence: 0,
      regimeFilter: true,
      calibration: 'platt',
      memory: 'adaptive',
      ...options,
    };
    this.calibrator = new (this.opts.memory === 'all' ? WalkForwardCalibrator : MixtureCalibrator)({
      method: this.opts.calibration,
      horizon: this.opts.horizon,
      embargo: this.opts.embargo,
      shrink: this.opts.shrink,
      halfLife: this.opts.halfLife,
    });
    for (const [label, [name, params]] of Object.entries(this.opts.strategy.indicators))
      this.inds.set(label, createIndicator(name, params));
    this.higher = this.opts.confirmations.map((c) => new HigherTimeframe(c.label, c.bars));
  }

  private read(o: Operand, bar: Ohlcv): number {
    if (typeof o === 'object' && o.prev) return this.prev.get(this.key(o)) ?? Number.NaN;
    return this.current(o, bar);
  }

  private current(o: Operand, bar: Ohlcv): number {
    if (typeof o === 'number') return o;
    if (o === 'close') return bar.close;
    const ind = this.inds.get(o.ind);
    if (!ind) throw new RangeError(`rule reads unknown indicator label "${o.ind}"`);
    return ind.value(o.out);
  }

  private key(o: Operand): string {
    return typeof o === 'number' ? String(o) : o === 'close' ? 'close' : `${o.ind}.${o.out ?? ''}`;
  }

  /** Degree to which all conditions hold, 0 when any fails; otherwise the mean of their margins in [0, 1]. */
  private evaluate(conds: Condition[], bar: Ohlcv, reasons: string[]): number {
    let total = 0;
    for (const c of conds) {
      const l = this.read(c.left, bar);
      const r = this.read(c.right, bar);
      if (!Number.isFinite(l) || !Number.isFinite(r)) return 0;
      const pl = this.prev.get(this.key(c.left));
      const pr = this.prev.get(this.key(c.right));
      let ok: boolean;
      switch (c.op) {
        case '>':
          ok = l > r;
          break;
        case '<':
          ok = l < r;
          break;
        case 'crosses_above':
          ok = l > r && pl !== undefined && pr !== undefined && pl <= pr;
          break;
        case 'crosses_below':
          ok = l < r && pl !== undefined && pr !== undefined && pl >= pr;
          break;
      }
      if (!ok) return 0;
      const scale = c.scale === undefined ? Math.abs(r) || 1 : Math.abs(this.read(c.scale, bar)) || 1;
      total += Math.min(1, Math.abs(l - r) / scale);
      reasons.push(c.why);
    }
    return conds.length ? total / conds.length : 0;
  }

  private remember(conds: Condition[], bar: Ohlcv): void {
    for (const c of conds) {
      for (const o of [c.left, c.right]) this.prev.set(this.key(o), this.current(o, bar));
    }
  }

  /** One closed bar; returns the signals it triggers (at most one). */
  update(time: number, bar: Ohlcv): SignalHit[] {
    this.index++;
    for (const ind of this.inds.values()) ind.update(bar);
    for (const h of this.higher) h.update(bar);
    if (this.opts.regimeFilter) this.currentRegime = this.regime.update(bar).regime;
    this.resolve(bar.close);
    const s = this.opts.strategy;
    const buyReasons: string[] = [];
    const sellReasons: string[] = [];
    const buy = this.evaluate(s.buy, bar, buyReasons);
    const sell = this.evaluate(s.sell, bar, sellReasons);
    this.remember(s.buy, bar);
    this.remember(s.sell, bar);
    const out: SignalHit[] = [];
    if ((buy > 0 || sell > 0) && this.index - this.lastSignal >= this.opts.cooldown) {
      const side: Side = buy >= sell ? 'buy' : 'sell';
      const raw = side === 'buy' ? buy : sell;
      const reasons = side === 'buy' ? buyReasons : sellReasons;
      const dir = side === 'buy' ? 1 : -1;
      const confirmations = this.higher.map((h) => ({ timeframe: h.label, agrees: h.trend === dir }));
      const agree = confirmations.length ? confirmations.filter((c) => c.agrees).length / confirmations.length : 1;
      // Strength: how far the conditions are exceeded, halved when higher timeframes disagree.
      const strength = raw * (0.5 + 0.5 * agree);
      const suppressed = this.opts.regimeFilter && (s.suppress?.[side] ?? []).includes(this.currentRegime);
      const confidence = this.calibrator.predict(this.index, side, strength);
      if (!suppressed && confidence >= this.opts.minConfidence) {
        this.lastSignal = this.index;
        this.pending.push({ index: this.index, side, strength, close: bar.close });
        if (confirmations.length)
          reasons.push(`${confirmations.filter((c) => c.agrees).length}/${confirmations.length} higher timeframes agree`);
        if (this.opts.regimeFilter) reasons.push(`regime ${this.currentRegime}`);
        out.push({ index: this.index, time, side, strategy: s.name, strength, confidence, reasons, confirmations });
      }
    }
    return out;
  }

  /** Scores signals whose horizon has passed (this is the only feedback calibration gets). */
  private resolve(close: number): void {
    const h = this.opts.horizon;
    while (this.pending.length && (this.pending[0] as { index: number }).index + h <= this.index) {
      const p = this.pending.shift() as { index: number; side: Side; strength: number; close: number };
      this.calibrator.add(p.index, p.side, p.strength, p.side === 'buy' ? close > p.close : close < p.close);
    }
  }
}
