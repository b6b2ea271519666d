/**
 * The indicator catalogue: TA-Lib's names, parameters (as Python's talib spells them), defaults,
 * ranges and outputs, and one factory each. The CLI, the API and the dashboard read it.
 */
import { ParamError } from '../core/errors.ts';
import type { BarSeries } from '../core/market.ts';
import { BATCH_KERNELS } from './batch.ts';
import { HilbertTransform, type HtKind, Mama } from './cycle.ts';
import {
  Alma,
  Awesome,
  Chop,
  Cmf,
  Donchian,
  ElderRay,
  HeikinAshi,
  Hma,
  Ichimoku,
  Keltner,
  Kst,
  SuperTrend,
  Vortex,
  Vwap,
  Zlema,
} from './extras.ts';
import {
  COLUMNS,
  type Indicator,
  type IndicatorBar,
  type IndicatorGroup,
  type IndicatorInfo,
  type ParamSpec,
  type PriceInput,
  type StreamingIndicator,
} from './indicator.ts';
import {
  type BinaryKind,
  BinaryOperator,
  type ExtremeKind,
  MATH_TRANSFORMS,
  MathTransform,
  type PriceKind,
  PriceTransform,
  Sum,
  WindowIndex,
} from './math.ts';
import {
  Aroon,
  Bop,
  Cci,
  Cmo,
  Imi,
  Macd,
  MacdExt,
  Mfi,
  PriceOscillator,
  RateOfChange,
  Rsi,
  Stoch,
  Stochf,
  StochRsi,
  Trix,
  Ultosc,
  Willr,
} from './momentum.ts';
import { Accbands, Bbands, Mavp, Midpoint, Midprice, MovingAverage, Sar, Sarext, T3 } from './overlap.ts';
import { maStage } from './primitives.ts';
import { AvgDev, Beta, Correl, Dispersion, LinearRegression, WindowExtremeIndicator } from './statistic.ts';
import { Atr, DirectionalMovement, Trange } from './volatility.ts';
import { Ad, Adosc, Obv } from './volume.ts';

type Params = Record<string, number>;

/** A series with MAVP's optional period column. */
export type SeriesWithPeriods = BarSeries & { periods?: Float64Array };

interface Definition extends IndicatorInfo {
  create(p: Params): Indicator;
}

const BIG = 100_000;
const period = (def: number, min = 2, name = 'timeperiod'): ParamSpec => ({ name, type: 'int', default: def, min, max: BIG });
const matype = (name = 'matype', def = 0): ParamSpec => ({ name, type: 'matype', default: def, min: 0, max: 8 });
const real = (name: string, def: number, min: number, max: number): ParamSpec => ({ name, type: 'float', default: def, min, max });
/** A column parameter: an index into COLUMNS (the CLI takes the names). */
const col = (name: string, def: (typeof COLUMNS)[number]): ParamSpec => ({
  name,
  type: 'column',
  default: COLUMNS.indexOf(def),
  min: 0,
  max: COLUMNS.length - 1,
});
/** Two-series functions read high and low by default, as Python talib's abstract API does. */
const TWO = [col('price0', 'high'), col('price1', 'low')];

const C: PriceInput[] = ['close'];
const HL: PriceInput[] = ['high', 'low'];
const HLC: PriceInput[] = ['high', 'low', 'close'];
const HLCV: PriceInput[] = ['high', 'low', 'close', 'volume'];
const OHLC: PriceInput[] = ['open', 'high', 'low', 'close'];
const CV: PriceInput[] = ['close', 'volume'];
const REAL = ['real'];

function def(
  name: string,
  group: IndicatorGroup,
  description: string,
  inputs: PriceInput[],
  params: ParamSpec[],
  outputs: string[],
  overlay: boolean,
  create: (p: Params) => Indicator,
  source: 'ta-lib' | 'extra' = 'ta-lib',
): Definition {
  return { name, group, description, inputs, params, outputs, overlay, source, create };
}

