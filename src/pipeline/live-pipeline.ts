/**
 * The live pipeline: sources → harmonizer + fusion → bars (every configured timeframe) →
 * analysis (indicators, regimes, signals) → bus → API and store. The only place that knows
 * every part; each part stays usable on its own.
 */
import { join } from 'node:path';
import type { EventBus } from '../bus/bus.ts';
import { InProcessBus } from '../bus/bus.ts';
import { NatsJetStreamBus } from '../bus/nats.ts';
import type { InstrumentSummary, SourceSummary } from '../core/api.ts';
import type { Alert, ConsolidatedBookEvent, EmpEvent, FusedPrice, RegimeState, SourceHealth } from '../core/events.ts';
import type { Bar, MarketRecord } from '../core/market.ts';
import { openTogether } from '../core/open-together.ts';
import { StartProgress } from '../core/start-progress.ts';
import { floorToTimeframe, type Timeframe, timeframeMs } from '../core/time.ts';
import { FusionEngine } from '../fusion/engine.ts';
import type { IndicatorInfo } from '../indicators/index.ts';
import { PostgresStore } from '../store/postgres.ts';
import { PruneSchedule, retentionFromDays } from '../store/retention.ts';
import { SqliteStore } from '../store/sqlite.ts';
import { fusedRow, type MarketStore } from '../store/store.ts';
import { StoreWriter } from '../store/writer.ts';
import { type ApiBackend, instrumentSummary } from './api-backend.ts';
import { BookStage } from './book-stage.ts';
import type { ServiceConfig } from './config.ts';
import { MetricsRegistry } from './metrics.ts';
import { RecentBars } from './recent-bars.ts';
import type { BarAnalysis, HistoryBars, RecordSource, SourceSink, VenueHealthSnapshot } from './stages.ts';

export interface PipelineParts {
  /** Builds the bars of one instrument for every timeframe from fused prices. */
  bars(symbol: string, timeframes: readonly Timeframe[]): BarBuilder;
  /** Analysis stages for one instrument and timeframe (none: that timeframe only gets bars). */
  analysis(symbol: string, timeframe: Timeframe): BarAnalysis[];
  indicatorCatalogue(): IndicatorInfo[];
}

/** Time bars from fused prices: open-bar updates and closed bars, per timeframe. */
interface BarBuilder {
  onPrice(ts: number, price: number, size: number, emit: (bar: Bar) => void): void;
  /** The bar still open in a timeframe (a copy), if any. */
  openBar(tf: Timeframe): Bar | undefined;
}

export interface PipelineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const SILENT: PipelineLogger = { info() {}, warn() {}, error() {} };

/** Open-bar updates go out at most this often per instrument and timeframe (closed bars always). */
const OPEN_BAR_EVERY_MS = 500;
/** A consolidated book goes out at most this often per instrument. */
const BOOK_EVERY_MS = 250;
/** At most one conflict alert per instrument per this much data time. */
const CONFLICT_ALERT_MS = 30_000;
/**
 * Bars wait for their analysis to a later event-loop turn once this turn has run this long (ms)
 * since its first analysis: instruments' bars close together, and their calibrations (a regime
 * refit takes 100-250 ms) would otherwise all run in one turn, during which nothing else is
 * answered (the API, the venue sockets). Short, because libuv accepts one connection per turn:
 * after a restart, hundreds of WebSocket clients reconnect while the catch-up runs, and a new
 * connection (a health check) waits behind them. With 20 ms, a restart under 500 reconnecting
 * clients at speed 100 was re-priced and answering 1.16-2.64 s after the SIGKILL (12 restarts,
 * three over 2 s; bench/restart-herd.ts); with 5 ms, 0.98-1.86 s (median 1.18 s, was 1.39 s).
 */
const ANALYSIS_SLICE_MS = 5;
/**
 * At start, the warm-up's reads and the analysis's catch-up (warm-up and history, seconds of regime
 * calibrations) wait until every instrument has its first fused price, or this long (ms) after the
 * sources start: a restarted service publishes prices first (about 0.5 s sooner than with both competing).
 */
const CATCH_UP_WAIT_MS = 1000;
/** Stored closed bars replayed into the analysis at start, per instrument and timeframe (more where a stage asks: `warmBars`). */
const WARM_BARS = 500;
/**
 * On a resumable source, records received this long before the end of the last stored 1-minute
 * bar stay unacknowledged: a restarted process reads them again to warm fusion (venue quotes,
 * quality) before the first bar it builds.
 */
const ACK_MARGIN_MS = 15_000;

