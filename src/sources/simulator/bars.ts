import { type BarSeries, emptySeries } from '../../core/market.ts';
import { Rng } from '../../core/random.ts';
import type { Regime } from '../../core/regime.ts';
import { type Timeframe, timeframeMs } from '../../core/time.ts';
import { DAILY_REGIME_MODEL, INTRADAY_REGIME_MODEL, LatentMarket, type RegimeModel } from './regime-model.ts';
import type { SimulatedBars } from './types.ts';

export interface SimulateBarsOptions {
  seed: number;
  timeframe: Timeframe;
  count: number;
  symbol?: string;
  initialPrice?: number;
  /** Default: the daily model for 4h and 1d bars, the intraday model below that. */
  model?: RegimeModel;
  start?: number;
  /** Latent steps per bar; high and low come from this path. */
  substeps?: number;
}

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** What both bar generators draw from: the latent market (in `regime` at its price), the volume's random stream, the bar grid. */
function latentBars(opts: SimulateBarsOptions, regime?: Regime) {
  const tfMs = timeframeMs(opts.timeframe);
  const model = opts.model ?? (tfMs >= 4 * 3_600_000 ? DAILY_REGIME_MODEL : INTRADAY_REGIME_MODEL);
  const sub = opts.substeps ?? 24;
  return {
    tfMs,
    sub,
    rng: new Rng(opts.seed ^ 0xba75),
    market: new LatentMarket(model, new Rng(opts.seed), opts.initialPrice ?? 100, tfMs / sub, regime),
    start: opts.start ?? Date.UTC(2010, 0, 4),
  };
}

/**
 * OHLCV bars from the latent regime-switching market, with the planted regime of each bar
 * (the regime in force at the bar's close). Open, high, low and close come from an intrabar
 * path, so high ≥ max(open, close) and low ≤ min(open, close) by construction. Volume rises
 * with the regime's volatility (log-normal around base × σ/σ_sideways).
 */
export function simulateBars(opts: SimulateBarsOptions): SimulatedBars {
  const first = simulateBarChunks(opts, Math.max(1, opts.count)).next();
  return first.done ? { symbol: opts.symbol ?? 'SIM-USD', timeframe: opts.timeframe, bars: emptySeries(0), regime: [] } : first.value;
}

/**
 * The same bars as `simulateBars`, `chunk` at a time (the last chunk may be shorter), so a
 * long run (`emp simulate --bars 1m --count 10000000`) is written as it is made instead of
 * held whole in memory (about 1 GB for ten million bars).
 */
export function* simulateBarChunks(opts: SimulateBarsOptions, chunk = 65_536): Generator<SimulatedBars> {
  const { tfMs, sub, rng, market, start } = latentBars(opts);
  let prevClose = market.price;
  for (let from = 0; from < opts.count; from += chunk) {
    const n = Math.min(chunk, opts.count - from);
    const bars: BarSeries = emptySeries(n);
    const regime: Regime[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const open = prevClose;
      let high = open;
      let low = open;
      for (let k = 0; k < sub; k++) {
        market.step();
        const p = market.price;
        if (p > high) high = p;
        if (p < low) low = p;
      }
      const close = market.price;
      bars.time[i] = start + (from + i) * tfMs;
      bars.open[i] = r6(open);
      bars.close[i] = r6(close);
      bars.high[i] = r6(high);
      bars.low[i] = r6(low);
      bars.volume[i] = Math.round(1e6 * market.activity * Math.exp(0.3 * rng.normal()));
      regime[i] = market.regime;
      prevClose = close;
    }
    yield { symbol: opts.symbol ?? 'SIM-USD', timeframe: opts.timeframe, bars, regime };
  }
}

/**
 * `count` bars of the latent market that end in a given state: the last bar's close is
 * `initialPrice` and the regime then in force `endRegime`, drawn backwards with the chain reversed
 * in time (`LatentMarket.stepBack`), so they are a past that leads into that state with the
 * chain's own law. The bars have `simulateBars`' form (the regime in force at each close, volume
 * rising with its volatility). The simulator's history before its live start uses them: the
 * history then ends in the regime the live market starts in.
 */
export function simulateBarsBefore(opts: SimulateBarsOptions & { endRegime: Regime }): SimulatedBars {
  const { tfMs, sub, rng, market, start } = latentBars(opts, opts.endRegime);
  const n = Math.max(0, opts.count);
  const bars: BarSeries = emptySeries(n);
  const regime: Regime[] = new Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const close = market.price;
    regime[i] = market.regime;
    bars.volume[i] = Math.round(1e6 * market.activity * Math.exp(0.3 * rng.normal()));
    let high = close;
    let low = close;
    for (let k = 0; k < sub; k++) {
      market.stepBack();
      const p = market.price;
      if (p > high) high = p;
      if (p < low) low = p;
    }
    bars.time[i] = start + i * tfMs;
    bars.open[i] = r6(market.price);
    bars.close[i] = r6(close);
    bars.high[i] = r6(high);
    bars.low[i] = r6(low);
  }
  return { symbol: opts.symbol ?? 'SIM-USD', timeframe: opts.timeframe, bars, regime };
}