const ma = (name: string, type: number, description: string): Definition =>
  def(name, 'overlap', description, C, [period(30)], REAL, true, (p) => new MovingAverage(maStage(type, p.timeperiod as number)));

const DEFINITIONS: Definition[] = [
  ma('SMA', 0, 'Simple moving average'),
  ma('EMA', 1, 'Exponential moving average (seeded with the SMA of the first period)'),
  ma('WMA', 2, 'Weighted moving average'),
  ma('DEMA', 3, 'Double exponential moving average'),
  ma('TEMA', 4, 'Triple exponential moving average'),
  ma('TRIMA', 5, 'Triangular moving average'),
  ma('KAMA', 6, 'Kaufman adaptive moving average'),
  def(
    'MA',
    'overlap',
    'Moving average of any type',
    C,
    [period(30, 1), matype()],
    REAL,
    true,
    (p) => new MovingAverage(maStage(p.matype as number, p.timeperiod as number)),
  ),
  def(
    'T3',
    'overlap',
    'Tillson T3 moving average',
    C,
    [period(5), real('vfactor', 0.7, 0, 1)],
    REAL,
    true,
    (p) => new T3(p.timeperiod as number, p.vfactor as number),
  ),
  def(
    'MIDPOINT',
    'overlap',
    'Midpoint of the close over the period',
    C,
    [period(14)],
    REAL,
    true,
    (p) => new Midpoint(p.timeperiod as number),
  ),
  def(
    'MIDPRICE',
    'overlap',
    'Midpoint of high and low over the period',
    HL,
    [period(14)],
    REAL,
    true,
    (p) => new Midprice(p.timeperiod as number),
  ),
  def(
    'SAR',
    'overlap',
    'Parabolic SAR',
    HL,
    [real('acceleration', 0.02, 0, 1), real('maximum', 0.2, 0, 1)],
    REAL,
    true,
    (p) => new Sar(p.acceleration as number, p.maximum as number),
  ),
  def(
    'BBANDS',
    'overlap',
    'Bollinger Bands',
    C,
    [period(5), real('nbdevup', 2, -BIG, BIG), real('nbdevdn', 2, -BIG, BIG), matype()],
    ['upperband', 'middleband', 'lowerband'],
    true,
    (p) => new Bbands(p.timeperiod as number, p.nbdevup as number, p.nbdevdn as number, p.matype as number),
  ),
  def('RSI', 'momentum', 'Relative strength index (Wilder)', C, [period(14)], REAL, false, (p) => new Rsi(p.timeperiod as number)),
  def('CMO', 'momentum', 'Chande momentum oscillator', C, [period(14)], REAL, false, (p) => new Cmo(p.timeperiod as number)),
  def(
    'MOM',
    'momentum',
    'Momentum (difference over the period)',
    C,
    [period(10, 1)],
    REAL,
    false,
    (p) => new RateOfChange('MOM', p.timeperiod as number),
  ),
  def(
    'ROC',
    'momentum',
    'Rate of change, percent',
    C,
    [period(10, 1)],
    REAL,
    false,
    (p) => new RateOfChange('ROC', p.timeperiod as number),
  ),
  def(
    'ROCP',
    'momentum',
    'Rate of change, fraction',
    C,
    [period(10, 1)],
    REAL,
    false,
    (p) => new RateOfChange('ROCP', p.timeperiod as number),
  ),
  def('ROCR', 'momentum', 'Rate of change ratio', C, [period(10, 1)], REAL, false, (p) => new RateOfChange('ROCR', p.timeperiod as number)),
  def(
    'ROCR100',
    'momentum',
    'Rate of change ratio × 100',
    C,
    [period(10, 1)],
    REAL,
    false,
    (p) => new RateOfChange('ROCR100', p.timeperiod as number),
  ),
  def(
    'MACD',
    'momentum',
    'Moving average convergence/divergence',
    C,
    [period(12, 2, 'fastperiod'), period(26, 2, 'slowperiod'), period(9, 1, 'signalperiod')],
    ['macd', 'macdsignal', 'macdhist'],
    false,
    (p) => new Macd(p.fastperiod as number, p.slowperiod as number, p.signalperiod as number),
  ),
  def(
    'APO',
    'momentum',
    'Absolute price oscillator',
    C,
    [period(12, 2, 'fastperiod'), period(26, 2, 'slowperiod'), matype()],
    REAL,
    false,
    (p) => new PriceOscillator(false, p.fastperiod as number, p.slowperiod as number, p.matype as number),
  ),
  def(
    'PPO',
    'momentum',
    'Percentage price oscillator',
    C,
    [period(12, 2, 'fastperiod'), period(26, 2, 'slowperiod'), matype()],
    REAL,
    false,
    (p) => new PriceOscillator(true, p.fastperiod as number, p.slowperiod as number, p.matype as number),
  ),
  def(
    'STOCH',
    'momentum',
    'Stochastic (slow)',
    HLC,
    [
      period(5, 1, 'fastk_period'),
      period(3, 1, 'slowk_period'),
      matype('slowk_matype'),
      period(3, 1, 'slowd_period'),
      matype('slowd_matype'),
    ],
    ['slowk', 'slowd'],
    false,
    (p) =>
      new Stoch(
        p.fastk_period as number,
        p.slowk_period as number,
        p.slowk_matype as number,
        p.slowd_period as number,
        p.slowd_matype as number,
      ),
  ),
  def(
    'STOCHF',
    'momentum',
    'Stochastic (fast)',
    HLC,
    [period(5, 1, 'fastk_period'), period(3, 1, 'fastd_period'), matype('fastd_matype')],
    ['fastk', 'fastd'],
    false,
    (p) => new Stochf(p.fastk_period as number, p.fastd_period as number, p.fastd_matype as number),
  ),
  def(
    'STOCHRSI',
    'momentum',
    'Stochastic of the RSI',
    C,
    [period(14), period(5, 1, 'fastk_period'), period(3, 1, 'fastd_period'), matype('fastd_matype')],
    ['fastk', 'fastd'],
    false,
    (p) => new StochRsi(p.timeperiod as number, p.fastk_period as number, p.fastd_period as number, p.fastd_matype as number),
  ),
  def('WILLR', 'momentum', "Williams' %R", HLC, [period(14)], REAL, false, (p) => new Willr(p.timeperiod as number)),
  def('CCI', 'momentum', 'Commodity channel index', HLC, [period(14)], REAL, false, (p) => new Cci(p.timeperiod as number)),
  def('BOP', 'momentum', 'Balance of power', OHLC, [], REAL, false, () => new Bop()),
  def('AROON', 'momentum', 'Aroon', HL, [period(14)], ['aroondown', 'aroonup'], false, (p) => new Aroon(p.timeperiod as number)),
  def('AROONOSC', 'momentum', 'Aroon oscillator', HL, [period(14)], REAL, false, (p) => new Aroon(p.timeperiod as number, true)),
  def(
    'ULTOSC',
    'momentum',
    'Ultimate oscillator',
    HLC,
    [period(7, 1, 'timeperiod1'), period(14, 1, 'timeperiod2'), period(28, 1, 'timeperiod3')],
    REAL,
    false,
    (p) => new Ultosc(p.timeperiod1 as number, p.timeperiod2 as number, p.timeperiod3 as number),
  ),
  def('TRIX', 'momentum', '1-bar rate of change of a triple EMA', C, [period(30, 1)], REAL, false, (p) => new Trix(p.timeperiod as number)),
  def('MFI', 'volume', 'Money flow index', HLCV, [period(14)], REAL, false, (p) => new Mfi(p.timeperiod as number)),
  def('TRANGE', 'volatility', 'True range', HLC, [], REAL, false, () => new Trange()),
  def('ATR', 'volatility', 'Average true range (Wilder)', HLC, [period(14, 1)], REAL, false, (p) => new Atr(p.timeperiod as number)),
  def(
    'NATR',
    'volatility',
    'Normalized ATR, percent of close',
    HLC,
    [period(14, 1)],
    REAL,
    false,
    (p) => new Atr(p.timeperiod as number, true),
  ),
  ...(['PLUS_DM', 'MINUS_DM', 'PLUS_DI', 'MINUS_DI', 'DX', 'ADX', 'ADXR'] as const).map((k) =>
    def(
      k,
      'momentum',
      {
        PLUS_DM: 'Plus directional movement',
        MINUS_DM: 'Minus directional movement',
        PLUS_DI: 'Plus directional indicator',
        MINUS_DI: 'Minus directional indicator',
        DX: 'Directional movement index',
        ADX: 'Average directional movement index',
        ADXR: 'ADX rating',
      }[k],
      k.endsWith('_DM') ? HL : HLC,
      [period(14, k.endsWith('_DM') || k.endsWith('_DI') ? 1 : 2)],
      REAL,
      false,
      (p) => new DirectionalMovement(k, p.timeperiod as number),
    ),
  ),
  def('OBV', 'volume', 'On-balance volume', CV, [], REAL, false, () => new Obv()),
  def('AD', 'volume', 'Chaikin accumulation/distribution line', HLCV, [], REAL, false, () => new Ad()),
  def(
    'ADOSC',
    'volume',
    'Chaikin A/D oscillator',
    HLCV,
    [period(3, 2, 'fastperiod'), period(10, 2, 'slowperiod')],
    REAL,
    false,
    (p) => new Adosc(p.fastperiod as number, p.slowperiod as number),
  ),
  def(
    'MAX',
    'math-operator',
    'Highest close over the period',
    C,
    [period(30)],
    REAL,
    true,
    (p) => new WindowExtremeIndicator(true, p.timeperiod as number),
  ),
  def(
    'MIN',
    'math-operator',
    'Lowest close over the period',
    C,
    [period(30)],
    REAL,
    true,
    (p) => new WindowExtremeIndicator(false, p.timeperiod as number),
  ),
  def(
    'STDDEV',
    'statistic',
    'Standard deviation (population) × nbdev',
    C,
    [period(5), real('nbdev', 1, -BIG, BIG)],
    REAL,
    false,
    (p) => new Dispersion(true, p.timeperiod as number, p.nbdev as number),
  ),
  def(
    'VAR',
    'statistic',
    'Variance (population)',
    C,
    [period(5, 1), real('nbdev', 1, -BIG, BIG)],
    REAL,
    false,
    (p) => new Dispersion(false, p.timeperiod as number),
  ),
  ...(
    [
      ['LINEARREG', 'Linear regression: value at the last bar', true],
      ['LINEARREG_SLOPE', 'Linear regression slope', false],
      ['LINEARREG_INTERCEPT', 'Linear regression intercept (at the first bar of the window)', true],
      ['LINEARREG_ANGLE', 'Linear regression angle, degrees', false],
      ['TSF', 'Time series forecast (regression one bar ahead)', true],
    ] as const
  ).map(([k, d, overlay]) =>
    def(k, 'statistic', d, C, [period(14)], REAL, overlay, (p) => new LinearRegression(k, p.timeperiod as number)),
  ),
  // Math transforms and operators, price transforms.
  ...Object.entries(MATH_TRANSFORMS).map(([k, [d, fn]]) => def(k, 'math-transform', d, C, [], REAL, false, () => new MathTransform(fn))),
  ...(
    [
      ['ADD', 'Vector arithmetic add'],
      ['SUB', 'Vector arithmetic subtraction'],
      ['MULT', 'Vector arithmetic multiply'],
      ['DIV', 'Vector arithmetic divide'],
    ] as const
  ).map(([k, d]) =>
    def(k, 'math-operator', `${d} (price0, price1)`, HL, TWO, REAL, false, (p) => new BinaryOperator(k as BinaryKind, p.price0, p.price1)),
  ),
  def('SUM', 'math-operator', 'Summation over the period', C, [period(30)], REAL, false, (p) => new Sum(p.timeperiod as number)),
  ...(
    [
      ['MAXINDEX', 'Index of the highest close over the period', ['integer']],
      ['MININDEX', 'Index of the lowest close over the period', ['integer']],
      ['MINMAX', 'Lowest and highest close over the period', ['min', 'max']],
      ['MINMAXINDEX', 'Indexes of the lowest and highest close over the period', ['minidx', 'maxidx']],
    ] as const
  ).map(([k, d, outs]) =>
    def(k, 'math-operator', d, C, [period(30)], [...outs], false, (p) => new WindowIndex(k as ExtremeKind, p.timeperiod as number)),
  ),
  ...(
    [
      ['AVGPRICE', 'Average price (o + h + l + c) / 4', OHLC],
      ['MEDPRICE', 'Median price (h + l) / 2', HL],
      ['TYPPRICE', 'Typical price (h + l + c) / 3', HLC],
      ['WCLPRICE', 'Weighted close price (h + l + 2c) / 4', HLC],
    ] as const
  ).map(([k, d, inputs]) => def(k, 'price', d, inputs, [], REAL, true, () => new PriceTransform(k as PriceKind))),
  def('AVGDEV', 'price', 'Average (mean absolute) deviation', C, [period(14)], REAL, false, (p) => new AvgDev(p.timeperiod as number)),
  // Statistic functions of two series.
  def(
    'BETA',
    'statistic',
    'Beta of price0 returns on price1 returns',
    HL,
    [period(5, 1), ...TWO],
    REAL,
    false,
    (p) => new Beta(p.timeperiod as number, p.price0, p.price1),
  ),
  def(
    'CORREL',
    'statistic',
    "Pearson's correlation coefficient of price0 and price1",
    HL,
    [period(30, 1), ...TWO],
    REAL,
    false,
    (p) => new Correl(p.timeperiod as number, p.price0, p.price1),
  ),
  // Overlap studies.
  def(
    'ACCBANDS',
    'overlap',
    'Acceleration bands',
    HLC,
    [period(20)],
    ['upperband', 'middleband', 'lowerband'],
    true,
    (p) => new Accbands(p.timeperiod as number),
  ),
  def(
    'MAMA',
    'overlap',
    'MESA adaptive moving average',
    C,
    [real('fastlimit', 0.5, 0.01, 0.99), real('slowlimit', 0.05, 0.01, 0.99)],
    ['mama', 'fama'],
    true,
    (p) => new Mama(p.fastlimit as number, p.slowlimit as number),
  ),
  def(
    'MAVP',
    'overlap',
    'Moving average with a variable period (from the periods column)',
    ['close', 'periods'],
    [period(2, 2, 'minperiod'), period(30, 2, 'maxperiod'), matype(), col('periods', 'periods')],
    REAL,
    true,
    (p) => {
      // TA-Lib accepts it but then misaligns its output; refuse instead.
      if ((p.minperiod as number) > (p.maxperiod as number)) throw new ParamError('MAVP: minperiod must not exceed maxperiod');
      return new Mavp(p.minperiod as number, p.maxperiod as number, p.matype as number, p.periods);
    },
  ),
  def(
    'SAREXT',
    'overlap',
    'Parabolic SAR, extended (short positions negative)',
    HL,
    [
      real('startvalue', 0, -3e37, 3e37),
      real('offsetonreverse', 0, 0, 3e37),
      real('accelerationinitlong', 0.02, 0, 3e37),
      real('accelerationlong', 0.02, 0, 3e37),
      real('accelerationmaxlong', 0.2, 0, 3e37),
      real('accelerationinitshort', 0.02, 0, 3e37),
      real('accelerationshort', 0.02, 0, 3e37),
      real('accelerationmaxshort', 0.2, 0, 3e37),
    ],
    REAL,
    true,
    (p) =>
      new Sarext(
        p.startvalue,
        p.offsetonreverse,
        p.accelerationinitlong,
        p.accelerationlong,
        p.accelerationmaxlong,
        p.accelerationinitshort,
        p.accelerationshort,
        p.accelerationmaxshort,
      ),
  ),
  def(
    'HT_TRENDLINE',
    'overlap',
    'Hilbert transform: instantaneous trendline',
    C,
    [],
    REAL,
    true,
    () => new HilbertTransform('HT_TRENDLINE'),
  ),
  // Momentum.
  def(
    'MACDEXT',
    'momentum',
    'MACD with an MA type for each line',
    C,
    [
      period(12, 2, 'fastperiod'),
      matype('fastmatype'),
      period(26, 2, 'slowperiod'),
      matype('slowmatype'),
      period(9, 1, 'signalperiod'),
      matype('signalmatype'),
    ],
    ['macd', 'macdsignal', 'macdhist'],
    false,
    (p) =>
      new MacdExt(
        p.fastperiod as number,
        p.fastmatype as number,
        p.slowperiod as number,
        p.slowmatype as number,
        p.signalperiod as number,
        p.signalmatype as number,
      ),
  ),
  def(
    'MACDFIX',
    'momentum',
    'MACD 12/26 with fixed factors 0.15 and 0.075',
    C,
    [period(9, 1, 'signalperiod')],
    ['macd', 'macdsignal', 'macdhist'],
    false,
    (p) => new Macd(12, 26, p.signalperiod as number, true),
  ),
  def('IMI', 'momentum', 'Intraday momentum index', ['open', 'close'], [period(14)], REAL, false, (p) => new Imi(p.timeperiod as number)),
  // Cycle indicators.
  ...(
    [
      ['HT_DCPERIOD', 'Hilbert transform: dominant cycle period', REAL],
      ['HT_DCPHASE', 'Hilbert transform: dominant cycle phase', REAL],
      ['HT_PHASOR', 'Hilbert transform: phasor components', ['inphase', 'quadrature']],
      ['HT_SINE', 'Hilbert transform: sine wave', ['sine', 'leadsine']],
      ['HT_TRENDMODE', 'Hilbert transform: trend (1) vs cycle (0) mode', ['integer']],
    ] as const
  ).map(([k, d, outs]) => def(k, 'cycle', d, C, [], [...outs], false, () => new HilbertTransform(k as HtKind))),
  // Beyond TA-Lib (source 'extra'), in TA-Lib's groups.
  def(
    'VWAP',
    'overlap',
    'Volume-weighted average price, reset every `session` hours of UTC time (0: never) from `anchor` (epoch ms)',
    HLCV,
    [real('session', 24, 0, 1e6), real('anchor', 0, -1e15, 1e15)],
    REAL,
    true,
    (p) => new Vwap(p.session, p.anchor),
    'extra',
  ),
  def(
    'SUPERTREND',
    'overlap',
    'SuperTrend: ATR bands around hl2 that only tighten; direction +1 up, −1 down',
    HLC,
    [period(10, 1), real('multiplier', 3, 0, 1e6)],
    ['supertrend', 'direction'],
    true,
    (p) => new SuperTrend(p.timeperiod as number, p.multiplier as number),
    'extra',
  ),
  def(
    'ICHIMOKU',
    'overlap',
    'Ichimoku cloud: tenkan, kijun, senkou A and B as of this bar (plotted kijun bars ahead)',
    HL,
    [period(9, 1, 'tenkan'), period(26, 1, 'kijun'), period(52, 1, 'senkou')],
    ['tenkan', 'kijun', 'senkou_a', 'senkou_b'],
    true,
    (p) => new Ichimoku(p.tenkan as number, p.kijun as number, p.senkou as number),
    'extra',
  ),
  def(
    'KELTNER',
    'overlap',
    'Keltner channels: EMA ± multiplier · ATR',
    HLC,
    [period(20), period(10, 1, 'atrperiod'), real('multiplier', 2, -1e6, 1e6)],
    ['upperband', 'middleband', 'lowerband'],
    true,
    (p) => new Keltner(p.timeperiod as number, p.atrperiod as number, p.multiplier as number),
    'extra',
  ),
  def(
    'DONCHIAN',
    'overlap',
    'Donchian channels: highest high, midpoint, lowest low',
    HL,
    [period(20, 1)],
    ['upperband', 'middleband', 'lowerband'],
    true,
    (p) => new Donchian(p.timeperiod as number),
    'extra',
  ),
  def('HMA', 'overlap', 'Hull moving average', C, [period(9)], REAL, true, (p) => new Hma(p.timeperiod as number), 'extra'),
  def('ZLEMA', 'overlap', 'Zero-lag EMA', C, [period(20)], REAL, true, (p) => new Zlema(p.timeperiod as number), 'extra'),
  def(
    'ALMA',
    'overlap',
    'Arnaud Legoux moving average',
    C,
    [period(9, 1), real('offset', 0.85, 0, 1), real('sigma', 6, 0.001, 1e6)],
    REAL,
    true,
    (p) => new Alma(p.timeperiod as number, p.offset as number, p.sigma as number),
    'extra',
  ),
  def('HEIKINASHI', 'price', 'Heikin-Ashi candles', OHLC, [], ['open', 'high', 'low', 'close'], true, () => new HeikinAshi(), 'extra'),
  def('CMF', 'volume', 'Chaikin money flow', HLCV, [period(20, 1)], REAL, false, (p) => new Cmf(p.timeperiod as number), 'extra'),
  def(
    'AO',
    'momentum',
    'Awesome oscillator: SMA(fast) − SMA(slow) of the median price',
    HL,
    [period(5, 1, 'fastperiod'), period(34, 1, 'slowperiod')],
    REAL,
    false,
    (p) => new Awesome(p.fastperiod as number, p.slowperiod as number),
    'extra',
  ),
  def('CHOP', 'volatility', 'Choppiness index', HLC, [period(14)], REAL, false, (p) => new Chop(p.timeperiod as number), 'extra'),
  def(
    'VORTEX',
    'momentum',
    'Vortex indicator',
    HLC,
    [period(14, 1)],
    ['plus', 'minus'],
    false,
    (p) => new Vortex(p.timeperiod as number),
    'extra',
  ),
  def(
    'ELDERRAY',
    'momentum',
    'Elder ray: bull power and bear power around an EMA',
    HLC,
    [period(13, 1)],
    ['bullpower', 'bearpower'],
    false,
    (p) => new ElderRay(p.timeperiod as number),
    'extra',
  ),
  def(
    'KST',
    'momentum',
    'Know Sure Thing and its signal line',
    C,
    [
      period(10, 1, 'roc1'),
      period(15, 1, 'roc2'),
      period(20, 1, 'roc3'),
      period(30, 1, 'roc4'),
      period(10, 1, 'sma1'),
      period(10, 1, 'sma2'),
      period(10, 1, 'sma3'),
      period(15, 1, 'sma4'),
      period(9, 1, 'signalperiod'),
    ],
    ['kst', 'signal'],
    false,
    (p) =>
      new Kst(
        [p.roc1 as number, p.roc2 as number, p.roc3 as number, p.roc4 as number],
        [p.sma1 as number, p.sma2 as number, p.sma3 as number, p.sma4 as number],
        p.signalperiod as number,
      ),
    'extra',
  ),
];

