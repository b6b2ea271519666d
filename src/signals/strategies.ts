/** Built-in strategies, each a declarative rule set over TA-Lib indicators (see README: Signals). */
import type { StrategySpec } from './engine.ts';

export const STRATEGIES: Record<string, StrategySpec> = {
  trend_following: {
    name: 'trend_following',
    description: 'EMA(12) crosses EMA(26) while ADX(14) > 20 (a trend is present); strength: EMA gap over ATR and ADX above 20',
    indicators: {
      fast: ['EMA', { timeperiod: 12 }],
      slow: ['EMA', { timeperiod: 26 }],
      adx: ['ADX', { timeperiod: 14 }],
      atr: ['ATR', { timeperiod: 14 }],
    },
    buy: [
      { left: { ind: 'fast' }, op: 'crosses_above', right: { ind: 'slow' }, scale: { ind: 'atr' }, why: 'EMA(12) crossed above EMA(26)' },
      { left: { ind: 'adx' }, op: '>', right: 20, scale: 20, why: 'ADX(14) > 20' },
    ],
    sell: [
      { left: { ind: 'fast' }, op: 'crosses_below', right: { ind: 'slow' }, scale: { ind: 'atr' }, why: 'EMA(12) crossed below EMA(26)' },
      { left: { ind: 'adx' }, op: '>', right: 20, scale: 20, why: 'ADX(14) > 20' },
    ],
    suppress: { buy: ['crash'], sell: ['recovery'] },
  },
  mean_reversion: {
    name: 'mean_reversion',
    description: 'RSI(14) < 30 and close below the lower Bollinger band (buy), or RSI > 70 above the upper band (sell)',
    indicators: { rsi: ['RSI', { timeperiod: 14 }], bb: ['BBANDS', { timeperiod: 20 }], atr: ['ATR', { timeperiod: 14 }] },
    buy: [
      { left: { ind: 'rsi' }, op: '<', right: 30, scale: 20, why: 'RSI(14) < 30' },
      {
        left: 'close',
        op: '<',
        right: { ind: 'bb', out: 'lowerband' },
        scale: { ind: 'atr' },
        why: 'close below the lower Bollinger band',
      },
    ],
    sell: [
      { left: { ind: 'rsi' }, op: '>', right: 70, scale: 20, why: 'RSI(14) > 70' },
      {
        left: 'close',
        op: '>',
        right: { ind: 'bb', out: 'upperband' },
        scale: { ind: 'atr' },
        why: 'close above the upper Bollinger band',
      },
    ],
    suppress: { buy: ['crash'], sell: ['bull'] },
  },
  breakout: {
    name: 'breakout',
    description: 'close beyond the previous 20-bar closing high (low), with ROC(10) in the same direction',
    indicators: {
      hi: ['MAX', { timeperiod: 20 }],
      lo: ['MIN', { timeperiod: 20 }],
      roc: ['ROC', { timeperiod: 10 }],
      atr: ['ATR', { timeperiod: 14 }],
    },
    buy: [
      { left: 'close', op: '>', right: { ind: 'hi', prev: true }, scale: { ind: 'atr' }, why: 'close above the previous 20-bar high' },
      { left: { ind: 'roc' }, op: '>', right: 0, scale: 5, why: 'ROC(10) > 0' },
    ],
    sell: [
      { left: 'close', op: '<', right: { ind: 'lo', prev: true }, scale: { ind: 'atr' }, why: 'close below the previous 20-bar low' },
      { left: { ind: 'roc' }, op: '<', right: 0, scale: 5, why: 'ROC(10) < 0' },
    ],
    suppress: { buy: ['crash', 'bear'] },
  },
  regime_breakout: {
    name: 'regime_breakout',
    description:
      'breakout, filtered by the regime classifier: buys only in a bull or recovery regime, sells only in a bear or crash regime',
    indicators: {
      hi: ['MAX', { timeperiod: 20 }],
      lo: ['MIN', { timeperiod: 20 }],
      roc: ['ROC', { timeperiod: 10 }],
      atr: ['ATR', { timeperiod: 14 }],
    },
    buy: [
      { left: 'close', op: '>', right: { ind: 'hi', prev: true }, scale: { ind: 'atr' }, why: 'close above the previous 20-bar high' },
      { left: { ind: 'roc' }, op: '>', right: 0, scale: 5, why: 'ROC(10) > 0' },
    ],
    sell: [
      { left: 'close', op: '<', right: { ind: 'lo', prev: true }, scale: { ind: 'atr' }, why: 'close below the previous 20-bar low' },
      { left: { ind: 'roc' }, op: '<', right: 0, scale: 5, why: 'ROC(10) < 0' },
    ],
    // A breakout with the regime's trend only: the regime (not the rule) decides the side it may take.
    suppress: { buy: ['bear', 'crash', 'sideways', 'high_volatility'], sell: ['bull', 'recovery', 'sideways', 'high_volatility'] },
  },
};

/** The moving-average cross used as a baseline (SMA 20/50). */
export const MA_CROSS: StrategySpec = {
  name: 'ma_cross',
  description: 'SMA(20) crosses SMA(50)',
  indicators: { fast: ['SMA', { timeperiod: 20 }], slow: ['SMA', { timeperiod: 50 }] },
  buy: [{ left: { ind: 'fast' }, op: 'crosses_above', right: { ind: 'slow' }, why: 'SMA(20) crossed above SMA(50)' }],
  sell: [{ left: { ind: 'fast' }, op: 'crosses_below', right: { ind: 'slow' }, why: 'SMA(20) crossed below SMA(50)' }],
};
