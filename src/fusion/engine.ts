/**
 * The fusion engine: one price per instrument from many sources, with a 95 % interval, the
 * sources used and their weights, and the sources excluded with the reason and since when.
 *
 * Per update: (1) drop stale sources (no message, or no new value, for `maxAgeMs`) and crossed
 * books; each live source's variance is its measured noise plus the market's variance rate over
 * the age of its value (and its measured lag); (2) a robust centre (median weighted by
 * reliability, no source holding more than 40 % of the vote) and MAD give the outlier limit; a
 * move confirmed by two sources jumping the same way resets the centre to the sources that have
 * spoken since; (3) outliers and low-quality sources are left out; the cross-section is the
 * inverse-variance mean of the rest; (4) a Kalman filter on a random walk takes each new value
 * with its source's noise (inflated for persistent errors) and restarts from the cross-section on
 * a jump; the price stays within the used sources' range and the interval is 1.96 filter
 * standard deviations. Once every record of an instant is in (settle), each source that spoke is
 * graded against the others' consensus (leave-one-out), its lead–lag scored, and the market's
 * variance rate updated. See README "Fusion" and the scenario family in family.ts.
 */
import type { Conflict, ExclusionReason, FusedPrice, FusionStatus } from '../core/events.ts';
import type { MarketRecord } from '../core/market.ts';
import { type HarmonizedQuote, type HarmonizedTrade, Harmonizer, USD_STABLECOINS } from './harmonizer.ts';
import { ConsensusHistory, LeadLag } from './lead-lag.ts';
import { DEFAULT_QUALITY, type QualityConfig, SourceQuality } from './quality.ts';
import { VarianceRate } from './variance-rate.ts';

export interface FusionConfig {
  /** A source with no message, or no price change, for this long is stale (ms). */
  maxAgeMs: number;
  /** Fewer used sources than this: status `degraded` (none: `unknown`). */
  minSources: number;
  /** Outlier if farther than k robust standard deviations (MAD × 1.4826) from the median… */
  outlierK: number;
  /** …and farther than this many bps (so a tight consensus does not reject normal noise). */
  outlierFloorBps: number;
  /** Sources below this reliability are excluded as `low_quality`. */
  minReliability: number;
  /** Relative tolerance for conflicts and the consistency figure. */
  tolerance: number;
  quality: QualityConfig;
  /** Keep at most this many conflicts in the log. */
  maxConflicts: number;
  /**
   * Filter the fused price over time (a scalar Kalman filter on a random walk, fed only the
   * new observation of each update): venue noise averages out across messages, not only
   * across venues. Off: the cross-sectional estimate alone.
   */
  smoothing: boolean;
  /** Learn each source's quality from its deviations (off: every source keeps its prior). */
  learn: boolean;
}

export const DEFAULT_FUSION: FusionConfig = {
  maxAgeMs: 5000,
  minSources: 3,
  outlierK: 5,
  outlierFloorBps: 10,
  minReliability: 0.1,
  tolerance: 0.0025,
  quality: DEFAULT_QUALITY,
  maxConflicts: 10_000,
  smoothing: true,
  learn: true,
};

const EXCLUSIONS: readonly ExclusionReason[] = ['stale', 'outlier', 'crossed', 'low_quality'];
const OK = 0;
const REASON_CODE: Record<ExclusionReason, number> = { stale: 1, outlier: 2, crossed: 3, low_quality: 4 };