/** What `open` may take ready-made instead of building it from the config. */
export interface PipelineOptions {
  bus?: EventBus;
  store?: MarketStore;
  /**
   * Resume where the store ends (the analyze role): bars continue after the last stored
   * 1-minute bar (the open higher-timeframe bars refilled from the stored 1-minute ones), records
   * older than that only warm fusion, and bars ending before it are not built again.
   */
  resume?: boolean;
  /** Names the steps of the open and the start while they are pending (a slow start says what it waits for). */
  progress?: StartProgress;
}

interface InstrumentLane {
  symbol: string;
  bars: BarBuilder;
  lastFusedPublish: number;
  lastFusedStore: number;
  lastOpenPublish: Map<Timeframe, number>;
  analysis: Map<Timeframe, BarAnalysis[]>;
  pendingSize: number;
  /** Prices before this time go to fusion only: their bars are stored already (resume). */
  resumeFrom: number;
}

export class LivePipeline implements ApiBackend {
  readonly engine: FusionEngine;
  /** Closed bars served before the batched writer has stored them. */
  private readonly recentBars = new RecentBars();
  readonly metricsRegistry = new MetricsRegistry();
  /** The consolidated book per instrument, from the venues' own books. */
  readonly books: BookStage;
  private bookTimer: NodeJS.Timeout | undefined;
  private readonly lanes = new Map<string, InstrumentLane>();
  private writer: StoreWriter | undefined;
  private pruning: PruneSchedule | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly startedAt = Date.now();
  private readonly venueState = new Map<string, { up: boolean; since: number; everUp: boolean }>();
  readonly stats = {
    records: 0,
    published: 0,
    fused: 0,
    bars: 0,
    analysisErrors: 0,
    sourceErrors: 0,
    connectionWarnings: 0,
    gaps: 0,
    /** Receipt → fused publish lag of the last record, ms. */
    lagMs: 0,
  };
  private readonly latestFused = new Map<string, FusedPrice>();
  private readonly latestRegime = new Map<string, RegimeState>();
  private readonly lastConflictAlert = new Map<string, number>();
  /** Stored-bar marks waiting for the store writer before the source may forget their records. */
  private readonly acks: { symbol: string; before: number; mark: number }[] = [];
  /**
   * Bars waiting for their analysis, in order (ANALYSIS_SLICE_MS); `analysisHead` is the next one.
   * A `warm` entry is a stored bar that only warms its stages (at start, ahead of every new bar).
   */
  private readonly analysisQueue: { lane: InstrumentLane; bar: Bar; warm: boolean }[] = [];
  private analysisHead = 0;
  private analysisScheduled = false;
  /** Called once the analysis queue is next empty. */
  private analysisDrained: (() => void)[] = [];
  /** Set while the start waits for the first fused prices (CATCH_UP_WAIT_MS). */
  private catchUpTimer: NodeJS.Timeout | undefined;
  /** Resolves the start's wait for the first fused prices. */
  private onFirstPrices: (() => void) | undefined;
  /** Lets the store writer commit (held from its creation until the start's warm-up is read). */
  private releaseWriter: (() => void) | undefined;
  /** When this turn's first analysis ran (performance.now()); -1: none yet. */
  private sliceStart = -1;

  private constructor(
    readonly config: ServiceConfig,
    readonly bus: EventBus,
    readonly store: MarketStore,
    private readonly source: RecordSource,
    private readonly parts: PipelineParts,
    private readonly log: PipelineLogger,
    private readonly resumable: boolean,
    private readonly progress: StartProgress,
  ) {
    this.engine = new FusionEngine({ maxAgeMs: config.fusion.maxAgeMs });
    // Harmonized as fusion does: a USDT venue's prices at fusion's live USDT/USD estimate.
    this.books = new BookStage(config.instruments, (pair) => this.engine.harmonizer.target(pair), { everyMs: BOOK_EVERY_MS });
    for (const symbol of config.instruments) {
      const analysis = new Map<Timeframe, BarAnalysis[]>();
      for (const tf of config.analysis.timeframes) analysis.set(tf, parts.analysis(symbol, tf));
      this.lanes.set(symbol, {
        symbol,
        bars: parts.bars(symbol, config.analysis.timeframes),
        lastFusedPublish: 0,
        lastFusedStore: 0,
        lastOpenPublish: new Map(),
        analysis,
        pendingSize: 0,
        resumeFrom: Number.NEGATIVE_INFINITY,
      });
    }
    this.registerMetrics();
  }