const BY_NAME = new Map(DEFINITIONS.map((d) => [d.name, d]));

export function listIndicators(): IndicatorInfo[] {
  return DEFINITIONS.map(({ create: _c, ...info }) => ({
    ...info,
    inputs: [...info.inputs],
    params: info.params.map((p) => ({ ...p })),
    outputs: [...info.outputs],
  }));
}

function definition(name: string): Definition {
  const d = BY_NAME.get(name.toUpperCase());
  if (!d) throw new ParamError(`unknown indicator "${name}" (see \`emp indicators list\`)`);
  return d;
}

/** Defaults filled in, every value checked against its range; unknown names refused. */
export function resolveParams(name: string, given: Record<string, number> = {}): Params {
  const d = definition(name);
  const out: Params = {};
  for (const p of d.params) out[p.name] = p.default;
  for (const [k, v] of Object.entries(given)) {
    const spec = d.params.find((p) => p.name === k.toLowerCase());
    if (!spec) {
      const known = d.params.map((p) => p.name).join(', ') || 'none';
      throw new ParamError(`${d.name}: unknown parameter "${k}" (parameters: ${known})`);
    }
    if (!Number.isFinite(v)) throw new ParamError(`${d.name}: ${spec.name} must be a number`);
    if (spec.type !== 'float' && !Number.isInteger(v)) throw new ParamError(`${d.name}: ${spec.name} must be an integer, got ${v}`);
    if (v < spec.min || v > spec.max) throw new ParamError(`${d.name}: ${spec.name} must be in [${spec.min}, ${spec.max}], got ${v}`);
    out[spec.name] = v;
  }
  return out;
}