class SourceSlot {
  /** Last observation in the source's own quote currency, and that currency if it is a stablecoin. */
  raw = Number.NaN;
  coin: string | null = null;
  /** Converted to USD at the last evaluation. */
  price = Number.NaN;
  halfSpreadBps = 0;
  crossed = false;
  lastRecv = Number.NEGATIVE_INFINITY;
  lastChange = Number.NEGATIVE_INFINITY;
  lastQuoteMid = Number.NaN;
  hasQuotes = false;
  latencyMs = 0;
  lastTradePrice = Number.NaN;
  lastTradeTs = Number.NEGATIVE_INFINITY;
  /** Traded size and trade count, decaying with a one-minute time constant. */
  volume = 0;
  trades = 0;
  volumeTs = 0;
  /** Trades known missed (sequence gaps), decaying with the same constant, and when last counted. */
  missed = 0;
  missedTs = 0;
  status = OK;
  /** When the status last changed (ms). */
  statusSince = 0;
  weight = 0;
  /** Noise variance plus the market's variance over the age of the value (bps²), at the last evaluation. */
  variance = 0;
  /** The value before the last one (own currency), and whether the last record brought a new value. */
  prevRaw = Number.NaN;
  isNew = false;
  /** Its new value awaits grading (see settle). */
  pending = false;
  /** Last time this source's own value jumped away from the centre, and which way. */
  jumpTs = Number.NEGATIVE_INFINITY;
  jumpDir = 0;
  readonly quality: SourceQuality;
  readonly lag = new LeadLag();
  constructor(
    readonly venue: string,
    cfg: QualityConfig,
  ) {
    this.quality = new SourceQuality(cfg);
  }
}

class InstrumentState {
  readonly slots: SourceSlot[] = [];
  readonly byVenue = new Map<string, SourceSlot>();
  // Scratch buffers, grown on demand: no allocation per update.
  prices = new Float64Array(8);
  weights = new Float64Array(8);
  order = new Int32Array(8);
  result: FusionResult;
  inConflict = false;
  /** How fast an observation ages: the market's variance rate. */
  readonly vol = new VarianceRate();
  /** Sums of the last evaluation (weights, weighted prices, inverse variances), for settle. */
  sw = 0;
  swp = 0;
  sInvVar = 0;
  /** The same with sequential variances (see observeVolatility). */
  sqInv = 0;
  sqp = 0;
  pending = false;
  /** Outlier limit (price units) at the last evaluation. */
  limit = 0;
  /** A confirmed jump: from when, and until when only the sources that spoke since vote. */
  jumpTs = Number.NEGATIVE_INFINITY;
  jumpUntil = Number.NEGATIVE_INFINITY;
  /** Kalman state: filtered price and its variance (bps²), at time kfTs. */
  kfPrice = Number.NaN;
  kfVar = 0;
  kfTs = 0;
  /** The consensus's recent past, for each source's lead–lag. */
  readonly history = new ConsensusHistory();
  lastEval = Number.NaN;
  agreeMs = 0;
  totalMs = 0;
  lastAgree = true;
  constructor(readonly symbol: string) {
    this.result = { symbol, ts: 0, price: Number.NaN, confidence: Number.NaN, status: 'unknown', used: 0, excluded: 0 };
  }
  slot(venue: string, cfg: QualityConfig): SourceSlot {
    let s = this.byVenue.get(venue);
    if (!s) {
      s = new SourceSlot(venue, cfg);
      this.byVenue.set(venue, s);
      this.slots.push(s);
      // One spare cell: the filtered price may vote beside the sources.
      if (this.slots.length + 1 > this.prices.length) {
        const n = this.prices.length * 2;
        this.prices = new Float64Array(n);
        this.weights = new Float64Array(n);
        this.order = new Int32Array(n);
      }
    }
    return s;
  }
}

/** The engine's reusable per-instrument result (valid until the next update of that instrument). */
export interface FusionResult {
  symbol: string;
  ts: number;
  price: number;
  confidence: number;
  status: FusionStatus;
  used: number;
  excluded: number;
}

export class FusionEngine {
  readonly config: FusionConfig;
  readonly harmonizer: Harmonizer;
  private readonly instruments = new Map<string, InstrumentState>();
  private readonly conflictLog: Conflict[] = [];
  readonly exclusions: Record<ExclusionReason, number> = { stale: 0, outlier: 0, crossed: 0, low_quality: 0 };
  updates = 0;

  constructor(config: Partial<FusionConfig> = {}, harmonizer = new Harmonizer()) {
    this.config = { ...DEFAULT_FUSION, ...config };
    this.harmonizer = harmonizer;
  }

  /** Harmonizes a venue record and fuses its instrument; `now` defaults to its receipt time. */
  onRecord(r: MarketRecord, now = r.recvTs): FusionResult | undefined {
    if (r.type === 'quote') return this.onQuote(this.harmonizer.quote(r), now, this.coinOf(r.symbol));
    return this.onTrade(this.harmonizer.trade(r), now, this.coinOf(r.symbol));
  }