  /**
   * Opens the store and the bus named by the config, side by side with the source's own start (a
   * promise: the simulator's venue servers), and does not start intake. When one fails, the others
   * are closed before the failure is rethrown.
   */
  static async open(
    config: ServiceConfig,
    source: RecordSource | Promise<RecordSource>,
    parts: PipelineParts,
    log: PipelineLogger = SILENT,
    opts: PipelineOptions = {},
  ): Promise<LivePipeline> {
    const openStore = async (): Promise<MarketStore> =>
      opts.store ??
      (config.store.kind === 'postgres'
        ? await PostgresStore.open({ connectionString: config.store.postgresUrl, schema: config.store.postgresSchema })
        : new SqliteStore(join(config.store.dataDir, 'emp.sqlite'), { cacheMb: config.store.sqliteCacheMb }));
    const openBus = async (): Promise<EventBus> => {
      if (opts.bus) return opts.bus;
      if (config.bus.kind === 'nats')
        return NatsJetStreamBus.connect({
          servers: config.bus.natsUrl,
          stream: config.bus.stream,
          maxAgeMs: config.bus.maxAgeMs,
          maxBytes: config.bus.maxBytes,
          onError: (err) => log.warn({ err }, 'bus'),
        });
      return new InProcessBus((err, event) => log.error({ err, type: event.type }, 'bus handler failed'));
    };
    // Resources given by the caller stay the caller's to close.
    const progress = opts.progress ?? new StartProgress();
    const track = <T>(what: string, p: Promise<T>): Promise<T> => progress.track(what, p);
    const [src, store, bus] = await openTogether<[RecordSource, MarketStore, EventBus]>([
      [track('the venues', Promise.resolve(source)), (s) => track('closing the venues', s.stop())],
      [
        track(`the store (${config.store.kind})`, openStore()),
        (s) => (opts.store ? Promise.resolve() : track('closing the store', s.close())),
      ],
      [track(`the bus (${config.bus.kind})`, openBus()), (b) => (opts.bus ? Promise.resolve() : track('closing the bus', b.close()))],
    ]);
    return new LivePipeline(config, bus, store, src, parts, log, opts.resume ?? false, progress);
  }

  /**
   * Queues the source's history, starts the store writer, waits until every bus consumer is ready,
   * starts the sources and the periodic tick, and resolves once the analysis's warm-up (stored
   * bars) and the history have been analysed. The sources start before that analysis (it takes
   * seconds: each instrument's regime calibrations) and before the warm-up's bars are read (tens
   * of thousands of rows, whose parsing on PostgreSQL had held a restart's first prices 0.2-0.3 s):
   * those are read once every instrument has a fused price (or CATCH_UP_WAIT_MS has passed) and
   * queued ahead of every new bar; the analysis then runs in slices between live records as any
   * backlog does. So a restarted service publishes fused prices within a moment, and its new bars
   * are analysed after the stored ones, in order.
   */
  async start(): Promise<void> {
    // The bar builders' reads (resume, history): the venues wait for these; the warm-up's wait for the venues.
    const track = <T>(what: string, p: Promise<T>): Promise<T> => this.progress.track(what, p);
    const [, history] = await track(
      'the stored bars (resume and history)',
      Promise.all([this.resumable ? this.resume() : undefined, this.history()]),
    );
    const writer = new StoreWriter(this.store, { onError: (err) => this.log.error({ err }, 'store write failed') });
    this.writer = writer;
    writer.holdUntil(
      new Promise<void>((resolve) => {
        this.releaseWriter = resolve;
      }),
    );
    const fusedEvery = this.config.store.fusedEveryMs;
    this.bus.subscribe({ types: ['bar', 'fused', 'signal', 'regime', 'alert', 'conflict'] }, (e) => {
      switch (e.type) {
        case 'bar':
          if (e.final) writer.bar(e);
          break;
        case 'fused': {
          const lane = this.lanes.get(e.symbol);
          if (lane && e.ts - lane.lastFusedStore >= fusedEvery) {
            lane.lastFusedStore = e.ts;
            writer.fused(fusedRow(e));
          }
          break;
        }
        case 'signal':
          writer.signal(e);
          break;
        case 'regime':
          // Every bar's state (a per-bar series for history and charts), not only the changes.
          writer.regime(e);
          break;
        case 'alert':
          writer.alert(e);
          break;
        case 'conflict':
          writer.conflict(e);
          break;
      }
    });
    this.pruning = new PruneSchedule(this.store, retentionFromDays(this.config.store.retentionDays), {
      everyMs: this.config.store.pruneEveryMs,
      onError: (err) => this.log.error({ err }, 'store retention failed'),
    });
    this.pruning.start();
    // Every consumer made so far (the store writer here, the API's gateway when the server was
    // started first, other processes' followers) receives the very first record's events.
    await track('the bus consumers', this.bus.ready());
    // Held until the first fused prices are out and the warm-up is queued ahead of every new bar.
    this.analysisScheduled = true;
    // History enters the bar builders before any live price (bars are built in time order).
    this.replayHistory(history);
    const priced = new Promise<void>((resolve) => {
      this.onFirstPrices = resolve;
    });
    // Set first: a source may deliver (and price every instrument) within start().
    this.catchUpTimer = setTimeout(() => this.firstPricesOut(), CATCH_UP_WAIT_MS);
    this.source.start(this.sink);
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
    this.bookTimer = setInterval(() => this.books.flush(Date.now(), (e) => this.publish(e)), BOOK_EVERY_MS / 2);
    this.bookTimer.unref();
    await track('the first fused prices', priced);
    if (this.stopping) return;
    // The warm-up's reads once the prices are out: on a restart, tens of thousands of stored rows
    // whose parsing (0.2-0.3 s on PostgreSQL) had delayed the venues' first prices as much. The
    // store writer has held this run's rows (bars closed meanwhile) so that the reads see none.
    try {
      await track('the warm-up bars', this.queueWarm());
    } finally {
      this.releaseWriter?.();
    }
    const caughtUp = this.analysisIdle();
    this.runAnalysis(ANALYSIS_SLICE_MS);
    await track("the analysis's catch-up", caughtUp);
  }

