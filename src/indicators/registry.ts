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

/** What a definition states; `source` defaults to TA-Lib (the extras say 'extra'). */
type DefinitionSpec = Omit<Definition, 'source'> & Partial<Pick<Definition, 'source'>>;

function def({ name, group, description, inputs, params, outputs, overlay, create, source = 'ta-lib' }: DefinitionSpec): Definition {
  return { name, group, description, inputs, params, outputs, overlay, source, create };
}

const ma = (name: string, type: number, description: string): Definition =>
  def({
    name,
    group: 'overlap',
    description,
    inputs: C,
    params: [period(30)],
    outputs: REAL,
    overlay: true,
    create: (p) => new MovingAverage(maStage(type, p.timeperiod as number)),
  });

const DEFINITIONS: Definition[] = [
  ma('SMA', 0, 'Simple moving average'),
  ma('EMA', 1, 'Exponential moving average (seeded with the SMA of the first period)'),
  ma('WMA', 2, 'Weighted moving average'),
  ma('DEMA', 3, 'Double exponential moving average'),
  ma('TEMA', 4, 'Triple exponential moving average'),
  ma('TRIMA', 5, 'Triangular moving average'),
  ma('KAMA', 6, 'Kaufman adaptive moving average'),
  def({
    name: 'MA',
    group: 'overlap',
    description: 'Moving average of any type',
    inputs: C,
    params: [period(30, 1), matype()],
    outputs: REAL,
    overlay: true,
    create: (p) => new MovingAverage(maStage(p.matype as number, p.timeperiod as number)),
  }),
  def({
    name: 'T3',
    group: 'overlap',
    description: 'Tillson T3 moving average',
    inputs: C,
    params: [period(5), real('vfactor', 0.7, 0, 1)],
    outputs: REAL,
    overlay: true,
    create: (p) => new T3(p.timeperiod as number, p.vfactor as number),
  }),
  def({
    name: 'MIDPOINT',
    group: 'overlap',
    description: 'Midpoint of the close over the period',
    inputs: C,
    params: [period(14)],
    outputs: REAL,
    overlay: true,
    create: (p) => new Midpoint(p.timeperiod as number),
  }),
  def({
    name: 'MIDPRICE',
    group: 'overlap',
    description: 'Midpoint of high and low over the period',
    inputs: HL,
    params: [period(14)],
    outputs: REAL,
    overlay: true,
    create: (p) => new Midprice(p.timeperiod as number),
  }),
  def({
    name: 'SAR',
    group: 'overlap',
    description: 'Parabolic SAR',
    inputs: HL,
    params: [real('acceleration', 0.02, 0, 1), real('maximum', 0.2, 0, 1)],
    outputs: REAL,
    overlay: true,
    create: (p) => new Sar(p.acceleration as number, p.maximum as number),
  }),
  def({
    name: 'BBANDS',
    group: 'overlap',
    description: 'Bollinger Bands',
    inputs: C,
    params: [period(5), real('nbdevup', 2, -BIG, BIG), real('nbdevdn', 2, -BIG, BIG), matype()],
    outputs: ['upperband', 'middleband', 'lowerband'],
    overlay: true,
    create: (p) => new Bbands(p.timeperiod as number, p.nbdevup as number, p.nbdevdn as number, p.matype as number),
  }),
  def({
    name: 'RSI',
    group: 'momentum',
    description: 'Relative strength index (Wilder)',
    inputs: C,
    params: [period(14)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Rsi(p.timeperiod as number),
  }),
  def({
    name: 'CMO',
    group: 'momentum',
    description: 'Chande momentum oscillator',
    inputs: C,
    params: [period(14)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Cmo(p.timeperiod as number),
  }),
  def({
    name: 'MOM',
    group: 'momentum',
    description: 'Momentum (difference over the period)',
    inputs: C,
    params: [period(10, 1)],
    outputs: REAL,
    overlay: false,
    create: (p) => new RateOfChange('MOM', p.timeperiod as number),
  }),
  def({
    name: 'ROC',
    group: 'momentum',
    description: 'Rate of change, percent',
    inputs: C,
    params: [period(10, 1)],
    outputs: REAL,
    overlay: false,
    create: (p) => new RateOfChange('ROC', p.timeperiod as number),
  }),
  def({
    name: 'ROCP',
    group: 'momentum',
    description: 'Rate of change, fraction',
    inputs: C,
    params: [period(10, 1)],
    outputs: REAL,
    overlay: false,
    create: (p) => new RateOfChange('ROCP', p.timeperiod as number),
  }),
  def({
    name: 'ROCR',
    group: 'momentum',
    description: 'Rate of change ratio',
    inputs: C,
    params: [period(10, 1)],
    outputs: REAL,
    overlay: false,
    create: (p) => new RateOfChange('ROCR', p.timeperiod as number),
  }),
  def({
    name: 'ROCR100',
    group: 'momentum',
    description: 'Rate of change ratio × 100',
    inputs: C,
    params: [period(10, 1)],
    outputs: REAL,
    overlay: false,
    create: (p) => new RateOfChange('ROCR100', p.timeperiod as number),
  }),
  def({
    name: 'MACD',
    group: 'momentum',
    description: 'Moving average convergence/divergence',
    inputs: C,
    params: [period(12, 2, 'fastperiod'), period(26, 2, 'slowperiod'), period(9, 1, 'signalperiod')],
    outputs: ['macd', 'macdsignal', 'macdhist'],
    overlay: false,
    create: (p) => new Macd(p.fastperiod as number, p.slowperiod as number, p.signalperiod as number),
  }),
  def({
    name: 'APO',
    group: 'momentum',
    description: 'Absolute price oscillator',
    inputs: C,
    params: [period(12, 2, 'fastperiod'), period(26, 2, 'slowperiod'), matype()],
    outputs: REAL,
    overlay: false,
    create: (p) => new PriceOscillator(false, p.fastperiod as number, p.slowperiod as number, p.matype as number),
  }),
  def({
    name: 'PPO',
    group: 'momentum',
    description: 'Percentage price oscillator',
    inputs: C,
    params: [period(12, 2, 'fastperiod'), period(26, 2, 'slowperiod'), matype()],
    outputs: REAL,
    overlay: false,
    create: (p) => new PriceOscillator(true, p.fastperiod as number, p.slowperiod as number, p.matype as number),
  }),
  def({
    name: 'STOCH',
    group: 'momentum',
    description: 'Stochastic (slow)',
    inputs: HLC,
    params: [
      period(5, 1, 'fastk_period'),
      period(3, 1, 'slowk_period'),
      matype('slowk_matype'),
      period(3, 1, 'slowd_period'),
      matype('slowd_matype'),
    ],
    outputs: ['slowk', 'slowd'],
    overlay: false,
    create: (p) =>
      new Stoch(
        p.fastk_period as number,
        p.slowk_period as number,
        p.slowk_matype as number,
        p.slowd_period as number,
        p.slowd_matype as number,
      ),
  }),
  def({
    name: 'STOCHF',
    group: 'momentum',
    description: 'Stochastic (fast)',
    inputs: HLC,
    params: [period(5, 1, 'fastk_period'), period(3, 1, 'fastd_period'), matype('fastd_matype')],
    outputs: ['fastk', 'fastd'],
    overlay: false,
    create: (p) => new Stochf(p.fastk_period as number, p.fastd_period as number, p.fastd_matype as number),
  }),
  def({
    name: 'STOCHRSI',
    group: 'momentum',
    description: 'Stochastic of the RSI',
    inputs: C,
    params: [period(14), period(5, 1, 'fastk_period'), period(3, 1, 'fastd_period'), matype('fastd_matype')],
    outputs: ['fastk', 'fastd'],
    overlay: false,
    create: (p) => new StochRsi(p.timeperiod as number, p.fastk_period as number, p.fastd_period as number, p.fastd_matype as number),
  }),
  def({
    name: 'WILLR',
    group: 'momentum',
    description: "Williams' %R",
    inputs: HLC,
    params: [period(14)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Willr(p.timeperiod as number),
  }),
  def({
    name: 'CCI',
    group: 'momentum',
    description: 'Commodity channel index',
    inputs: HLC,
    params: [period(14)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Cci(p.timeperiod as number),
  }),
  def({
    name: 'BOP',
    group: 'momentum',
    description: 'Balance of power',
    inputs: OHLC,
    params: [],
    outputs: REAL,
    overlay: false,
    create: () => new Bop(),
  }),
  def({
    name: 'AROON',
    group: 'momentum',
    description: 'Aroon',
    inputs: HL,
    params: [period(14)],
    outputs: ['aroondown', 'aroonup'],
    overlay: false,
    create: (p) => new Aroon(p.timeperiod as number),
  }),
  def({
    name: 'AROONOSC',
    group: 'momentum',
    description: 'Aroon oscillator',
    inputs: HL,
    params: [period(14)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Aroon(p.timeperiod as number, true),
  }),
  def({
    name: 'ULTOSC',
    group: 'momentum',
    description: 'Ultimate oscillator',
    inputs: HLC,
    params: [period(7, 1, 'timeperiod1'), period(14, 1, 'timeperiod2'), period(28, 1, 'timeperiod3')],
    outputs: REAL,
    overlay: false,
    create: (p) => new Ultosc(p.timeperiod1 as number, p.timeperiod2 as number, p.timeperiod3 as number),
  }),
  def({
    name: 'TRIX',
    group: 'momentum',
    description: '1-bar rate of change of a triple EMA',
    inputs: C,
    params: [period(30, 1)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Trix(p.timeperiod as number),
  }),
  def({
    name: 'MFI',
    group: 'volume',
    description: 'Money flow index',
    inputs: HLCV,
    params: [period(14)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Mfi(p.timeperiod as number),
  }),
  def({
    name: 'TRANGE',
    group: 'volatility',
    description: 'True range',
    inputs: HLC,
    params: [],
    outputs: REAL,
    overlay: false,
    create: () => new Trange(),
  }),
  def({
    name: 'ATR',
    group: 'volatility',
    description: 'Average true range (Wilder)',
    inputs: HLC,
    params: [period(14, 1)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Atr(p.timeperiod as number),
  }),
  def({
    name: 'NATR',
    group: 'volatility',
    description: 'Normalized ATR, percent of close',
    inputs: HLC,
    params: [period(14, 1)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Atr(p.timeperiod as number, true),
  }),
  ...(['PLUS_DM', 'MINUS_DM', 'PLUS_DI', 'MINUS_DI', 'DX', 'ADX', 'ADXR'] as const).map((k) =>
    def({
      name: k,
      group: 'momentum',
      description: {
        PLUS_DM: 'Plus directional movement',
        MINUS_DM: 'Minus directional movement',
        PLUS_DI: 'Plus directional indicator',
        MINUS_DI: 'Minus directional indicator',
        DX: 'Directional movement index',
        ADX: 'Average directional movement index',
        ADXR: 'ADX rating',
      }[k],
      inputs: k.endsWith('_DM') ? HL : HLC,
      params: [period(14, k.endsWith('_DM') || k.endsWith('_DI') ? 1 : 2)],
      outputs: REAL,
      overlay: false,
      create: (p) => new DirectionalMovement(k, p.timeperiod as number),
    }),
  ),
  def({
    name: 'OBV',
    group: 'volume',
    description: 'On-balance volume',
    inputs: CV,
    params: [],
    outputs: REAL,
    overlay: false,
    create: () => new Obv(),
  }),
  def({
    name: 'AD',
    group: 'volume',
    description: 'Chaikin accumulation/distribution line',
    inputs: HLCV,
    params: [],
    outputs: REAL,
    overlay: false,
    create: () => new Ad(),
  }),
  def({
    name: 'ADOSC',
    group: 'volume',
    description: 'Chaikin A/D oscillator',
    inputs: HLCV,
    params: [period(3, 2, 'fastperiod'), period(10, 2, 'slowperiod')],
    outputs: REAL,
    overlay: false,
    create: (p) => new Adosc(p.fastperiod as number, p.slowperiod as number),
  }),
  def({
    name: 'MAX',
    group: 'math-operator',
    description: 'Highest close over the period',
    inputs: C,
    params: [period(30)],
    outputs: REAL,
    overlay: true,
    create: (p) => new WindowExtremeIndicator(true, p.timeperiod as number),
  }),
  def({
    name: 'MIN',
    group: 'math-operator',
    description: 'Lowest close over the period',
    inputs: C,
    params: [period(30)],
    outputs: REAL,
    overlay: true,
    create: (p) => new WindowExtremeIndicator(false, p.timeperiod as number),
  }),
  def({
    name: 'STDDEV',
    group: 'statistic',
    description: 'Standard deviation (population) × nbdev',
    inputs: C,
    params: [period(5), real('nbdev', 1, -BIG, BIG)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Dispersion(true, p.timeperiod as number, p.nbdev as number),
  }),
  def({
    name: 'VAR',
    group: 'statistic',
    description: 'Variance (population)',
    inputs: C,
    params: [period(5, 1), real('nbdev', 1, -BIG, BIG)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Dispersion(false, p.timeperiod as number),
  }),
  ...(
    [
      ['LINEARREG', 'Linear regression: value at the last bar', true],
      ['LINEARREG_SLOPE', 'Linear regression slope', false],
      ['LINEARREG_INTERCEPT', 'Linear regression intercept (at the first bar of the window)', true],
      ['LINEARREG_ANGLE', 'Linear regression angle, degrees', false],
      ['TSF', 'Time series forecast (regression one bar ahead)', true],
    ] as const
  ).map(([k, d, overlay]) =>
    def({
      name: k,
      group: 'statistic',
      description: d,
      inputs: C,
      params: [period(14)],
      outputs: REAL,
      overlay: overlay,
      create: (p) => new LinearRegression(k, p.timeperiod as number),
    }),
  ),
  // Math transforms and operators, price transforms.
  ...Object.entries(MATH_TRANSFORMS).map(([k, [d, fn]]) =>
    def({
      name: k,
      group: 'math-transform',
      description: d,
      inputs: C,
      params: [],
      outputs: REAL,
      overlay: false,
      create: () => new MathTransform(fn),
    }),
  ),
  ...(
    [
      ['ADD', 'Vector arithmetic add'],
      ['SUB', 'Vector arithmetic subtraction'],
      ['MULT', 'Vector arithmetic multiply'],
      ['DIV', 'Vector arithmetic divide'],
    ] as const
  ).map(([k, d]) =>
    def({
      name: k,
      group: 'math-operator',
      description: `${d} (price0, price1)`,
      inputs: HL,
      params: TWO,
      outputs: REAL,
      overlay: false,
      create: (p) => new BinaryOperator(k as BinaryKind, p.price0, p.price1),
    }),
  ),
  def({
    name: 'SUM',
    group: 'math-operator',
    description: 'Summation over the period',
    inputs: C,
    params: [period(30)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Sum(p.timeperiod as number),
  }),
  ...(
    [
      ['MAXINDEX', 'Index of the highest close over the period', ['integer']],
      ['MININDEX', 'Index of the lowest close over the period', ['integer']],
      ['MINMAX', 'Lowest and highest close over the period', ['min', 'max']],
      ['MINMAXINDEX', 'Indexes of the lowest and highest close over the period', ['minidx', 'maxidx']],
    ] as const
  ).map(([k, d, outs]) =>
    def({
      name: k,
      group: 'math-operator',
      description: d,
      inputs: C,
      params: [period(30)],
      outputs: [...outs],
      overlay: false,
      create: (p) => new WindowIndex(k as ExtremeKind, p.timeperiod as number),
    }),
  ),
  ...(
    [
      ['AVGPRICE', 'Average price (o + h + l + c) / 4', OHLC],
      ['MEDPRICE', 'Median price (h + l) / 2', HL],
      ['TYPPRICE', 'Typical price (h + l + c) / 3', HLC],
      ['WCLPRICE', 'Weighted close price (h + l + 2c) / 4', HLC],
    ] as const
  ).map(([k, d, inputs]) =>
    def({
      name: k,
      group: 'price',
      description: d,
      inputs: inputs,
      params: [],
      outputs: REAL,
      overlay: true,
      create: () => new PriceTransform(k as PriceKind),
    }),
  ),
  def({
    name: 'AVGDEV',
    group: 'price',
    description: 'Average (mean absolute) deviation',
    inputs: C,
    params: [period(14)],
    outputs: REAL,
    overlay: false,
    create: (p) => new AvgDev(p.timeperiod as number),
  }),
  // Statistic functions of two series.
  def({
    name: 'BETA',
    group: 'statistic',
    description: 'Beta of price0 returns on price1 returns',
    inputs: HL,
    params: [period(5, 1), ...TWO],
    outputs: REAL,
    overlay: false,
    create: (p) => new Beta(p.timeperiod as number, p.price0, p.price1),
  }),
  def({
    name: 'CORREL',
    group: 'statistic',
    description: "Pearson's correlation coefficient of price0 and price1",
    inputs: HL,
    params: [period(30, 1), ...TWO],
    outputs: REAL,
    overlay: false,
    create: (p) => new Correl(p.timeperiod as number, p.price0, p.price1),
  }),
  // Overlap studies.
  def({
    name: 'ACCBANDS',
    group: 'overlap',
    description: 'Acceleration bands',
    inputs: HLC,
    params: [period(20)],
    outputs: ['upperband', 'middleband', 'lowerband'],
    overlay: true,
    create: (p) => new Accbands(p.timeperiod as number),
  }),
  def({
    name: 'MAMA',
    group: 'overlap',
    description: 'MESA adaptive moving average',
    inputs: C,
    params: [real('fastlimit', 0.5, 0.01, 0.99), real('slowlimit', 0.05, 0.01, 0.99)],
    outputs: ['mama', 'fama'],
    overlay: true,
    create: (p) => new Mama(p.fastlimit as number, p.slowlimit as number),
  }),
  def({
    name: 'MAVP',
    group: 'overlap',
    description: 'Moving average with a variable period (from the periods column)',
    inputs: ['close', 'periods'],
    params: [period(2, 2, 'minperiod'), period(30, 2, 'maxperiod'), matype(), col('periods', 'periods')],
    outputs: REAL,
    overlay: true,
    create: (p) => {
      // TA-Lib accepts it but then misaligns its output; refuse instead.
      if ((p.minperiod as number) > (p.maxperiod as number)) throw new ParamError('MAVP: minperiod must not exceed maxperiod');
      return new Mavp(p.minperiod as number, p.maxperiod as number, p.matype as number, p.periods);
    },
  }),
  def({
    name: 'SAREXT',
    group: 'overlap',
    description: 'Parabolic SAR, extended (short positions negative)',
    inputs: HL,
    params: [
      real('startvalue', 0, -3e37, 3e37),
      real('offsetonreverse', 0, 0, 3e37),
      real('accelerationinitlong', 0.02, 0, 3e37),
      real('accelerationlong', 0.02, 0, 3e37),
      real('accelerationmaxlong', 0.2, 0, 3e37),
      real('accelerationinitshort', 0.02, 0, 3e37),
      real('accelerationshort', 0.02, 0, 3e37),
      real('accelerationmaxshort', 0.2, 0, 3e37),
    ],
    outputs: REAL,
    overlay: true,
    create: (p) =>
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
  }),
  def({
    name: 'HT_TRENDLINE',
    group: 'overlap',
    description: 'Hilbert transform: instantaneous trendline',
    inputs: C,
    params: [],
    outputs: REAL,
    overlay: true,
    create: () => new HilbertTransform('HT_TRENDLINE'),
  }),
  // Momentum.
  def({
    name: 'MACDEXT',
    group: 'momentum',
    description: 'MACD with an MA type for each line',
    inputs: C,
    params: [
      period(12, 2, 'fastperiod'),
      matype('fastmatype'),
      period(26, 2, 'slowperiod'),
      matype('slowmatype'),
      period(9, 1, 'signalperiod'),
      matype('signalmatype'),
    ],
    outputs: ['macd', 'macdsignal', 'macdhist'],
    overlay: false,
    create: (p) =>
      new MacdExt(
        p.fastperiod as number,
        p.fastmatype as number,
        p.slowperiod as number,
        p.slowmatype as number,
        p.signalperiod as number,
        p.signalmatype as number,
      ),
  }),
  def({
    name: 'MACDFIX',
    group: 'momentum',
    description: 'MACD 12/26 with fixed factors 0.15 and 0.075',
    inputs: C,
    params: [period(9, 1, 'signalperiod')],
    outputs: ['macd', 'macdsignal', 'macdhist'],
    overlay: false,
    create: (p) => new Macd(12, 26, p.signalperiod as number, true),
  }),
  def({
    name: 'IMI',
    group: 'momentum',
    description: 'Intraday momentum index',
    inputs: ['open', 'close'],
    params: [period(14)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Imi(p.timeperiod as number),
  }),
  // Cycle indicators.
  ...(
    [
      ['HT_DCPERIOD', 'Hilbert transform: dominant cycle period', REAL],
      ['HT_DCPHASE', 'Hilbert transform: dominant cycle phase', REAL],
      ['HT_PHASOR', 'Hilbert transform: phasor components', ['inphase', 'quadrature']],
      ['HT_SINE', 'Hilbert transform: sine wave', ['sine', 'leadsine']],
      ['HT_TRENDMODE', 'Hilbert transform: trend (1) vs cycle (0) mode', ['integer']],
    ] as const
  ).map(([k, d, outs]) =>
    def({
      name: k,
      group: 'cycle',
      description: d,
      inputs: C,
      params: [],
      outputs: [...outs],
      overlay: false,
      create: () => new HilbertTransform(k as HtKind),
    }),
  ),
  // Beyond TA-Lib (source 'extra'), in TA-Lib's groups.
  def({
    name: 'VWAP',
    group: 'overlap',
    description: 'Volume-weighted average price, reset every `session` hours of UTC time (0: never) from `anchor` (epoch ms)',
    inputs: HLCV,
    params: [real('session', 24, 0, 1e6), real('anchor', 0, -1e15, 1e15)],
    outputs: REAL,
    overlay: true,
    create: (p) => new Vwap(p.session, p.anchor),
    source: 'extra',
  }),
  def({
    name: 'SUPERTREND',
    group: 'overlap',
    description: 'SuperTrend: ATR bands around hl2 that only tighten; direction +1 up, −1 down',
    inputs: HLC,
    params: [period(10, 1), real('multiplier', 3, 0, 1e6)],
    outputs: ['supertrend', 'direction'],
    overlay: true,
    create: (p) => new SuperTrend(p.timeperiod as number, p.multiplier as number),
    source: 'extra',
  }),
  def({
    name: 'ICHIMOKU',
    group: 'overlap',
    description: 'Ichimoku cloud: tenkan, kijun, senkou A and B as of this bar (plotted kijun bars ahead)',
    inputs: HL,
    params: [period(9, 1, 'tenkan'), period(26, 1, 'kijun'), period(52, 1, 'senkou')],
    outputs: ['tenkan', 'kijun', 'senkou_a', 'senkou_b'],
    overlay: true,
    create: (p) => new Ichimoku(p.tenkan as number, p.kijun as number, p.senkou as number),
    source: 'extra',
  }),
  def({
    name: 'KELTNER',
    group: 'overlap',
    description: 'Keltner channels: EMA ± multiplier · ATR',
    inputs: HLC,
    params: [period(20), period(10, 1, 'atrperiod'), real('multiplier', 2, -1e6, 1e6)],
    outputs: ['upperband', 'middleband', 'lowerband'],
    overlay: true,
    create: (p) => new Keltner(p.timeperiod as number, p.atrperiod as number, p.multiplier as number),
    source: 'extra',
  }),
  def({
    name: 'DONCHIAN',
    group: 'overlap',
    description: 'Donchian channels: highest high, midpoint, lowest low',
    inputs: HL,
    params: [period(20, 1)],
    outputs: ['upperband', 'middleband', 'lowerband'],
    overlay: true,
    create: (p) => new Donchian(p.timeperiod as number),
    source: 'extra',
  }),
  def({
    name: 'HMA',
    group: 'overlap',
    description: 'Hull moving average',
    inputs: C,
    params: [period(9)],
    outputs: REAL,
    overlay: true,
    create: (p) => new Hma(p.timeperiod as number),
    source: 'extra',
  }),
  def({
    name: 'ZLEMA',
    group: 'overlap',
    description: 'Zero-lag EMA',
    inputs: C,
    params: [period(20)],
    outputs: REAL,
    overlay: true,
    create: (p) => new Zlema(p.timeperiod as number),
    source: 'extra',
  }),
  def({
    name: 'ALMA',
    group: 'overlap',
    description: 'Arnaud Legoux moving average',
    inputs: C,
    params: [period(9, 1), real('offset', 0.85, 0, 1), real('sigma', 6, 0.001, 1e6)],
    outputs: REAL,
    overlay: true,
    create: (p) => new Alma(p.timeperiod as number, p.offset as number, p.sigma as number),
    source: 'extra',
  }),
  def({
    name: 'HEIKINASHI',
    group: 'price',
    description: 'Heikin-Ashi candles',
    inputs: OHLC,
    params: [],
    outputs: ['open', 'high', 'low', 'close'],
    overlay: true,
    create: () => new HeikinAshi(),
    source: 'extra',
  }),
  def({
    name: 'CMF',
    group: 'volume',
    description: 'Chaikin money flow',
    inputs: HLCV,
    params: [period(20, 1)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Cmf(p.timeperiod as number),
    source: 'extra',
  }),
  def({
    name: 'AO',
    group: 'momentum',
    description: 'Awesome oscillator: SMA(fast) − SMA(slow) of the median price',
    inputs: HL,
    params: [period(5, 1, 'fastperiod'), period(34, 1, 'slowperiod')],
    outputs: REAL,
    overlay: false,
    create: (p) => new Awesome(p.fastperiod as number, p.slowperiod as number),
    source: 'extra',
  }),
  def({
    name: 'CHOP',
    group: 'volatility',
    description: 'Choppiness index',
    inputs: HLC,
    params: [period(14)],
    outputs: REAL,
    overlay: false,
    create: (p) => new Chop(p.timeperiod as number),
    source: 'extra',
  }),
  def({
    name: 'VORTEX',
    group: 'momentum',
    description: 'Vortex indicator',
    inputs: HLC,
    params: [period(14, 1)],
    outputs: ['plus', 'minus'],
    overlay: false,
    create: (p) => new Vortex(p.timeperiod as number),
    source: 'extra',
  }),
  def({
    name: 'ELDERRAY',
    group: 'momentum',
    description: 'Elder ray: bull power and bear power around an EMA',
    inputs: HLC,
    params: [period(13, 1)],
    outputs: ['bullpower', 'bearpower'],
    overlay: false,
    create: (p) => new ElderRay(p.timeperiod as number),
    source: 'extra',
  }),
  def({
    name: 'KST',
    group: 'momentum',
    description: 'Know Sure Thing and its signal line',
    inputs: C,
    params: [
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
    outputs: ['kst', 'signal'],
    overlay: false,
    create: (p) =>
      new Kst(
        [p.roc1 as number, p.roc2 as number, p.roc3 as number, p.roc4 as number],
        [p.sma1 as number, p.sma2 as number, p.sma3 as number, p.sma4 as number],
        p.signalperiod as number,
      ),
    source: 'extra',
  }),
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