  /** A quote already in USD terms (coin: the stablecoin it was quoted in, if any). */
  onQuote(q: HarmonizedQuote, now: number, coin: string | null = null): FusionResult | undefined {
    const st = this.state(q.symbol);
    const s = st.slot(q.venue, this.config.quality);
    s.crossed = q.bid > q.ask;
    const mid = (q.bid + q.ask) / 2;
    s.halfSpreadBps = mid > 0 ? (Math.abs(q.ask - q.bid) / 2 / mid) * 1e4 : 0;
    // Kept in the venue's own currency: a change of the live stablecoin rate is not a price change.
    const own = coin ? (q.ownMid ?? mid / this.harmonizer.rate(coin)) : mid;
    if (own !== s.lastQuoteMid) s.lastChange = q.recvTs;
    s.lastQuoteMid = own;
    s.hasQuotes = true;
    this.settle(st, q.recvTs);
    this.observe(s, coin, own, q.recvTs, q.ts);
    return this.fuse(st, now, s);
  }

  onTrade(t: HarmonizedTrade, now: number, coin: string | null = null): FusionResult | undefined {
    const st = this.state(t.symbol);
    const s = st.slot(t.venue, this.config.quality);
    s.lastTradePrice = t.price;
    s.lastTradeTs = t.recvTs;
    const decay = Math.exp(-(t.recvTs - s.volumeTs) / 60_000);
    s.volume = s.volume * decay + t.size;
    s.trades = s.trades * decay + 1;
    s.volumeTs = t.recvTs;
    this.settle(st, t.recvTs);
    this.observe(s, coin, coin ? (t.ownPrice ?? t.price / this.harmonizer.rate(coin)) : t.price, t.recvTs, t.ts);
    return this.fuse(st, now, s);
  }

  /** Re-evaluates an instrument at time `now` (offline grids; staleness is judged at `now`). */
  evaluate(symbol: string, now: number): FusionResult | undefined {
    const st = this.instruments.get(symbol);
    return st ? this.fuse(st, now, undefined) : undefined;
  }

  /** The last fused price of an instrument as an event. */
  fused(symbol: string): FusedPrice | undefined {
    const st = this.instruments.get(symbol);
    if (!st || Number.isNaN(st.lastEval)) return undefined;
    const r = st.result;
    const sources: FusedPrice['sources'] = [];
    const excluded: FusedPrice['excluded'] = [];
    let total = 0;
    let quoted = 0;
    let halfBps = 0;
    for (const s of st.slots) if (s.status === OK) total += s.weight;
    for (const s of st.slots) {
      if (Number.isNaN(s.price)) continue;
      if (s.status === OK) {
        const w = total > 0 ? s.weight / total : 0;
        sources.push({ venue: s.venue, price: s.price, weight: w });
        if (s.hasQuotes) {
          quoted += w;
          halfBps += w * s.halfSpreadBps;
        }
      } else excluded.push({ venue: s.venue, price: s.price, reason: EXCLUSIONS[s.status - 1] as ExclusionReason, since: s.statusSince });
    }
    const out: FusedPrice = {
      type: 'fused',
      symbol,
      ts: r.ts,
      price: r.price,
      confidence: r.confidence,
      status: r.status,
      sources,
      excluded,
      volumeFrom: this.volumeSources(symbol, r.ts),
    };
    // The fused quote sits around the fused price with the used venues' weighted half-spread:
    // never crossed, whatever the venues' mids (a max of bids and min of asks across venues
    // that disagree by more than their spreads would be).
    if (quoted > 0 && Number.isFinite(r.price)) {
      const half = (r.price * halfBps) / quoted / 1e4;
      out.bid = r.price - half;
      out.ask = r.price + half;
    }
    return out;
  }

  /** Normalized fusion weight per venue (0 for excluded sources). */
  weights(symbol: string): Record<string, number> {
    const st = this.instruments.get(symbol);
    const out: Record<string, number> = {};
    if (!st) return out;
    let total = 0;
    for (const s of st.slots) if (s.status === OK) total += s.weight;
    for (const s of st.slots) out[s.venue] = s.status === OK && total > 0 ? s.weight / total : 0;
    return out;
  }