  /** Every instrument has a fused price, or CATCH_UP_WAIT_MS has passed: the start goes on. */
  private firstPricesOut(): void {
    clearTimeout(this.catchUpTimer);
    this.catchUpTimer = undefined;
    this.onFirstPrices?.();
    this.onFirstPrices = undefined;
  }

  /** Resolves when every bar queued so far has had its analysis. */
  private analysisIdle(): Promise<void> {
    if (this.analysisHead >= this.analysisQueue.length) return Promise.resolve();
    return new Promise((resolve) => this.analysisDrained.push(resolve));
  }

  /** Stop intake, flush the store, close everything. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (this.bookTimer) clearInterval(this.bookTimer);
    this.firstPricesOut();
    await this.source.stop();
    // Bars still waiting for their analysis get it before the store is flushed.
    this.runAnalysis(Number.POSITIVE_INFINITY);
    await this.pruning?.stop();
    this.releaseWriter?.();
    await this.writer?.close();
    await this.bus.close();
    await this.store.close();
  }

  private readonly sink: SourceSink = {
    record: (r) => this.onRecord(r),
    status: (e) => {
      this.publish(e);
      const up = e.state === 'open';
      const prev = this.venueState.get(e.venue);
      this.venueState.set(e.venue, { up, since: e.ts, everUp: up || (prev?.everUp ?? false) });
      this.engine.reportStatus(e.venue, up);
      // A first connection is not news: "connected again" only after having been up and down.
      if (prev && prev.up !== up && (!up || prev.everUp)) {
        this.publish(
          alert(
            up ? 'source_up' : 'source_down',
            up ? 'info' : 'warning',
            null,
            e.ts,
            `${e.venue} ${up ? 'connected again' : `down${e.reason ? `: ${e.reason}` : ''}`}`,
          ),
        );
      }
    },
    gap: (e) => {
      this.stats.gaps++;
      this.engine.reportGap(e.venue, e.symbol, e.received - e.expected, e.ts);
      this.publish(e);
    },
    error: (venue, message) => {
      this.stats.sourceErrors++;
      this.engine.reportError(venue);
      this.log.warn({ venue, message }, 'bad frame');
    },
    warn: (venue, message) => {
      this.stats.connectionWarnings++;
      this.log.warn({ venue, message }, 'connection');
    },
    book: (ref) => {
      if (!this.stopping) this.books.onBook(ref);
    },
    bookGap: (e) => {
      this.books.onGap(e);
      this.log.warn({ venue: e.venue, symbol: e.symbol, reason: e.reason, detail: e.detail }, 'book out of sync; resyncing');
      this.publish(e);
    },
  };

  private onRecord(r: MarketRecord): void {
    if (this.stopping) return;
    this.stats.records++;
    let res: ReturnType<FusionEngine['onRecord']>;
    try {
      res = this.engine.onRecord(r);
    } catch (err) {
      this.sink.error(r.venue, (err as Error).message);
      return;
    }
    if (!res || !Number.isFinite(res.price)) return;
    const lane = this.lanes.get(res.symbol);
    if (!lane) return;
    const now = r.recvTs;
    // Read again after a restart to warm fusion; its bar is stored already.
    if (now < lane.resumeFrom) return;
    // Bar volume: trade sizes summed across the venues with the most complete trade streams
    // (quotes carry no volume; a venue missing trades would make the sum depend on its gaps).
    const size = r.type === 'trade' && this.engine.servesVolume(r.venue, res.symbol, r.recvTs) ? r.size : 0;
    lane.bars.onPrice(now, res.price, size, this.onBar);
    const wall = Date.now();
    if (wall - lane.lastFusedPublish >= this.config.fusion.publishEveryMs) {
      lane.lastFusedPublish = wall;
      const f = this.engine.fused(res.symbol);
      if (f) {
        this.latestFused.set(f.symbol, f);
        if (this.catchUpTimer && this.latestFused.size === this.lanes.size) this.firstPricesOut();
        this.stats.fused++;
        this.publish(f);
        // A faster simulation stamps receipts on its own clock: map back to the wall.
        this.stats.lagMs = Math.max(0, wall - (this.source.wallTime?.(r.recvTs) ?? r.recvTs));
      }
    }
  }

  private readonly onBar = (built: Bar): void => {
    let bar = built;
    const lane = this.lanes.get(bar.symbol);
    if (!lane) return;
    if (!bar.final) {
      const last = lane.lastOpenPublish.get(bar.timeframe) ?? 0;
      const now = Date.now();
      if (now - last < OPEN_BAR_EVERY_MS) return;
      lane.lastOpenPublish.set(bar.timeframe, now);
      // Builders reuse the open bar; what goes on the bus must not change under its readers.
      bar = { ...bar };
    } else {
      // Stored (with its analysis) before a restart: the replay that closes it again is not news.
      if (bar.ts + timeframeMs(bar.timeframe) <= lane.resumeFrom) return;
      lane.lastOpenPublish.set(bar.timeframe, 0);
      this.recentBars.add(bar);
    }
    this.stats.bars++;
    this.publish(bar);
    this.analysisQueue.push({ lane, bar, warm: false });
    if (!this.analysisScheduled) this.runAnalysis(ANALYSIS_SLICE_MS);
  };

  /**
   * Analyses queued bars in order until this turn has run `sliceMs` since its first analysis;
   * the rest continue in the next turn (after the sockets and timers due have had theirs).
   */
  private runAnalysis(sliceMs: number): void {
    this.analysisScheduled = false;
    const q = this.analysisQueue;
    while (this.analysisHead < q.length) {
      const now = performance.now();
      if (this.sliceStart < 0) {
        this.sliceStart = now;
        setImmediate(() => {
          this.sliceStart = -1;
        });
      } else if (now - this.sliceStart > sliceMs) {
        if (this.analysisHead > 4096) {
          q.splice(0, this.analysisHead);
          this.analysisHead = 0;
        }
        this.analysisScheduled = true;
        setImmediate(() => this.runAnalysis(ANALYSIS_SLICE_MS));
        return;
      }
      const { lane, bar, warm } = q[this.analysisHead++] as { lane: InstrumentLane; bar: Bar; warm: boolean };
      for (const a of lane.analysis.get(bar.timeframe) ?? []) {
        try {
          if (warm) a.warm(bar);
          else {
            a.onBar(bar, this.emit);
            const cp = a.checkpoint?.();
            if (cp && a.id) this.writer?.checkpoint({ symbol: bar.symbol, timeframe: bar.timeframe, stage: a.id, ...cp });
          }
        } catch (err) {
          this.stats.analysisErrors++;
          this.log.error({ err, symbol: bar.symbol, timeframe: bar.timeframe }, 'analysis failed');
        }
      }
      // The bar and its analysis are with the store writer now (a local bus delivers at once): once
      // committed, the records that made it may be forgotten upstream.
      if (!warm && bar.final && bar.timeframe === '1m' && this.source.committed && this.writer)
        this.acks.push({ symbol: bar.symbol, before: bar.ts + 60_000 - ACK_MARGIN_MS, mark: this.writer.mark() });
    }
    q.length = 0;
    this.analysisHead = 0;
    const drained = this.analysisDrained;
    if (drained.length > 0) {
      this.analysisDrained = [];
      for (const resolve of drained) resolve();
    }
  }

