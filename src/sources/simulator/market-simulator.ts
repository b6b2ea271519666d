import { pointSize } from '../../core/fx.ts';
import type { BarSeries, Side } from '../../core/market.ts';
import { Rng } from '../../core/random.ts';
import type { Regime } from '../../core/regime.ts';
import { simulateBarsBefore } from './bars.ts';
import { scheduleFaults } from './faults.ts';
import { INTRADAY_REGIME_MODEL, LatentMarket, type RegimeModel, YEAR_MS } from './regime-model.ts';
import type { Fault, InstrumentSpec, SimRecord, TruthPoint, VenueSpec } from './types.ts';
import { DEFAULT_INSTRUMENTS, DEFAULT_VENUES, formatSymbol, venueInstrument, venueLists } from './venues.ts';

export interface SimulatorConfig {
  seed: number;
  /** Simulated start time (epoch ms). Fixed by default so runs are reproducible. */
  start: number;
  /** Length of the run; Infinity for a live stream that never ends. */
  durationMs: number;
  instruments: InstrumentSpec[];
  venues: VenueSpec[];
  faults: 'auto' | 'none' | Fault[];
  /** Step of the latent process (ms). */
  tickMs: number;
  model: RegimeModel;
}

/** Mean notional of one trade, USD. */
const TRADE_NOTIONAL = 5_000;
/** Receipt-time step between two records of one feed that would arrive at the same instant. */
const RECV_EPSILON_MS = 1e-3;
/** The regime every instrument's live market starts in, and so the one its history ends in. */
const LIVE_START: Regime = 'sideways';
/** Longest run of records `stream` yields without letting the event loop turn (ms). */
const STREAM_SLICE_MS = 10;
/** USDT/USD basis: mean-reverting around 1 (half-life about a day), kept within ±30 bps. */
const BASIS_REVERSION_PER_YEAR = 250;
const BASIS_VOL_PER_YEAR = 0.02;

interface Feed {
  venue: VenueSpec;
  instrument: number;
  pair: string;
  raw: string;
  rng: Rng;
  faults: Fault[];
  nextFault: number;
  frozenMid: number;
  tradeId: number;
  decimals: number;
  /** Receipt time of the feed's last record: one connection delivers in the order it sends. */
  lastRecv: number;
}

/**
 * A deterministic multi-venue market. Each instrument has a latent "true" price driven by a
 * Markov-switching regime chain; each venue observes it with its own noise, spread, latency,
 * clock skew, symbol spelling and quote currency (USDT venues see the price divided by the
 * USDT/USD basis); faults are injected on a seeded schedule.
 *
 * - `records()`: every venue record in receipt-time order, as fast as possible.
 * - `stream({ speed, signal })`: the same, paced in (scaled) real time and re-based onto the wall clock.
 * - `truth()`: the latent price, basis and regime of each instrument at every step.
 * - `faults()`: the fault schedule.
 * Same config ⇒ same output, bit for bit; every random stream has its own seeded generator,
 * so truth() and records() agree without sharing state.
 */
export class MarketSimulator {
  readonly config: SimulatorConfig;
  private readonly schedule: Fault[];

  constructor(config: Partial<SimulatorConfig> & { seed: number }) {
    this.config = {
      start: Date.UTC(2026, 0, 5),
      durationMs: 6 * 3_600_000,
      instruments: [...DEFAULT_INSTRUMENTS],
      venues: [...DEFAULT_VENUES],
      faults: 'auto',
      tickMs: 1000,
      model: INTRADAY_REGIME_MODEL,
      ...config,
    };
    const c = this.config;
    const horizon = Number.isFinite(c.durationMs) ? c.durationMs : 7 * 86_400_000;
    this.schedule =
      c.faults === 'auto' ? scheduleFaults(c.seed, c.start, horizon, c.venues, c.instruments) : c.faults === 'none' ? [] : [...c.faults];
  }

  faults(): Fault[] {
    return this.schedule.map((f) => ({ ...f }));
  }