  /** Why a source has the weight it has. */
  explain(venue: string, symbol: string): Record<string, number | string> | undefined {
    const s = this.instruments.get(symbol)?.byVenue.get(venue);
    if (!s) return undefined;
    return {
      ...s.quality.explain(),
      lagMs: s.lag.lagMs,
      status: s.status === OK ? 'used' : (EXCLUSIONS[s.status - 1] as string),
      price: s.price,
      weight: this.weights(symbol)[venue] ?? 0,
    };
  }

  /** Last trade from the most reliable source that traded within the staleness limit. */
  lastTrade(symbol: string, now: number): { venue: string; price: number; ts: number } | undefined {
    const st = this.instruments.get(symbol);
    let best: SourceSlot | undefined;
    for (const s of st?.slots ?? []) {
      if (now - s.lastTradeTs > this.config.maxAgeMs || s.status === REASON_CODE.outlier) continue;
      if (!best || s.quality.reliability > best.quality.reliability) best = s;
    }
    return best ? { venue: best.venue, price: best.lastTradePrice, ts: best.lastTradeTs } : undefined;
  }

  /**
   * Which venues serve volume and trade counts: price comes from fusion, but a traded size is
   * either complete or it is not. The venues whose recent trade stream is the most complete
   * (fewest trades known missed through sequence gaps, per trade received; within a point of the
   * best) and live (traded within the staleness limit). A venue's price quality does not matter
   * here: an outlier price venue still reports its traded size.
   */
  servesVolume(venue: string, symbol: string, now: number): boolean {
    const st = this.instruments.get(symbol);
    const s = st?.byVenue.get(venue);
    if (!st || !s || !this.tradesLive(s, now)) return false;
    return this.completeness(s, now) >= this.bestCompleteness(st, now) - 0.01;
  }

  /** The venues that serve volume and trade counts for an instrument (see servesVolume). */
  volumeSources(symbol: string, now: number): string[] {
    const st = this.instruments.get(symbol);
    if (!st) return [];
    const best = this.bestCompleteness(st, now);
    return st.slots.filter((s) => this.tradesLive(s, now) && this.completeness(s, now) >= best - 0.01).map((s) => s.venue);
  }

  private tradesLive(s: SourceSlot, now: number): boolean {
    return s.trades > 0 && now - s.lastTradeTs <= this.config.maxAgeMs;
  }

  /** Share of a venue's recent trades that reached us (1 without gaps). */
  private completeness(s: SourceSlot, now: number): number {
    const trades = s.trades * Math.exp(-(now - s.volumeTs) / 60_000);
    const missed = s.missed * Math.exp(-(now - s.missedTs) / 60_000);
    return trades + missed > 0 ? trades / (trades + missed) : 0;
  }

  private bestCompleteness(st: InstrumentState, now: number): number {
    let best = 0;
    for (const s of st.slots) if (this.tradesLive(s, now)) best = Math.max(best, this.completeness(s, now));
    return best;
  }

  reportError(venue: string): void {
    for (const st of this.instruments.values()) st.byVenue.get(venue)?.quality.error();
  }

  /**
   * Missed messages (a sequence gap): the venue's data is less complete, which says nothing about
   * whether its prices are right, so it is counted apart from errors and does not lower its weight;
   * it decides which venues serve volume (see servesVolume).
   */
  reportGap(venue: string, symbol: string | null = null, missed = 1, now = 0): void {
    const only = symbol === null ? null : this.harmonizer.target(symbol).symbol;
    for (const st of this.instruments.values()) {
      if (only !== null && st.symbol !== only) continue;
      const s = st.byVenue.get(venue);
      if (!s) continue;
      s.quality.gap();
      s.missed = s.missed * Math.exp(-Math.max(0, now - s.missedTs) / 60_000) + Math.max(1, missed);
      s.missedTs = now;
    }
  }

  reportStatus(venue: string, up: boolean): void {
    for (const st of this.instruments.values()) st.byVenue.get(venue)?.quality.status(up);
  }