  private readonly emit = (e: EmpEvent): void => {
    if (e.type === 'regime') this.latestRegime.set(`${e.symbol}:${e.timeframe}`, e);
    this.publish(e);
  };

  private publish(e: EmpEvent): void {
    this.stats.published++;
    this.bus.publish(e);
  }

  /** Once a second: source health, conflicts, stale-source alerts. */
  private tick(): void {
    const now = Date.now();
    const writer = this.writer;
    if (writer && this.source.committed) {
      let n = 0;
      while (n < this.acks.length && writer.committed((this.acks[n] as { mark: number }).mark)) {
        const a = this.acks[n] as { symbol: string; before: number };
        this.source.committed(a.symbol, a.before);
        n++;
      }
      this.acks.splice(0, n);
    }
    for (const h of this.source.health()) this.publish(this.healthEvent(h, now));
    for (const c of this.engine.drainConflicts()) {
      this.publish(c);
      // Conflicts are also alerts, at most one per instrument per CONFLICT_ALERT_MS of data time.
      const last = this.lastConflictAlert.get(c.symbol) ?? Number.NEGATIVE_INFINITY;
      if (c.ts - last >= CONFLICT_ALERT_MS) {
        this.lastConflictAlert.set(c.symbol, c.ts);
        const vals = c.values.map((v) => `${v.venue} ${v.price.toPrecision(7)}`).join(', ');
        this.publish(
          alert(
            'conflict',
            'info',
            c.symbol,
            c.ts,
            `sources disagree beyond ${(c.tolerance * 100).toFixed(2)}%: ${vals} (${c.resolution})`,
          ),
        );
      }
    }
  }