  /**
   * The market before `start`: one-minute bars from the same regime model for each instrument,
   * from `from` to the minute `start` falls in (exclusive), scaled so the last close is the
   * instrument's initial price, and drawn backwards from the regime the live market starts in
   * (`simulateBarsBefore`), so the live stream goes on from where the history ends, in price and
   * in regime. Volume: the venues' expected traded size per minute, rising with the regime's
   * volatility as the live trades' sizes do. With each bar, the regime planted at its close.
   */
  history(from: number): { symbol: string; bars: BarSeries; regime: Regime[] }[] {
    const c = this.config;
    const end = Math.floor(c.start / 60_000) * 60_000;
    const begin = Math.ceil(from / 60_000) * 60_000;
    const count = Math.max(0, (end - begin) / 60_000);
    return c.instruments.map((ins, i) => {
      const sim = simulateBarsBefore({
        seed: mix(c.seed, 7, i),
        timeframe: '1m',
        count,
        model: c.model,
        start: begin,
        initialPrice: 1,
        endRegime: LIVE_START,
      });
      const b = sim.bars;
      const last = count > 0 ? (b.close[count - 1] as number) : 1;
      const k = ins.initialPrice / last;
      const perMinute = c.venues.filter((v) => venueLists(v, ins)).reduce((a, v) => a + v.tradeRate * 60, 0) * TRADE_NOTIONAL;
      const decimals = ins.assetClass === 'fx' ? 6 : 8;
      for (let j = 0; j < count; j++) {
        b.open[j] = round((b.open[j] as number) * k, decimals);
        b.high[j] = round((b.high[j] as number) * k, decimals);
        b.low[j] = round((b.low[j] as number) * k, decimals);
        b.close[j] = round((b.close[j] as number) * k, decimals);
        b.volume[j] = round(((b.volume[j] as number) / 1e6) * (perMinute / (b.close[j] as number)), 6);
      }
      return { symbol: ins.symbol, bars: b, regime: sim.regime };
    });
  }

  /** The latent state of every instrument after each step. */
  *truth(): Generator<TruthPoint> {
    const w = this.world();
    for (let t = this.config.start; t < this.config.start + this.config.durationMs; t += this.config.tickMs) {
      w.step();
      for (let i = 0; i < w.markets.length; i++) {
        const m = w.markets[i] as LatentMarket;
        yield {
          ts: t,
          symbol: (this.config.instruments[i] as InstrumentSpec).symbol,
          price: m.price,
          usdtBasis: w.basis,
          regime: m.regime,
        };
      }
    }
  }

  /** Every venue record, in receipt-time order. */
  *records(): Generator<SimRecord> {
    const c = this.config;
    const w = this.world();
    const feeds = this.feeds();
    const heap = new RecvHeap();
    const dt = c.tickMs;
    const end = c.start + c.durationMs;
    for (let t = c.start; t < end; t += dt) {
      w.step();
      for (const f of feeds) this.emitTick(f, w.markets[f.instrument] as LatentMarket, w.basis, t, dt, heap);
      while (heap.size > 0 && (heap.peek() as SimRecord).recvTs < t + dt) yield heap.pop() as SimRecord;
    }
    while (heap.size > 0) yield heap.pop() as SimRecord;
  }

