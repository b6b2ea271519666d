/**
 * Harmonization: every source's records become USD-quoted, canonically named, correctly
 * scaled prices on one clock before they are fused.
 */
import { splitInstrument } from '../core/instrument.ts';
import type { Quote, Trade } from '../core/market.ts';

/** Stablecoins converted to USD through a rate (fixed, or estimated live). */
export const USD_STABLECOINS: ReadonlySet<string> = new Set(['USDT', 'USDC', 'FDUSD', 'TUSD', 'BUSD', 'DAI']);

export interface SourceScale {
  /** Multiply raw prices by this (e.g. 1e-5 for prices sent in 1/100000 units, FX points). */
  priceScale?: number;
  /** Multiply raw sizes by this (contract or lot size in base units). */
  sizeScale?: number;
}

/** A record mapped to USD terms: the instrument id is `BASE-USD` when conversion applies. */
export interface HarmonizedQuote {
  venue: string;
  symbol: string;
  ts: number;
  recvTs: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
  /** Mid in the venue's own quote currency (scaled, not converted), when converted. */
  ownMid?: number;
}
export interface HarmonizedTrade {
  venue: string;
  symbol: string;
  ts: number;
  recvTs: number;
  price: number;
  size: number;
  /** Price in the venue's own quote currency (scaled, not converted), when converted. */
  ownPrice?: number;
}

/**
 * Per-source clock alignment. A source's apparent latency (receipt time − its event time) is
 * true latency minus its clock skew; the skew cannot be separated from the latency without a
 * round trip, so each source is aligned such that its fastest messages (a low quantile of
 * apparent latency over a sliding window) arrive with the network's floor latency. Windowed
 * minimum over 10 buckets: O(1) per record, robust to slow outliers, adapts to clock jumps
 * within one window.
 */
export class ClockSkewEstimator {
  private readonly mins: Float64Array;
  private bucketStart = Number.NEGATIVE_INFINITY;
  private bucket = 0;

  constructor(
    private readonly windowMs = 60_000,
    private readonly buckets = 10,
    /** Latency assumed for the fastest messages (ms). */
    private readonly floorLatencyMs = 1,
  ) {
    this.mins = new Float64Array(buckets).fill(Number.POSITIVE_INFINITY);
  }

  observe(ts: number, recvTs: number): void {
    const span = this.windowMs / this.buckets;
    if (recvTs - this.bucketStart >= span) {
      const steps = Math.min(this.buckets, Math.floor((recvTs - this.bucketStart) / span));
      for (let k = 0; k < steps; k++) {
        this.bucket = (this.bucket + 1) % this.buckets;
        this.mins[this.bucket] = Number.POSITIVE_INFINITY;
      }
      this.bucketStart = Number.isFinite(this.bucketStart) ? this.bucketStart + steps * span : recvTs;
      if (recvTs - this.bucketStart >= span) this.bucketStart = recvTs;
    }
    const apparent = recvTs - ts;
    if (apparent < (this.mins[this.bucket] as number)) this.mins[this.bucket] = apparent;
  }

  /** Estimated skew (ms; positive = the source's clock is ahead). NaN before any record. */
  get skewMs(): number {
    let m = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.buckets; i++) if ((this.mins[i] as number) < m) m = this.mins[i] as number;
    return Number.isFinite(m) ? this.floorLatencyMs - m : Number.NaN;
  }

  /** The source's event time on our clock. */
  align(ts: number): number {
    const s = this.skewMs;
    return Number.isNaN(s) ? ts : ts - s;
  }
}

/**
 * USD per unit of a stablecoin, estimated live as a fused stream: for every instrument traded
 * against both USD and the stablecoin, the ratio of the two consensus prices; the rate is the
 * median of those ratios, smoothed (EWMA with a time constant), and falls back to `initial`
 * until both sides are seen.
 */
export class ImpliedRateEstimator {
  private rate: number;
  private lastTs = Number.NaN;
  private readonly ratios = new Map<string, number>();
  /** Scratch for the median: no allocation per observation. */
  private scratch = new Float64Array(8);

  constructor(
    initial = 1,
    private readonly timeConstantMs = 30_000,
  ) {
    this.rate = initial;
  }

  get value(): number {
    return this.rate;
  }

  /** usdPrice: consensus BASE-USD; stablePrice: consensus BASE-<stablecoin>. */
  observe(base: string, usdPrice: number, stablePrice: number, now: number): void {
    if (!(usdPrice > 0 && stablePrice > 0)) return;
    this.ratios.set(base, usdPrice / stablePrice);
    const n = this.ratios.size;
    if (n > this.scratch.length) this.scratch = new Float64Array(2 * n);
    const vals = this.scratch;
    let k = 0;
    for (const r of this.ratios.values()) {
      // Insertion into the sorted prefix (a handful of bases).
      let j = k++;
      while (j > 0 && (vals[j - 1] as number) > r) {
        vals[j] = vals[j - 1] as number;
        j--;
      }
      vals[j] = r;
    }
    const mid = n >> 1;
    const med = n % 2 ? (vals[mid] as number) : ((vals[mid - 1] as number) + (vals[mid] as number)) / 2;
    const dt = Number.isNaN(this.lastTs) ? Number.POSITIVE_INFINITY : Math.max(0, now - this.lastTs);
    const a = 1 - Math.exp(-dt / this.timeConstantMs);
    this.rate += a * (med - this.rate);
    this.lastTs = now;
  }
}