  private healthEvent(h: VenueHealthSnapshot, now: number): SourceHealth {
    const weights: Record<string, number> = {};
    const prices: Record<string, number> = {};
    for (const symbol of this.lanes.keys()) {
      const w = this.engine.weights(symbol)[h.venue];
      if (w !== undefined) weights[symbol] = w;
      const x = this.engine.explain(h.venue, symbol);
      if (x && typeof x.price === 'number' && Number.isFinite(x.price)) prices[symbol] = x.price;
    }
    return { type: 'source_health', ts: now, ...h, weights, prices };
  }

  /**
   * The source's history for the configured span, less what the store already holds (a restart
   * reuses its stored bars and only fills the time since the last stored one-minute bar).
   */
  private async history(): Promise<HistoryBars[]> {
    const span = this.config.simulator.historyMs;
    if (!this.source.history || span <= 0 || this.config.live) return [];
    let from = Date.now() - span;
    const lasts = await Promise.all(
      [...this.lanes.values()].map((lane) => this.store.bars({ symbol: lane.symbol, timeframe: '1m', limit: 1 })),
    );
    for (const last of lasts) {
      const ts = last[last.length - 1]?.ts;
      if (ts !== undefined) from = Math.max(from, ts + 60_000);
    }
    return this.source.history(from).filter((h) => this.lanes.has(h.symbol));
  }

  /**
   * Runs history through the same bars and analysis as live prices: each one-minute bar enters
   * the lane's bar builder as its open, high, low and close within the minute (the higher
   * timeframes aggregate them, and keep their open bars into the live stream); the events go
   * out on the bus and into the store like live ones.
   */
  private replayHistory(history: readonly HistoryBars[]): void {
    let bars = 0;
    for (const h of history) {
      const lane = this.lanes.get(h.symbol);
      if (!lane) continue;
      const b = h.bars;
      for (let i = 0; i < b.time.length; i++) {
        const t = b.time[i] as number;
        const open = b.open[i] as number;
        const close = b.close[i] as number;
        // The order of the extremes within the minute follows the bar's direction.
        const [first, second] = close >= open ? [b.low[i] as number, b.high[i] as number] : [b.high[i] as number, b.low[i] as number];
        lane.bars.onPrice(t, open, 0, this.onBar);
        lane.bars.onPrice(t + 20_000, first, 0, this.onBar);
        lane.bars.onPrice(t + 40_000, second, 0, this.onBar);
        lane.bars.onPrice(t + 59_999, close, b.volume[i] as number, this.onBar);
        bars++;
      }
    }
    if (bars > 0) this.log.info({ bars, instruments: history.length }, 'history replayed');
  }