  /** Records paced in real time (× speed), with timestamps re-based so the run starts now. */
  /**
   * clock `wall` (default): timestamps are wall-clock times (the simulation compressed into real
   * time); `simulated`: the simulated timeline starts now and runs `speed` times faster than the
   * wall clock (bars of simulated minutes close every 60/speed seconds).
   */
  async *stream(
    opts: {
      speed?: number;
      signal?: AbortSignal;
      clock?: 'wall' | 'simulated' /** The wall-clock start (default: now). */;
      wall0?: number;
      /** While true, a stream behind schedule gives the event loop a turn after every record (e.g. `AcceptBurst.active`). */
      giveWay?: () => boolean;
    } = {},
  ): AsyncGenerator<SimRecord> {
    const speed = opts.speed ?? 1;
    const wall0 = opts.wall0 ?? Date.now();
    const sim0 = this.config.start;
    let sliceStart = wall0;
    for (const r of this.records()) {
      if (opts.signal?.aborted) return;
      const due = wall0 + (r.recvTs - sim0) / speed;
      const now = Date.now();
      const wait = due - now;
      if (wait > 1) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            opts.signal?.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, wait);
          opts.signal?.addEventListener('abort', done);
        });
        if (opts.signal?.aborted) return;
        sliceStart = Date.now();
      } else if (now - sliceStart >= STREAM_SLICE_MS || opts.giveWay?.()) {
        // Behind schedule, records are due at once and the loop would never leave the microtask
        // queue: socket reads, timers and HTTP requests would starve (a consumer in the same
        // process, such as emp start, stopped answering). Give the event loop a turn; after every
        // record while new connections queue (giveWay: one is accepted per turn).
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (opts.signal?.aborted) return;
        sliceStart = Date.now();
      }
      const scale = opts.clock === 'simulated' ? 1 : speed;
      r.recvTs = wall0 + (r.recvTs - sim0) / scale;
      if (r.ts !== null) r.ts = wall0 + (r.ts - sim0) / scale;
      yield r;
    }
  }

  private world(): { markets: LatentMarket[]; basis: number; step(): void } {
    const c = this.config;
    const markets = c.instruments.map(
      (ins, i) => new LatentMarket(c.model, new Rng(mix(c.seed, 1, i)), ins.initialPrice, c.tickMs, LIVE_START),
    );
    const basisRng = new Rng(mix(c.seed, 2, 0));
    const dtYears = c.tickMs / YEAR_MS;
    const w = {
      markets,
      basis: 1,
      step(): void {
        for (const m of markets) m.step();
        w.basis += -BASIS_REVERSION_PER_YEAR * (w.basis - 1) * dtYears + BASIS_VOL_PER_YEAR * Math.sqrt(dtYears) * basisRng.normal();
        w.basis = Math.min(1.003, Math.max(0.997, w.basis));
      },
    };
    return w;
  }

  private feeds(): Feed[] {
    const c = this.config;
    const out: Feed[] = [];
    c.venues.forEach((venue, v) => {
      c.instruments.forEach((ins, i) => {
        if (!venueLists(venue, ins)) return;
        const pair = venueInstrument(ins.symbol, venue);
        out.push({
          venue,
          instrument: i,
          pair,
          raw: formatSymbol(pair, venue.symbolStyle),
          rng: new Rng(mix(c.seed, 3 + v, i)),
          faults: this.schedule.filter((f) => f.venue === venue.name && f.symbol === ins.symbol),
          nextFault: 0,
          frozenMid: Number.NaN,
          tradeId: 1,
          decimals: quoteDecimals(ins),
          lastRecv: Number.NEGATIVE_INFINITY,
        });
      });
    });
    return out;
  }

  private emitTick(f: Feed, m: LatentMarket, basis: number, t: number, dt: number, heap: RecvHeap): void {
    const v = f.venue;
    const rng = f.rng;
    // Faults are disjoint per feed and sorted: skip the ones that ended.
    while (f.nextFault < f.faults.length && (f.faults[f.nextFault] as Fault).end < t) f.nextFault++;
    const fault = f.faults[f.nextFault];
    const active = fault !== undefined && fault.start < t + dt && (t < fault.end || fault.start >= t) ? fault : undefined;
    const fairMid = m.price / (v.quote === 'USDT' ? basis : 1);
    const kind = active?.kind;
    const fStart = active ? active.start : 0;
    const fEnd = active ? active.end : 0;
    // The frozen price is kept for the whole fault (events within a step come in random order).
    if (kind !== 'freeze') f.frozenMid = Number.NaN;
    const rate = kind === 'burst' ? (active as Fault).magnitude : 1;
    const dtSec = dt / 1000;
    const nQuotes = poisson(rng, v.quoteRate * dtSec * rate);
    const n = nQuotes + poisson(rng, v.tradeRate * dtSec * rate);
    const noiseScale = v.noiseBps / 1e4;
    const tick = 10 ** -f.decimals;
    for (let k = 0; k < n; k++) {
      const te = t + rng.next() * dt;
      const noise = Math.exp(noiseScale * rng.normal());
      const latency = Math.max(1, v.latencyMs + v.latencyJitterMs * (rng.exponential(1) - 1));
      const inFault = kind !== undefined && te >= fStart && te < fEnd;
      if (inFault && kind === 'outage') continue;
      let mid = fairMid * noise;
      if (inFault && kind === 'freeze') {
        if (Number.isNaN(f.frozenMid)) f.frozenMid = mid;
        mid = f.frozenMid;
      }
      const ts = te + v.clockSkewMs + (inFault && kind === 'clock_jump' ? (active as Fault).magnitude : 0);
      const half = (mid * v.spreadBps) / 2e4;
      const bid = round(mid - half, f.decimals);
      const ask = Math.max(round(mid + half, f.decimals), bid + tick);
      // Latency jitter delays a message but never lets it overtake the feed's earlier ones (a
      // socket is in order): overtaking trades read as trade-id gaps, ~11 % of Binance's trades.
      const recvTs = receive(f, te + latency);
      if (k < nQuotes) {
        heap.push({
          type: 'quote',
          venue: v.name,
          symbol: f.pair,
          rawSymbol: f.raw,
          ts,
          recvTs,
          bid,
          bidSize: size(rng, mid),
          ask,
          askSize: size(rng, mid),
        });
      } else {
        const side: Side = rng.next() < 0.5 ? 'buy' : 'sell';
        heap.push({
          type: 'trade',
          venue: v.name,
          symbol: f.pair,
          rawSymbol: f.raw,
          ts,
          recvTs,
          price: side === 'buy' ? ask : bid,
          // More is traded when the market is rough: volume follows the regime's volatility, as
          // in the history (the regime classifier reads volume where it proves informative).
          size: round(size(rng, mid) * m.activity, 6),
          side,
          id: String(f.tradeId++),
        });
      }
    }
    // A bad print is one trade far off the market, at the fault's instant.
    if (active && kind === 'bad_print' && fStart >= t && fStart < t + dt) {
      const price = round(fairMid * (1 + active.magnitude), f.decimals);
      const latency = Math.max(1, v.latencyMs);
      heap.push({
        venue: v.name,
        symbol: f.pair,
        rawSymbol: f.raw,
        ts: active.start + v.clockSkewMs,
        recvTs: receive(f, active.start + latency),
        type: 'trade',
        price,
        size: size(rng, fairMid),
        side: active.magnitude > 0 ? 'buy' : 'sell',
        id: String(f.tradeId++),
      });
    }
  }
}