  /** Share of time the used sources agreed with the fused price within `tolerance`. */
  consistency(symbol?: string): { agreeMs: number; totalMs: number; share: number; tolerance: number } {
    let a = 0;
    let t = 0;
    for (const st of this.instruments.values()) {
      if (symbol && st.symbol !== symbol) continue;
      a += st.agreeMs;
      t += st.totalMs;
    }
    return { agreeMs: a, totalMs: t, share: t > 0 ? a / t : Number.NaN, tolerance: this.config.tolerance };
  }

  /** Conflicts recorded since the last drain. */
  drainConflicts(): Conflict[] {
    return this.conflictLog.splice(0, this.conflictLog.length);
  }

  symbols(): string[] {
    return [...this.instruments.keys()];
  }

  private coinOf(symbol: string): string | null {
    const q = symbol.slice(symbol.indexOf('-') + 1);
    return USD_STABLECOINS.has(q) ? q : null;
  }

  private state(symbol: string): InstrumentState {
    let st = this.instruments.get(symbol);
    if (!st) {
      st = new InstrumentState(symbol);
      this.instruments.set(symbol, st);
    }
    return st;
  }

  /** Stores an observation in the source's own currency (so later rate updates apply). */
  private observe(s: SourceSlot, coin: string | null, raw: number, recvTs: number, ts: number): void {
    // Freshness of content: for a venue that quotes, an unchanged quote means a frozen feed even
    // while its trades (at the frozen bid or ask) keep coming.
    if (!s.hasQuotes && raw !== s.raw) s.lastChange = recvTs;
    if (raw !== s.raw) {
      s.prevRaw = s.raw;
      s.isNew = true;
    }
    s.raw = raw;
    s.coin = coin;
    s.lastRecv = recvTs;
    // Latency after clock alignment (the harmonizer put `ts` on our clock).
    s.latencyMs = Math.max(0, recvTs - ts);
  }