  /**
   * Continues each instrument after its last stored 1-minute bar: the open bars of the larger
   * timeframes are rebuilt from the stored 1-minute bars they span (each as its open, extremes and
   * close, as history is replayed), with nothing emitted, since all of it is stored and warm.
   */
  private async resume(): Promise<void> {
    const tfs = this.config.analysis.timeframes;
    const widest = tfs.reduce((a, b) => (timeframeMs(b) > timeframeMs(a) ? b : a), tfs[0] as Timeframe);
    const lanes = [...this.lanes.values()];
    // Read side by side (a restart's venues wait for this), then applied in lane order.
    const read = await Promise.all(
      lanes.map(async (lane) => {
        const last = (await this.store.bars({ symbol: lane.symbol, timeframe: '1m', limit: 1 }))[0];
        if (!last) return undefined;
        const from = floorToTimeframe(last.ts + 60_000, widest);
        return { last, bars: await this.store.bars({ symbol: lane.symbol, timeframe: '1m', from, to: last.ts }) };
      }),
    );
    for (const [k, lane] of lanes.entries()) {
      const r = read[k];
      if (!r) continue;
      const { last, bars } = r;
      const resumeFrom = last.ts + 60_000;
      const discard = (): void => {};
      for (const b of bars) {
        const [first, second] = b.close >= b.open ? [b.low, b.high] : [b.high, b.low];
        lane.bars.onPrice(b.ts, b.open, 0, discard);
        lane.bars.onPrice(b.ts + 20_000, first, 0, discard);
        lane.bars.onPrice(b.ts + 40_000, second, 0, discard);
        lane.bars.onPrice(b.ts + 59_999, b.close, b.volume, discard);
      }
      lane.resumeFrom = resumeFrom;
      this.log.info({ symbol: lane.symbol, resumeFrom: new Date(resumeFrom).toISOString(), rebuilt: bars.length }, 'resuming');
    }
  }

  /** Stored bars, queued to warm the analysis of their instrument and timeframe ahead of any new bar. */
  private async queueWarm(): Promise<void> {
    const jobs = [...this.lanes.values()].flatMap((lane) =>
      [...lane.analysis].filter(([, stages]) => stages.length > 0).map(([tf, stages]) => ({ lane, tf, stages })),
    );
    // Read side by side, then applied in lane order.
    const read = await Promise.all(
      jobs.map(({ lane, tf, stages }) =>
        Promise.all([
          Promise.all(
            stages.map((s) => (s.restore && s.id ? this.store.checkpoint({ symbol: lane.symbol, timeframe: tf, stage: s.id }) : undefined)),
          ),
          this.store.bars({ symbol: lane.symbol, timeframe: tf, limit: Math.max(WARM_BARS, ...stages.map((s) => s.warmBars ?? 0)) }),
        ]),
      ),
    );
    const warm: { lane: InstrumentLane; bar: Bar; warm: true }[] = [];
    for (const [k, { lane, tf, stages }] of jobs.entries()) {
      const [checkpoints, bars] = read[k] as (typeof read)[number];
      for (const [i, s] of stages.entries()) {
        const cp = checkpoints[i];
        if (!cp || !s.restore) continue;
        try {
          s.restore(cp.ts, cp.body);
        } catch (err) {
          // Unreadable (another version's, damaged): the warm-up recalibrates from the stored bars.
          this.log.warn({ err, symbol: lane.symbol, timeframe: tf, stage: s.id }, 'stored checkpoint not restored');
        }
      }
      for (const bar of bars) warm.push({ lane, bar, warm: true });
    }
    // Ahead of the history's and the live bars queued while the reads ran (the analysis is held).
    const q = this.analysisQueue;
    const later = q.splice(this.analysisHead);
    for (const w of warm) q.push(w);
    for (const l of later) q.push(l);
  }

