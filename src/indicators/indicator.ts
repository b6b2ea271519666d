import type { Ohlcv } from '../core/market.ts';
import type { Undoable } from './primitives.ts';

export type PriceInput = 'open' | 'high' | 'low' | 'close' | 'volume' | 'periods';
/** TA-Lib's function groups (`price` = Price Transform), plus `extra` for indicators beyond TA-Lib. */
export type IndicatorGroup =
  | 'overlap'
  | 'momentum'
  | 'volatility'
  | 'volume'
  | 'statistic'
  | 'price'
  | 'cycle'
  | 'math-transform'
  | 'math-operator'
  | 'extra';

/**
 * Columns a `column` parameter can pick, by index (parameters are numbers; the CLI also takes the
 * names). `periods` is MAVP's period column: `IndicatorBar.periods`, or the series' `periods`.
 */
export const COLUMNS = ['open', 'high', 'low', 'close', 'volume', 'periods'] as const;
export type Column = (typeof COLUMNS)[number];

/**
 * A bar as indicators read it: OHLCV, MAVP's optional period column, and the bar's time in epoch
 * ms for a session VWAP — `time`, or `ts` as the core `Bar` the pipeline streams carries it.
 */
export type IndicatorBar = Ohlcv & { periods?: number; time?: number; ts?: number };

/** The value of column `k` (an index into COLUMNS) of a bar; NaN for a missing `periods`. */
export function column(b: IndicatorBar, k: number): number {
  switch (k) {
    case 0:
      return b.open;
    case 1:
      return b.high;
    case 2:
      return b.low;
    case 3:
      return b.close;
    case 4:
      return b.volume;
    default:
      return b.periods ?? Number.NaN;
  }
}

export interface ParamSpec {
  /** TA-Lib's name as Python's talib spells it: timeperiod, fastperiod, nbdevup, … */
  name: string;
  /** `column`: an index into COLUMNS (two-series functions, MAVP's periods). */
  type: 'int' | 'float' | 'matype' | 'column';
  default: number;
  min: number;
  max: number;
}

export interface IndicatorInfo {
  name: string;
  group: IndicatorGroup;
  description: string;
  inputs: PriceInput[];
  params: ParamSpec[];
  outputs: string[];
  /** Drawn over the price (moving averages, bands, SAR) rather than in a pane of its own. */
  overlay: boolean;
  /** `ta-lib`: a TA-Lib function, tested at parity with the binding; `extra`: beyond TA-Lib, tested against its reference. */
  source: 'ta-lib' | 'extra';
}

/** The streaming form every indicator has. */
export interface StreamingIndicator {
  readonly outputs: readonly string[];
  /** A new bar (with its `time` for a session VWAP, its `periods` for MAVP). */
  update(bar: IndicatorBar): void;
  /** Replaces the last bar (the still-open candle) without corrupting state. */
  replace(bar: IndicatorBar): void;
  /** The latest value of an output (the first by default); NaN during warm-up. */
  value(output?: string): number;
  /** Bars seen. */
  readonly count: number;
}

/**
 * Base of every indicator: subclasses implement `step` (one bar, writing `out`) from undoable
 * parts; this class adds update/replace (undo the last step, redo it with the new bar) and the
 * warm-up rule (NaN until TA-Lib's lookback has passed).
 */
export abstract class Indicator implements StreamingIndicator {
  readonly out: Float64Array;
  count = 0;
  protected readonly saved: Float64Array;
  protected savedCount = 0;
  protected parts: Undoable[] = [];

  constructor(
    readonly outputs: readonly string[],
    /** Bars before the first value (TA-Lib's lookback). */
    readonly lookback: number,
  ) {
    this.out = new Float64Array(outputs.length).fill(Number.NaN);
    this.saved = new Float64Array(outputs.length).fill(Number.NaN);
  }

  /** Advances by one bar, writing `out` (warm-up masking is done by the caller). */
  protected abstract step(bar: Ohlcv): void;
  /** Subclasses with scalar state of their own save and restore it here. */
  protected saveOwn(): void {}
  protected restoreOwn(): void {}

  /** One bar without keeping undo state (batch use). */
  advance(bar: IndicatorBar): void {
    this.step(bar);
    this.count++;
    if (this.count <= this.lookback) this.out.fill(Number.NaN);
  }

  update(bar: IndicatorBar): void {
    // Indexed loops, not for-of or TypedArray.set: this runs once per bar and the arrays are
    // a few elements long, where the call overhead would dominate.
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) (parts[i] as Undoable).save();
    this.saveOwn();
    const out = this.out;
    const saved = this.saved;
    for (let j = 0; j < out.length; j++) saved[j] = out[j] as number;
    this.savedCount = this.count;
    this.advance(bar);
  }

  replace(bar: IndicatorBar): void {
    if (this.count === 0) {
      this.update(bar);
      return;
    }
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) (parts[i] as Undoable).restore();
    this.restoreOwn();
    const out = this.out;
    const saved = this.saved;
    for (let j = 0; j < out.length; j++) out[j] = saved[j] as number;
    this.count = this.savedCount;
    this.advance(bar);
  }

  value(output?: string): number {
    if (output === undefined) return this.out[0] as number;
    const i = this.outputs.indexOf(output);
    if (i < 0) throw new RangeError(`no output "${output}" (outputs: ${this.outputs.join(', ')})`);
    return this.out[i] as number;
  }
}