export interface HarmonizerOptions {
  /** Fixed USD rates for stablecoins (default: 1 until estimated). */
  stableRates?: Record<string, number>;
  /** Estimate stablecoin rates live from cross-venue prices (default true). */
  estimateStableRates?: boolean;
  scales?: Record<string, SourceScale>;
  /** Align each source's clock (default true). */
  alignClocks?: boolean;
}

/**
 * Maps venue records to USD terms on one clock: `BTC-USDT` on a USDT venue becomes `BTC-USD`
 * at price × (USD per USDT); prices and sizes are scaled per source; event times are aligned
 * per source by its estimated clock skew.
 */
export class Harmonizer {
  private readonly skew = new Map<string, ClockSkewEstimator>();
  readonly rates = new Map<string, ImpliedRateEstimator>();
  private readonly splitCache = new Map<string, { base: string; quote: string; usd: string }>();

  constructor(private readonly opts: HarmonizerOptions = {}) {
    for (const [coin, r] of Object.entries(opts.stableRates ?? {})) this.rates.set(coin, new ImpliedRateEstimator(r));
  }

  /** The instrument a record contributes to, and the factor that converts its price to USD. */
  target(symbol: string): { symbol: string; base: string; quote: string; factor: number } {
    let parts = this.splitCache.get(symbol);
    if (!parts) {
      const p = splitInstrument(symbol);
      parts = { ...p, usd: `${p.base}-USD` };
      this.splitCache.set(symbol, parts);
    }
    if (USD_STABLECOINS.has(parts.quote)) {
      return { symbol: parts.usd, base: parts.base, quote: parts.quote, factor: this.rate(parts.quote) };
    }
    return { symbol, base: parts.base, quote: parts.quote, factor: 1 };
  }

  rate(coin: string): number {
    let r = this.rates.get(coin);
    if (!r) {
      r = new ImpliedRateEstimator(1);
      this.rates.set(coin, r);
    }
    return r.value;
  }

  /** Feeds consensus prices for a base in USD and in a stablecoin, to update the live rate. */
  observeCross(base: string, coin: string, usdPrice: number, stablePrice: number, now: number): void {
    if (this.opts.estimateStableRates === false) return;
    if (!this.rates.has(coin)) this.rates.set(coin, new ImpliedRateEstimator(1));
    (this.rates.get(coin) as ImpliedRateEstimator).observe(base, usdPrice, stablePrice, now);
  }

  clock(venue: string): ClockSkewEstimator {
    let c = this.skew.get(venue);
    if (!c) {
      c = new ClockSkewEstimator();
      this.skew.set(venue, c);
    }
    return c;
  }

  private time(venue: string, ts: number | null, recvTs: number): number {
    if (ts === null) return recvTs;
    if (this.opts.alignClocks === false) return ts;
    const c = this.clock(venue);
    c.observe(ts, recvTs);
    return c.align(ts);
  }

  quote(q: Quote): HarmonizedQuote {
    const t = this.target(q.symbol);
    const sc = this.opts.scales?.[q.venue];
    const p = t.factor * (sc?.priceScale ?? 1);
    const s = sc?.sizeScale ?? 1;
    return {
      venue: q.venue,
      symbol: t.symbol,
      ts: this.time(q.venue, q.ts, q.recvTs),
      recvTs: q.recvTs,
      bid: q.bid * p,
      ask: q.ask * p,
      bidSize: q.bidSize * s,
      askSize: q.askSize * s,
      ownMid: ((q.bid + q.ask) / 2) * (sc?.priceScale ?? 1),
    };
  }

  trade(x: Trade): HarmonizedTrade {
    const t = this.target(x.symbol);
    const sc = this.opts.scales?.[x.venue];
    return {
      venue: x.venue,
      symbol: t.symbol,
      ts: this.time(x.venue, x.ts, x.recvTs),
      recvTs: x.recvTs,
      price: x.price * t.factor * (sc?.priceScale ?? 1),
      size: x.size * (sc?.sizeScale ?? 1),
      ownPrice: x.price * (sc?.priceScale ?? 1),
    };
  }
}

const TS_FACTORS = { s: 1000, ms: 1, us: 1e-3, ns: 1e-6 } as const;

/** Converts a numeric timestamp in the given unit to epoch ms; `auto` guesses from magnitude. */
export function timestampToMs(value: number, unit: keyof typeof TS_FACTORS | 'auto' = 'auto'): number {
  if (unit !== 'auto') return value * TS_FACTORS[unit];
  const a = Math.abs(value);
  if (a < 1e11) return value * 1000;
  if (a < 1e14) return value;
  if (a < 1e17) return value / 1e3;
  return value / 1e6;
}