  private registerMetrics(): void {
    const m = this.metricsRegistry;
    m.register('emp_records_total', 'counter', 'venue records received', () => this.stats.records);
    m.register('emp_events_published_total', 'counter', 'events published on the bus', () => this.stats.published);
    m.register('emp_fused_published_total', 'counter', 'fused prices published', () => this.stats.fused);
    m.register('emp_pipeline_lag_ms', 'gauge', 'receipt to fused publish, last record (ms)', () => this.stats.lagMs);
    m.register('emp_source_errors_total', 'counter', 'malformed frames and source errors', () => this.stats.sourceErrors);
    m.register('emp_gaps_total', 'counter', 'sequence gaps detected', () => this.stats.gaps);
    m.register('emp_book_gaps_total', 'counter', 'venue L2 books found out of sync, by venue and reason', () =>
      [...this.books.stats.gaps].flatMap(([venue, g]) =>
        Object.entries(g).map(([reason, n]) => [{ venue, reason }, n] as [Record<string, string>, number]),
      ),
    );
    m.register('emp_book_resyncs_total', 'counter', 'venue L2 books rebuilt from a fresh snapshot after a gap', () =>
      this.source
        .health()
        .flatMap((h) => (h.bookResyncs === undefined ? [] : [[{ venue: h.venue }, h.bookResyncs] as [Record<string, string>, number]])),
    );
    m.register('emp_books_published_total', 'counter', 'consolidated book events published', () => this.books.stats.published);
    m.register('emp_analysis_errors_total', 'counter', 'analysis stages that threw', () => this.stats.analysisErrors);
    m.register('emp_fusion_exclusions_total', 'counter', 'source evaluations excluded from fusion, by reason', () =>
      Object.entries(this.engine.exclusions).map(([reason, n]) => [{ reason }, n]),
    );
    m.register('emp_source_reconnects_total', 'counter', 'reconnects per venue', () =>
      this.source.health().map((h) => [{ venue: h.venue }, h.reconnects]),
    );
    m.register('emp_source_messages_per_second', 'gauge', 'messages per second per venue', () =>
      this.source.health().map((h) => [{ venue: h.venue }, h.messagesPerSec]),
    );
    const q = (k: 'received' | 'depth' | 'dropped' | 'coalesced'): number => this.source.queueStats?.()?.[k] ?? 0;
    m.register('emp_intake_records_received_total', 'counter', 'records the venue clients put on the intake queue', () => q('received'));
    m.register('emp_intake_queue_depth', 'gauge', 'records waiting between the venue sockets and fusion', () => q('depth'));
    m.register('emp_intake_queue_dropped_total', 'counter', 'records dropped by the intake queue (oldest first, when full)', () =>
      q('dropped'),
    );
    m.register('emp_intake_queue_coalesced_total', 'counter', 'quotes replaced by a newer one while queued', () => q('coalesced'));
    m.register('emp_simulator_venue_faults_total', 'counter', 'transport faults injected by simulator.chaos, by kind', () =>
      Object.entries(this.source.injectedFaults?.() ?? {}).map(([kind, n]) => [{ kind }, n]),
    );
    const bus = this.bus;
    if (bus instanceof NatsJetStreamBus) {
      // Publishes that failed or were given up are otherwise invisible (fire-and-forget from the hot path).
      m.register('emp_bus_publishes_total', 'counter', 'JetStream publishes, by outcome', () => [
        [{ outcome: 'acked' }, bus.stats.acked],
        [{ outcome: 'error' }, bus.stats.publishErrors],
        [{ outcome: 'dropped' }, bus.stats.publishDropped],
      ]);
      m.register('emp_bus_received_total', 'counter', 'events read back from JetStream by this process', () => bus.stats.received);
      m.register(
        'emp_bus_consumer_errors_total',
        'counter',
        'JetStream consumers that failed (re-created)',
        () => bus.stats.consumerErrors,
      );
    }
    m.register('emp_store_rows_written_total', 'counter', 'rows committed to the store', () => this.writer?.stats.written ?? 0);
    const prune = (k: 'runs' | 'pruned' | 'errors' | 'lastRunTs'): number => this.pruning?.stats[k] ?? 0;
    m.register('emp_store_rows_pruned_total', 'counter', 'rows deleted by retention (store.retentionDays)', () => prune('pruned'));
    m.register('emp_store_prune_runs_total', 'counter', 'retention passes completed', () => prune('runs'));
    m.register('emp_store_prune_errors_total', 'counter', 'retention passes that failed', () => prune('errors'));
    m.register(
      'emp_store_last_prune_timestamp_seconds',
      'gauge',
      'when the last retention pass completed',
      () => prune('lastRunTs') / 1000,
    );
    m.register(
      'emp_store_rows_dropped_total',
      'counter',
      'rows dropped after the store failed too long',
      () => this.writer?.stats.dropped ?? 0,
    );
  }

  // ApiBackend

  instruments(): InstrumentSummary[] {
    return [...this.lanes.keys()].map((symbol) =>
      instrumentSummary(symbol, this.latestFused.get(symbol), this.latestRegime.get(`${symbol}:${this.config.analysis.regimeTimeframe}`)),
    );
  }

  symbols(): readonly string[] {
    return [...this.lanes.keys()];
  }

  book(symbol: string): ConsolidatedBookEvent | undefined {
    return this.books.latest(symbol);
  }

  openBar(symbol: string, timeframe: Timeframe): Bar | undefined {
    return this.lanes.get(symbol)?.bars.openBar(timeframe);
  }

  closedBarsAfter(symbol: string, timeframe: Timeframe, after: number): Bar[] {
    return this.recentBars.since(symbol, timeframe, after);
  }

  sources(): SourceSummary[] {
    const now = Date.now();
    return this.source.health().map((h) => this.healthEvent(h, now));
  }

  indicatorCatalogue(): IndicatorInfo[] {
    return this.parts.indicatorCatalogue();
  }

  metrics(): string {
    return this.metricsRegistry.render();
  }

  ready(): boolean {
    return this.latestFused.size > 0;
  }

  uptimeSec(): number {
    return Math.round((Date.now() - this.startedAt) / 1000);
  }
}

function alert(kind: Alert['kind'], severity: Alert['severity'], symbol: string | null, ts: number, message: string): Alert {
  return { type: 'alert', kind, severity, symbol, ts, message };
}
