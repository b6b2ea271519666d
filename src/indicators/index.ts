/** TA-Lib-compatible indicators, batch and streaming. Pure: no I/O; runs in the browser. */
export type { IndicatorGroup, IndicatorInfo, ParamSpec, PriceInput, StreamingIndicator } from './indicator.ts';
export { Indicator } from './indicator.ts';
export {
  Aroon,
  Bop,
  Cci,
  Cmo,
  Macd,
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
export { Bbands, Ema, Midpoint, Midprice, MovingAverage, Sar, Sma, T3, Wma } from './overlap.ts';
export { MA_TYPES } from './primitives.ts';
export {
  computeIndicator,
  computeIndicatorStreaming,
  createIndicator,
  indicatorLookback,
  listIndicators,
  resolveParams,
} from './registry.ts';
export { Dispersion, LinearRegression, WindowExtremeIndicator } from './statistic.ts';
export { Atr, DirectionalMovement, Trange } from './volatility.ts';
export { Ad, Adosc, Obv } from './volume.ts';
