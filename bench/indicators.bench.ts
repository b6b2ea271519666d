import { createRequire } from 'node:module';
import { type BarSeries, emptySeries, type Ohlcv } from '../src/core/market.ts';
import { Rng } from '../src/core/random.ts';
import { computeIndicator, createIndicator } from '../src/indicators/index.ts';
import { talib } from '../src/indicators/talib-reference.ts';

const require = createRequire(import.meta.url);
const ti = require('technicalindicators') as Record<string, { calculate(args: Record<string, unknown>): unknown[] }>;
const ts = require('trading-signals') as Record<string, new (...args: unknown[]) => { add(x: unknown): unknown }>;

const N = 1_000_000;

function makeSeries(): BarSeries {
  const rng = new Rng(11);
  const s: BarSeries = emptySeries(N);
  let p = 100;
  for (let i = 0; i < N; i++) {
    const o = p;
    p *= 1 + 0.01 * rng.normal();
    s.time[i] = i * 60_000;
    s.open[i] = o;
    s.close[i] = p;
    s.high[i] = Math.max(o, p) * (1 + 0.003 * rng.next());
    s.low[i] = Math.min(o, p) * (1 - 0.003 * rng.next());
    s.volume[i] = 1000 + 1000 * rng.next();
  }
  return s;
}

/** Best of `runs` timings of fn, ms. */
function time(fn: () => unknown, runs = 3): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

interface Case {
  label: string;
  name: string;
  params: Record<string, number>;
  talib: Record<string, number>;
  /** Absent where the library has no such indicator. */
  ti?: (s: Arrays) => unknown;
  ts?: () => { add(x: unknown): unknown };
  tsInput: 'close' | 'hlc';
}