/** The streaming form: `update(bar)` for a new bar, `replace(bar)` for the still-open one. */
export function createIndicator(name: string, params?: Record<string, number>): StreamingIndicator {
  return definition(name).create(resolveParams(name, params));
}

/** Bars before the first value, for these parameters (TA-Lib's lookback). */
export function indicatorLookback(name: string, params?: Record<string, number>): number {
  return definition(name).create(resolveParams(name, params)).lookback;
}

/** The batch form: one Float64Array per output, aligned to the input, NaN during warm-up. */
export function computeIndicator(name: string, series: BarSeries, params?: Record<string, number>): Record<string, Float64Array> {
  const d = definition(name);
  const resolved = resolveParams(name, params);
  const kernel = BATCH_KERNELS[d.name];
  const fast = kernel?.(series, resolved);
  if (fast) return Object.fromEntries(d.outputs.map((o, j) => [o, fast[j] as Float64Array]));
  return computeIndicatorStreaming(name, series, resolved);
}

/** The batch form through the streaming form, bar by bar: what the batch kernels must equal. */
export function computeIndicatorStreaming(name: string, series: BarSeries, params?: Record<string, number>): Record<string, Float64Array> {
  const d = definition(name);
  const ind = d.create(resolveParams(name, params));
  const n = series.close.length;
  const outs = d.outputs.map(() => new Float64Array(n));
  const bar: IndicatorBar = { open: 0, high: 0, low: 0, close: 0, volume: 0 };
  const { open, high, low, close, volume } = series;
  const periods = (series as SeriesWithPeriods).periods;
  const k = outs.length;
  for (let i = 0; i < n; i++) {
    bar.open = open[i] as number;
    bar.high = high[i] as number;
    bar.low = low[i] as number;
    bar.close = close[i] as number;
    bar.volume = volume[i] as number;
    if (periods) bar.periods = periods[i] as number;
    bar.time = series.time[i] as number;
    ind.advance(bar);
    for (let j = 0; j < k; j++) (outs[j] as Float64Array)[i] = ind.out[j] as number;
  }
  return Object.fromEntries(d.outputs.map((o, j) => [o, outs[j] as Float64Array]));
}