  private fuse(st: InstrumentState, now: number, updated: SourceSlot | undefined): FusionResult {
    this.updates++;
    const cfg = this.config;
    const { slots } = st;
    const n = slots.length;
    // A record that carries a new value is news; a repeated value only confirms the feed is alive.
    const fresh = updated?.isNew === true;
    const wasOk = updated !== undefined && updated.status === OK;
    // 1. Convert, then stale / crossed; each live source's variance grows with its value's age.
    for (let i = 0; i < n; i++) {
      const s = slots[i] as SourceSlot;
      s.price = s.coin ? s.raw * this.harmonizer.rate(s.coin) : s.raw;
      let status = OK;
      if (Number.isNaN(s.price) || now - s.lastRecv > cfg.maxAgeMs || now - s.lastChange > cfg.maxAgeMs) status = REASON_CODE.stale;
      else if (s.crossed) status = REASON_CODE.crossed;
      this.setStatus(s, status, now);
      // A lagging source's value describes the market its lag ago: it ages by that much more.
      s.variance = s.quality.variance + st.vol.rate * (Math.max(0, now - s.lastChange) + s.lag.lagMs);
    }
    if (st.jumpUntil <= now) st.jumpTs = Number.NEGATIVE_INFINITY;
    let med = this.centre(st, now);
    // 2. A move confirmed by two sources is followed at once: each jumped away from the centre
    // (their own value moved beyond the outlier limit) in the same direction, within the
    // staleness limit of each other. One source alone cannot be told from a bad print.
    let jumped = false;
    if (fresh && wasOk && updated.status === OK && Number.isFinite(med)) {
      const dir = Math.sign(updated.price - med);
      const prev = updated.coin ? updated.prevRaw * this.harmonizer.rate(updated.coin) : updated.prevRaw;
      if (Math.abs(updated.price - med) > st.limit && Math.abs(updated.price - prev) > st.limit) {
        updated.jumpTs = now;
        updated.jumpDir = dir;
        for (const o of slots) {
          if (o === updated || o.status !== OK || o.jumpDir !== dir || now - o.jumpTs > cfg.maxAgeMs) continue;
          if (Math.abs(o.price - med) <= st.limit) continue;
          st.jumpTs = Math.min(o.jumpTs, now);
          st.jumpUntil = now + cfg.maxAgeMs;
          jumped = true;
        }
        if (jumped) med = this.centre(st, now);
      }
    }
    const limit = st.limit;
    // 3. Outliers, low quality; inverse-variance weighted mean of the rest.
    let sw = 0;
    let swp = 0;
    let sInvVar = 0;
    let sqInv = 0;
    let sqp = 0;
    let used = 0;
    let lo1 = Number.POSITIVE_INFINITY;
    let lo2 = Number.POSITIVE_INFINITY;
    let hi1 = Number.NEGATIVE_INFINITY;
    let hi2 = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const s = slots[i] as SourceSlot;
      if (s.status !== OK) continue;
      // A source's own measured noise widens its limit (up to three times): truncating a noisy
      // source's normal deviations would both misjudge its noise and count them as faults.
      const own = (cfg.outlierK * med * Math.sqrt(s.quality.variance)) / 1e4;
      if (!(Math.abs(s.price - med) <= Math.max(limit, Math.min(own, 3 * limit)))) {
        this.setStatus(s, REASON_CODE.outlier, now);
        continue;
      }
      if (s.quality.reliability < cfg.minReliability) {
        this.setStatus(s, REASON_CODE.low_quality, now);
        continue;
      }
      s.weight = s.quality.reliability / s.variance;
      sw += s.weight;
      swp += s.weight * s.price;
      sInvVar += 1 / s.variance;
      // For the variance rate: sources whose errors persist (lag) would smooth the path out; the
      // age of a value is not measurement error (it does not add to an increment's variance).
      const sv = 1 / s.quality.sequentialVariance;
      sqInv += sv;
      sqp += sv * s.price;
      used++;
      const p = s.price;
      if (p < lo1) {
        lo2 = lo1;
        lo1 = p;
      } else if (p < lo2) lo2 = p;
      if (p > hi1) {
        hi2 = hi1;
        hi1 = p;
      } else if (p > hi2) hi2 = p;
    }
    const cross = sw > 0 ? swp / sw : Number.NaN;
    const crossVar = sInvVar > 0 ? 1 / sInvVar : Number.NaN;
    let price = cross;
    let varBps = crossVar;
    if (cfg.smoothing && used > 0) {
      price = this.filter(st, now, fresh && updated.status === OK ? updated : undefined, cross, crossVar, jumped);
      varBps = st.kfVar;
    }
    // Never outside the range of the sources it used.
    if (used > 0) price = Math.min(Math.max(price, lo1), hi1);
    // 4. Learning waits until the clock moves on (settle): a source that spoke first at an
    // instant must not be graded against the others' values from the instant before.
    if (cfg.learn && fresh) {
      updated.pending = true;
      st.pending = true;
    }
    st.sw = sw;
    st.swp = swp;
    st.sInvVar = sInvVar;
    st.sqInv = sqInv;
    st.sqp = sqp;
    this.observeStableRate(st, now);
    if (fresh) updated.isNew = false;
    const r = st.result;
    r.ts = now;
    r.price = price;
    r.confidence = used > 0 && varBps > 0 ? (1.96 * price * Math.sqrt(varBps)) / 1e4 : Number.NaN;
    r.status = used === 0 ? 'unknown' : used < cfg.minSources ? 'degraded' : 'ok';
    r.used = used;
    r.excluded = 0;
    for (let i = 0; i < n; i++) {
      const s = slots[i] as SourceSlot;
      if (s.status !== OK && !Number.isNaN(s.price)) {
        r.excluded++;
        this.exclusions[EXCLUSIONS[s.status - 1] as ExclusionReason]++;
      }
    }
    this.track(st, now, price);
    return r;
  }

  /**
   * Grades the sources that brought new values at the last instant, once every record of that
   * instant is in: each against the inverse-variance consensus of the others (leave-one-out),
   * with that consensus's own variance, and whether it was excluded as an outlier.
   */
  private settle(st: InstrumentState, now: number): void {
    if (!st.pending || now <= st.lastEval) return;
    st.pending = false;
    this.observeVolatility(st);
    // The consensus as this instant ended, with every source's share, for lead–lag.
    const k = st.history.push(st.lastEval, st.sw, st.swp);
    if (k >= 0) for (const s of st.slots) s.lag.trace.record(k, s.status === OK ? s.weight : 0, s.price);
    for (const s of st.slots) {
      if (!s.pending) continue;
      s.pending = false;
      if (s.status !== OK && s.status !== REASON_CODE.outlier && s.status !== REASON_CODE.low_quality) continue;
      if (s.status !== REASON_CODE.outlier) s.lag.observe(st.history, s.lastChange, s.price);
      let c = st.sw > 0 ? st.swp / st.sw : Number.NaN;
      let v = st.sInvVar > 0 ? 1 / st.sInvVar : Number.NaN;
      if (s.status === OK) {
        const rest = st.sw - s.weight;
        c = rest > 0 ? (st.swp - s.weight * s.price) / rest : Number.NaN;
        const inv = st.sInvVar - 1 / s.variance;
        v = inv > 0 ? 1 / inv : Number.NaN;
      }
      if (Number.isFinite(c) && c > 0) s.quality.observe(((s.price - c) / c) * 1e4, v, s.status === REASON_CODE.outlier, s.latencyMs);
    }
  }

  /**
   * The market's variance rate from the consensus as it stood once every record of an instant was
   * in. Sources whose errors persist (lag) are weighted by their sequential variance, so they do
   * not smooth the path out.
   */
  private observeVolatility(st: InstrumentState): void {
    if (st.sqInv > 0) st.vol.observe(st.lastEval, st.sqp / st.sqInv, 1 / st.sqInv);
  }

  private setStatus(s: SourceSlot, status: number, now: number): void {
    if (s.status !== status) s.statusSince = now;
    s.status = status;
  }

  /**
   * The robust centre (median weighted by reliability) and the outlier limit of
   * the live sources. After a confirmed jump only the sources that have spoken since it vote.
   * With one or two voters the cross-section cannot say which one is wrong, so the recent
   * filtered price votes too (continuity breaks the tie).
   */
  private centre(st: InstrumentState, now: number): number {
    const cfg = this.config;
    const { prices, weights } = st;
    let m = 0;
    let total = 0;
    for (const s of st.slots) {
      if (s.status !== OK || s.lastChange < st.jumpTs) continue;
      prices[m] = s.price;
      weights[m] = Math.max(s.quality.reliability, 1e-6);
      total += weights[m] as number;
      m++;
    }
    // Votes by reliability, not precision: a precise source's bad print must still be outvoted,
    // and the centre must not swing with whichever source spoke last. No source decides alone.
    if (m >= 3) for (let k = 0; k < m; k++) weights[k] = Math.min(weights[k] as number, 0.4 * total);
    if (m > 0 && m < 3 && Number.isFinite(st.kfPrice) && now - st.kfTs <= cfg.maxAgeMs && !Number.isFinite(st.jumpTs)) {
      let wsum = 0;
      for (let k = 0; k < m; k++) wsum += weights[k] as number;
      prices[m] = st.kfPrice;
      weights[m] = wsum / m;
      m++;
    }
    const med = weightedMedian(prices, weights, m, st.order);
    for (let k = 0; k < m; k++) prices[k] = Math.abs((prices[k] as number) - med);
    const mad = 1.4826 * weightedMedian(prices, weights, m, st.order);
    st.limit = Math.max(cfg.outlierK * mad, (med * cfg.outlierFloorBps) / 1e4);
    return med;
  }

  /**
   * One Kalman step on a random walk: predict with the market's variance rate, then update with
   * the new observation if its source is in use, with that source's measured noise. A filtered
   * price that drifts outside what the cross-section allows (a jump the random-walk prior
   * underweights), or a confirmed jump, restarts it from the cross-section.
   */
  private filter(
    st: InstrumentState,
    now: number,
    updated: SourceSlot | undefined,
    cross: number,
    crossVar: number,
    jumped: boolean,
  ): number {
    if (!Number.isFinite(st.kfPrice) || jumped) {
      st.kfPrice = cross;
      st.kfVar = crossVar;
      st.kfTs = now;
      return cross;
    }
    const dt = Math.max(0, now - st.kfTs);
    st.kfTs = now;
    st.kfVar += st.vol.rate * dt;
    if (updated) {
      const k = st.kfVar / (st.kfVar + updated.quality.sequentialVariance);
      st.kfPrice += k * (updated.price - st.kfPrice);
      st.kfVar *= 1 - k;
    }
    const gapBps = (Math.abs(st.kfPrice - cross) / cross) * 1e4;
    if (gapBps * gapBps > 9 * (crossVar + st.kfVar)) {
      st.kfPrice = cross;
      st.kfVar = crossVar;
    }
    return st.kfPrice;
  }

  /** The stablecoin rate as a fused stream: USD-quoted consensus over stablecoin-quoted consensus. */
  private observeStableRate(st: InstrumentState, now: number): void {
    let usdSum = 0;
    let usdN = 0;
    let coinSum = 0;
    let coinN = 0;
    let coin: string | null = null;
    for (const s of st.slots) {
      if (s.status !== OK) continue;
      if (s.coin) {
        coinSum += s.raw;
        coinN++;
        coin = s.coin;
      } else {
        usdSum += s.raw;
        usdN++;
      }
    }
    if (coin && usdN > 0 && coinN > 0) this.harmonizer.observeCross(st.symbol, coin, usdSum / usdN, coinSum / coinN, now);
  }

  /** Consistency accounting and conflict events. */
  private track(st: InstrumentState, now: number, price: number): void {
    const tol = this.config.tolerance;
    let agree = true;
    let disagree = false;
    for (const s of st.slots) {
      if (Number.isNaN(s.price) || s.status === REASON_CODE.stale) continue;
      const off = Math.abs(s.price - price) / price > tol;
      if (off) disagree = true;
      if (off && s.status === OK) agree = false;
    }
    if (!Number.isNaN(st.lastEval) && now > st.lastEval) {
      const dt = now - st.lastEval;
      st.totalMs += dt;
      if (st.lastAgree) st.agreeMs += dt;
    }
    st.lastEval = now;
    st.lastAgree = agree;
    if (disagree && !st.inConflict && !Number.isNaN(price)) {
      const values: Conflict['values'] = [];
      const out: string[] = [];
      for (const s of st.slots) {
        if (Number.isNaN(s.price) || s.status === REASON_CODE.stale) continue;
        values.push({ venue: s.venue, price: s.price });
        if (s.status !== OK) out.push(`${s.venue} (${EXCLUSIONS[s.status - 1]})`);
      }
      const resolution = out.length
        ? `excluded ${out.join(', ')}; fused from ${st.result.used} sources`
        : `kept all ${st.result.used} sources, weighted by measured reliability`;
      this.conflictLog.push({ type: 'conflict', symbol: st.symbol, ts: now, values, tolerance: tol, resolution });
      if (this.conflictLog.length > this.config.maxConflicts) this.conflictLog.shift();
    }
    st.inConflict = disagree;
  }
}