/** Decimals of an instrument's simulated quotes: FX in points (5, 3 for yen pairs), crypto about 6 significant digits. */
export function quoteDecimals(ins: InstrumentSpec): number {
  return ins.assetClass === 'fx'
    ? Math.round(-Math.log10(pointSize(ins.symbol)))
    : Math.max(2, 6 - Math.floor(Math.log10(ins.initialPrice)));
}

/** When a record sent to arrive at `at` reaches us on feed `f`: never before the feed's previous one (a connection delivers in order). */
function receive(f: Feed, at: number): number {
  f.lastRecv = Math.max(at, f.lastRecv + RECV_EPSILON_MS);
  return f.lastRecv;
}

function round(x: number, decimals: number): number {
  const p = 10 ** decimals;
  return Math.round(x * p) / p;
}

function size(rng: Rng, price: number): number {
  return round(Math.max(1e-6, (TRADE_NOTIONAL / price) * rng.exponential(1)), 6);
}

/** Poisson draw by inversion: the rates per step here are small. */
function poisson(rng: Rng, lambda: number): number {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > l) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** Derives independent seeds for each random stream. */
function mix(seed: number, a: number, b: number): number {
  let h = (seed ^ Math.imul(a + 1, 0x9e3779b1) ^ Math.imul(b + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

/** Binary min-heap of records by receipt time. */
class RecvHeap {
  private readonly items: SimRecord[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): SimRecord | undefined {
    return this.items[0];
  }
  push(r: SimRecord): void {
    const a = this.items;
    a.push(r);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((a[p] as SimRecord).recvTs <= r.recvTs) break;
      a[i] = a[p] as SimRecord;
      i = p;
    }
    a[i] = r;
  }
  pop(): SimRecord | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && (a[r] as SimRecord).recvTs < (a[l] as SimRecord).recvTs ? r : l;
        if ((a[c] as SimRecord).recvTs >= last.recvTs) break;
        a[i] = a[c] as SimRecord;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