interface Arrays {
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

const CASES: Case[] = [
  {
    label: 'SMA(20)',
    name: 'SMA',
    params: { timeperiod: 20 },
    talib: { optInTimePeriod: 20 },
    ti: (a) => ti.SMA?.calculate({ period: 20, values: a.close }),
    ts: () => new (ts.SMA as never as new (n: number) => { add(x: unknown): unknown })(20),
    tsInput: 'close',
  },
  {
    label: 'EMA(20)',
    name: 'EMA',
    params: { timeperiod: 20 },
    talib: { optInTimePeriod: 20 },
    ti: (a) => ti.EMA?.calculate({ period: 20, values: a.close }),
    ts: () => new (ts.EMA as never as new (n: number) => { add(x: unknown): unknown })(20),
    tsInput: 'close',
  },
  {
    label: 'RSI(14)',
    name: 'RSI',
    params: { timeperiod: 14 },
    talib: { optInTimePeriod: 14 },
    ti: (a) => ti.RSI?.calculate({ period: 14, values: a.close }),
    ts: () => new (ts.RSI as never as new (n: number) => { add(x: unknown): unknown })(14),
    tsInput: 'close',
  },
  {
    label: 'MACD(12,26,9)',
    name: 'MACD',
    params: {},
    talib: { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 },
    ti: (a) =>
      ti.MACD?.calculate({
        values: a.close,
        fastPeriod: 12,
        slowPeriod: 26,
        signalPeriod: 9,
        SimpleMAOscillator: false,
        SimpleMASignal: false,
      }),
    ts: () => {
      const E = ts.EMA as never as new (n: number) => unknown;
      return new (ts.MACD as never as new (a: unknown, b: unknown, c: unknown) => { add(x: unknown): unknown })(
        new E(12),
        new E(26),
        new E(9),
      );
    },
    tsInput: 'close',
  },
  {
    label: 'BBANDS(20,2)',
    name: 'BBANDS',
    params: { timeperiod: 20 },
    talib: { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 },
    ti: (a) => ti.BollingerBands?.calculate({ period: 20, values: a.close, stdDev: 2 }),
    ts: () => new (ts.BollingerBands as never as new (n: number, d: number) => { add(x: unknown): unknown })(20, 2),
    tsInput: 'close',
  },
  {
    label: 'ATR(14)',
    name: 'ATR',
    params: { timeperiod: 14 },
    talib: { optInTimePeriod: 14 },
    ti: (a) => ti.ATR?.calculate({ high: a.high, low: a.low, close: a.close, period: 14 }),
    ts: () => new (ts.ATR as never as new (n: number) => { add(x: unknown): unknown })(14),
    tsInput: 'hlc',
  },
  {
    label: 'STOCH(5,3,3)',
    name: 'STOCH',
    params: {},
    talib: { optInFastK_Period: 5, optInSlowK_Period: 3, optInSlowK_MAType: 0, optInSlowD_Period: 3, optInSlowD_MAType: 0 },
    ti: (a) => ti.Stochastic?.calculate({ high: a.high, low: a.low, close: a.close, period: 5, signalPeriod: 3 }),
    ts: () => new (ts.StochasticOscillator as never as new (a: number, b: number, c: number) => { add(x: unknown): unknown })(5, 3, 3),
    tsInput: 'hlc',
  },
  {
    label: 'HT_SINE',
    name: 'HT_SINE',
    params: {},
    talib: {},
    tsInput: 'close',
  },
  {
    label: 'MAMA(0.5,0.05)',
    name: 'MAMA',
    params: {},
    talib: { optInFastLimit: 0.5, optInSlowLimit: 0.05 },
    ts: () => new (ts.MAMA as never as new (c: unknown) => { add(x: unknown): unknown })({ fastLimit: 0.5, slowLimit: 0.05 }),
    tsInput: 'close',
  },
];

const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;
const rate = (ms: number): string => `${(((N / ms) * 1000) / 1e6).toFixed(1)}M/s`;

export default async function run(): Promise<void> {
  const s = makeSeries();
  const arrays: Arrays = {
    open: Array.from(s.open),
    high: Array.from(s.high),
    low: Array.from(s.low),
    close: Array.from(s.close),
    volume: Array.from(s.volume),
  };
  const bars: Ohlcv[] = Array.from({ length: N }, (_, i) => ({
    open: s.open[i] as number,
    high: s.high[i] as number,
    low: s.low[i] as number,
    close: s.close[i] as number,
    volume: s.volume[i] as number,
  }));
  const hlc = bars.map((b) => ({ high: b.high, low: b.low, close: b.close }));
  console.log(
    `indicators: one series of ${N.toLocaleString('en-US')} bars, every library in this process; batch = whole series, streaming = one update() per bar; best of 3 (technicalindicators and trading-signals: 1 run)`,
  );
  console.log(
    '| indicator | ours batch | ours streaming | TA-Lib C (talib) | technicalindicators | trading-signals | ours batch ÷ TA-Lib | technicalindicators ÷ ours batch |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const c of CASES) {
    const batch = time(() => computeIndicator(c.name, s, c.params));
    const stream = time(() => {
      const ind = createIndicator(c.name, c.params);
      for (let i = 0; i < N; i++) ind.update(bars[i] as Ohlcv);
    });
    const inputs: Record<string, unknown> =
      c.tsInput === 'close' ? { inReal: arrays.close } : { high: arrays.high, low: arrays.low, close: arrays.close };
    const tl = time(() => talib.execute({ name: c.name, startIdx: 0, endIdx: N - 1, ...inputs, ...c.talib }));
    const tiRun = c.ti;
    const tiMs = tiRun ? time(() => tiRun(arrays), 1) : Number.NaN;
    const tsMake = c.ts;
    const tsMs = tsMake
      ? time(() => {
          const ind = tsMake();
          if (c.tsInput === 'close') for (let i = 0; i < N; i++) ind.add(arrays.close[i]);
          else for (let i = 0; i < N; i++) ind.add(hlc[i]);
        }, 1)
      : Number.NaN;
    const opt = (ms: number): string => (Number.isNaN(ms) ? '—' : fmt(ms));
    console.log(
      `| ${c.label} | ${fmt(batch)} (${rate(batch)}) | ${fmt(stream)} (${rate(stream)}) | ${fmt(tl)} | ${opt(tiMs)} | ${opt(tsMs)} | ${(batch / tl).toFixed(2)}× | ${Number.isNaN(tiMs) ? '—' : `${(tiMs / batch).toFixed(0)}×`} |`,
    );
  }
  console.log(
    'targets: ours batch within 1.5× of TA-Lib C; streaming ≥ 10M updates/s for SMA/EMA/RSI; ≥ 50× faster than technicalindicators',
  );
}
