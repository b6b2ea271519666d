import { type BarSeries, emptySeries } from '../src/core/market.ts';
import { Rng } from '../src/core/random.ts';
import { talib } from '../src/indicators/talib-reference.ts';
import { CANDLESTICK_PATTERNS, scanCandlesticks } from '../src/patterns/candlestick.ts';
import { CHART_PATTERNS, detectChartPatterns } from '../src/patterns/chart.ts';

const N = 1_000_000;

function candles(): BarSeries {
  const rng = new Rng(21);
  const s: BarSeries = emptySeries(N);
  let p = 100;
  for (let i = 0; i < N; i++) {
    const o = p;
    p *= 1 + 0.01 * rng.normal();
    s.open[i] = o;
    s.close[i] = p;
    s.high[i] = Math.max(o, p) * (1 + 0.004 * rng.next());
    s.low[i] = Math.min(o, p) * (1 - 0.004 * rng.next());
  }
  return s;
}

export default async function run(): Promise<void> {
  const s = candles();
  const t0 = performance.now();
  scanCandlesticks(s);
  const ours = performance.now() - t0;
  const args = { open: Array.from(s.open), high: Array.from(s.high), low: Array.from(s.low), close: Array.from(s.close) };
  const t1 = performance.now();
  for (const name of CANDLESTICK_PATTERNS) {
    const opt: Record<string, number> = {};
    for (const o of talib.explain(name).optInputs) opt[o.name] = o.defaultValue;
    talib.execute({ name, startIdx: 0, endIdx: N - 1, ...args, ...opt });
  }
  const ref = performance.now() - t1;
  console.log(`candlestick: all ${CANDLESTICK_PATTERNS.length} patterns over ${N.toLocaleString('en-US')} bars, one run each`);
  console.log('| implementation | time (ms) | bar-patterns/s |');
  console.log('|---|---|---|');
  const rate = (ms: number): string => `${Math.round(((N * CANDLESTICK_PATTERNS.length) / ms) * 1000).toLocaleString('en-US')}`;
  console.log(`| ours (scanCandlesticks) | ${ours.toFixed(0)} | ${rate(ours)} |`);
  console.log(`| TA-Lib C via the talib binding (61 calls, arrays copied each call) | ${ref.toFixed(0)} | ${rate(ref)} |`);
  const t2 = performance.now();
  const hits = detectChartPatterns(s);
  const chart = performance.now() - t2;
  console.log(
    `chart patterns (pivots + ${CHART_PATTERNS.length} kinds) over the same ${N.toLocaleString('en-US')} bars: ${chart.toFixed(0)} ms, ${hits.length.toLocaleString('en-US')} hits (TA-Lib has no chart patterns to compare with)`,
  );
}
