/** TA-Lib-compatible indicators, batch and streaming. Pure: no I/O; runs in the browser. */
export { HilbertTransform, Mama, MamaStage } from './cycle.ts';
export {
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
export type { Column, IndicatorBar, IndicatorGroup, IndicatorInfo, ParamSpec, PriceInput, StreamingIndicator } from './indicator.ts';
export { COLUMNS, Indicator } from './indicator.ts';
export { inputColumns } from './input-columns.ts';
export { BinaryOperator, MathTransform, PriceTransform, Sum, WindowIndex } from './math.ts';
export {
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
export { Accbands, Bbands, Ema, Mavp, Midpoint, Midprice, MovingAverage, Sar, Sarext, Sma, T3, Wma } from './overlap.ts';
export { MA_TYPES } from './primitives.ts';
export {
  computeIndicator,
  computeIndicatorStreaming,
  createIndicator,
  indicatorLookback,
  listIndicators,
  resolveParams,
  type SeriesWithPeriods,
} from './registry.ts';
export { AvgDev, Beta, Correl, Dispersion, LinearRegression, WindowExtremeIndicator } from './statistic.ts';
export { Atr, DirectionalMovement, Trange } from './volatility.ts';
export { Ad, Adosc, Obv } from './volume.ts';