/**
 * Weighted median of the first n values (lower weighted median: the smallest value at which the
 * cumulative weight reaches half). Sorts an index array in place (insertion sort: n is small).
 */
export function weightedMedian(values: Float64Array, weights: Float64Array, n: number, order: Int32Array): number {
  if (n === 0) return Number.NaN;
  for (let i = 0; i < n; i++) order[i] = i;
  // Sorted by value, then weight, and summed in that order: the result is a function of the
  // multiset of pairs alone (floating-point sums in input order would depend on arrival order).
  for (let i = 1; i < n; i++) {
    const k = order[i] as number;
    const v = values[k] as number;
    const w = weights[k] as number;
    let j = i - 1;
    while (j >= 0) {
      const o = order[j] as number;
      const vo = values[o] as number;
      if (vo < v || (vo === v && (weights[o] as number) <= w)) break;
      order[j + 1] = o;
      j--;
    }
    order[j + 1] = k;
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[order[i] as number] as number;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const k = order[i] as number;
    acc += weights[k] as number;
    if (acc >= total / 2) {
      // Exactly half: average with the next value, as the unweighted median does for even n.
      if (Math.abs(acc - total / 2) < 1e-12 * total && i + 1 < n)
        return ((values[k] as number) + (values[order[i + 1] as number] as number)) / 2;
      return values[k] as number;
    }
  }
  return values[order[n - 1] as number] as number;
}
