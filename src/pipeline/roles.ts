/**
 * The pipeline split into roles over NATS JetStream and PostgreSQL (DESIGN.md, "Growing out of
 * one machine"):
 * - ingest: venue connections → records on `<prefix>.records.<venue>.<instrument>`;
 * - analyze: one durable consumer per instrument → fusion → bars → analysis → outputs on
 *   `<prefix>.out.<type>.<symbol>` and into the store; several processes split the instruments;
 * - gateway: the API's backend, fed by the outputs on JetStream and the store's history.
 * `all` (the default) is the single process of `LivePipeline` as it always was.
 */
import { type EventBus, type EventFilter, type EventHandler, InProcessBus, LocalFirstBus } from '../bus/bus.ts';
import { NatsJetStreamBus, type RecordFeed } from '../bus/nats.ts';
import type { InstrumentSummary, SourceSummary } from '../core/api.ts';
import type { Alert, EmpEvent, FusedPrice, RegimeState, SourceHealth } from '../core/events.ts';
import type { Bar, MarketRecord } from '../core/market.ts';
import { openTogether } from '../core/open-together.ts';
import { StartProgress } from '../core/start-progress.ts';
import type { Timeframe } from '../core/time.ts';
import { Harmonizer } from '../fusion/harmonizer.ts';
import { type IndicatorInfo, listIndicators } from '../indicators/index.ts';
import { PostgresStore } from '../store/postgres.ts';
import { type ApiBackend, instrumentSummary } from './api-backend.ts';
import type { ServiceConfig } from './config.ts';
import { LivePipeline, type PipelineLogger, type PipelineParts } from './live-pipeline.ts';
import { MetricsRegistry } from './metrics.ts';
import { RecentBars } from './recent-bars.ts';
import type { RecordSource, SourceSink, VenueHealthSnapshot } from './stages.ts';

export const ROLES = ['all', 'ingest', 'analyze', 'gateway'] as const;
export type Role = (typeof ROLES)[number];

/** The roles other than `all` exchange everything over JetStream and share the PostgreSQL store. */
export function checkRoleConfig(role: Role, config: ServiceConfig): void {
  if (role === 'all') return;
  if (config.bus.kind !== 'nats') throw new Error(`--role ${role} needs --bus nats (the roles talk over NATS JetStream)`);
  if (role !== 'ingest' && config.store.kind !== 'postgres')
    throw new Error(`--role ${role} needs --store postgres (the roles share one store)`);
}

/** The URL and the cause on one line: the usual reason a role does not start. */
function unreachable(what: string, url: string, err: unknown): Error {
  return new Error(`${what} at ${url.replace(/:[^:@/]*@/, ':***@')}: ${(err as Error).message}`, { cause: err });
}

export async function connectBus(config: ServiceConfig, log: PipelineLogger): Promise<NatsJetStreamBus> {
  try {
    return await NatsJetStreamBus.connect({
      servers: config.bus.natsUrl,
      stream: config.bus.stream,
      maxAgeMs: config.bus.maxAgeMs,
      maxBytes: config.bus.maxBytes,
      onError: (err) => log.warn({ err }, 'bus'),
    });
  } catch (err) {
    throw unreachable('NATS', config.bus.natsUrl, err);
  }
}

async function openStore(config: ServiceConfig): Promise<PostgresStore> {
  try {
    return await PostgresStore.open({ connectionString: config.store.postgresUrl, schema: config.store.postgresSchema });
  } catch (err) {
    throw unreachable('PostgreSQL', config.store.postgresUrl, err);
  }
}

/** A role's PostgreSQL store and NATS bus, opened side by side; when one fails, the other is closed. */
function openStoreAndBus(config: ServiceConfig, log: PipelineLogger, progress: StartProgress): Promise<[PostgresStore, NatsJetStreamBus]> {
  return openTogether<[PostgresStore, NatsJetStreamBus]>([
    [progress.track('the store (postgres)', openStore(config)), (s) => progress.track('closing the store', s.close())],
    [progress.track('the bus (nats)', connectBus(config, log)), (b) => progress.track('closing the bus', b.close())],
  ]);
}

/**
 * A record's identity for JetStream's deduplication: the venue's trade id where it has one,
 * otherwise what the venue said and when it said it (its event time, or our receipt time when
 * it gives none), so the same frame read twice has the same id.
 */
function recordId(r: MarketRecord): string {
  const head = `${r.venue}:${r.symbol}`;
  if (r.type === 'trade') return r.id !== null ? `${head}:t:${r.id}` : `${head}:t:${r.ts ?? r.recvTs}:${r.price}:${r.size}:${r.side}`;
  return `${head}:q:${r.ts ?? r.recvTs}:${r.bid}:${r.bidSize}:${r.ask}:${r.askSize}`;
}

/** Durable consumer of an instrument's records (one per instrument, whichever process owns it). */
export function durableName(instrument: string): string {
  return `analyze_${instrument.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/**
 * The ingest role: the venue connections (or the simulator) and nothing else. Each record goes to
 * JetStream under the instrument it is fused into (`BTC-USDT` at Binance → `BTC-USD`), so an
 * analyze process can take whole instruments; connection status, health and source alerts go out
 * to the gateways directly.
 */
export class IngestRole {
  private readonly harmonizer = new Harmonizer();
  private timer: NodeJS.Timeout | undefined;
  private readonly venueState = new Map<string, { up: boolean; everUp: boolean }>();
  readonly stats = { records: 0, gaps: 0, sourceErrors: 0 };

  constructor(
    private readonly bus: NatsJetStreamBus,
    private readonly source: RecordSource,
    private readonly log: PipelineLogger,
  ) {}

  start(): void {
    this.source.start(this.sink);
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const h of this.source.health()) this.bus.publish(healthEvent(h, now));
    }, 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.source.stop();
    await this.bus.close();
  }

  private instrument(venueSymbol: string): string {
    return this.harmonizer.target(venueSymbol).symbol;
  }

  private readonly sink: SourceSink = {
    record: (r) => {
      this.stats.records++;
      this.bus.publishRecord(this.instrument(r.symbol), r, recordId(r));
    },
    status: (e) => {
      this.bus.publish(e);
      const up = e.state === 'open';
      const prev = this.venueState.get(e.venue);
      this.venueState.set(e.venue, { up, everUp: up || (prev?.everUp ?? false) });
      // As in the single process: a first connection is not news.
      if (prev && prev.up !== up && (!up || prev.everUp)) {
        const msg = `${e.venue} ${up ? 'connected again' : `down${e.reason ? `: ${e.reason}` : ''}`}`;
        const a: Alert = {
          type: 'alert',
          kind: up ? 'source_up' : 'source_down',
          severity: up ? 'info' : 'warning',
          symbol: null,
          ts: e.ts,
          message: msg,
        };
        this.bus.publish(a);
      }
    },
    gap: (e) => {
      this.stats.gaps++;
      // With the records of its instrument: the analyze process that fuses it grades the venue and
      // publishes the gap with its outputs; one without an instrument goes out from here.
      if (e.symbol) this.bus.publishRecord(this.instrument(e.symbol), e, `${e.venue}:${e.symbol}:gap:${e.ts}:${e.expected}`);
      else this.bus.publish(e);
    },
    error: (venue, message) => {
      this.stats.sourceErrors++;
      this.log.warn({ venue, message }, 'bad frame');
    },
    warn: (venue, message) => this.log.warn({ venue, message }, 'connection'),
  };
}

function healthEvent(h: VenueHealthSnapshot, now: number): SourceHealth {
  // Weights and fused prices are the analyze processes' business; the ingest side reports the link.
  return { type: 'source_health', ts: now, ...h, weights: {}, prices: {} };
}

/**
 * The analyze role's record intake: one durable JetStream consumer per configured instrument.
 * Records are acknowledged only once the bars they went into are committed to the store
 * (`committed`), so a process killed at any moment gets back, on restart, every record it had
 * not yet made into stored bars.
 */
export class JetStreamRecordSource implements RecordSource {
  private readonly feeds = new Map<string, RecordFeed>();
  private stopped = false;
  /** Resolves once every consumer delivers; rejects with the first that could not be made. */
  started: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: NatsJetStreamBus,
    private readonly instruments: readonly string[],
  ) {}

  start(sink: SourceSink): void {
    this.started = Promise.all(
      this.instruments.map(async (symbol) => {
        const feed = await this.bus.consumeRecords(symbol, durableName(symbol), (r) => {
          if (this.stopped) return;
          if (r.type === 'gap') sink.gap(r);
          else sink.record(r);
        });
        this.feeds.set(symbol, feed);
      }),
    ).then(() => {});
  }

  committed(symbol: string, before: number): void {
    this.feeds.get(symbol)?.ack(before);
  }

  /** Records delivered and not yet acknowledged, per instrument. */
  pending(): Record<string, number> {
    return Object.fromEntries([...this.feeds].map(([s, f]) => [s, f.pending]));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.feeds.values()].map((f) => f.close()));
  }

  health(): VenueHealthSnapshot[] {
    return [];
  }
}

/**
 * The analyze role: `LivePipeline` on the JetStream record source, publishing to JetStream and
 * writing the store from its own events (a local bus), resuming where the store ends.
 */
export async function openAnalyze(
  config: ServiceConfig,
  parts: PipelineParts,
  log: PipelineLogger,
  progress = new StartProgress(),
): Promise<{ pipeline: LivePipeline; source: JetStreamRecordSource }> {
  const [store, remote] = await openStoreAndBus(config, log, progress);
  const source = new JetStreamRecordSource(remote, config.instruments);
  const local = new InProcessBus((err, event) => log.error({ err, type: event.type }, 'bus handler failed'));
  // History is the ingest side's (and the stream's) business: nothing is generated here.
  const cfg: ServiceConfig = { ...config, simulator: { ...config.simulator, historyMs: 0 } };
  const pipeline = await LivePipeline.open(cfg, source, parts, log, {
    bus: new LocalFirstBus(local, remote),
    store,
    resume: true,
    progress,
  });
  return { pipeline, source };
}

/**
 * The gateway role's backend for the API: live events from JetStream (every analyze process's
 * outputs and the ingest side's source health), history from the store.
 */
/**
 * The gateway's bus: everything from JetStream, plus what the gateway itself says (its alerts
 * about silent ingest processes), which goes to its own clients only.
 */
class GatewayBus implements EventBus {
  readonly local = new InProcessBus();

  constructor(readonly remote: NatsJetStreamBus) {}

  publish(event: EmpEvent): void {
    this.local.publish(event);
  }

  subscribe(filter: EventFilter, handler: EventHandler): () => void {
    const a = this.remote.subscribe(filter, handler);
    const b = this.local.subscribe(filter, handler);
    return () => {
      a();
      b();
    };
  }

  ready(): Promise<void> {
    return this.remote.ready();
  }

  async close(): Promise<void> {
    await this.local.close();
    await this.remote.close();
  }
}

/** A venue whose ingest process has sent no health report for this long is taken for down. */
const INGEST_SILENT_MS = 5000;

export class GatewayBackend implements ApiBackend {
  private readonly latestFused = new Map<string, FusedPrice>();
  private readonly latestRegime = new Map<string, RegimeState>();
  private readonly openBars = new Map<string, Bar>();
  /** Closed bars served before the analyze role's batched writer has stored them. */
  private readonly recentBars = new RecentBars();
  private readonly health = new Map<string, SourceHealth>();
  /** Venues whose ingest went silent: the last health report's time. */
  private readonly silent = new Map<string, number>();
  readonly metricsRegistry = new MetricsRegistry();
  private readonly timer: NodeJS.Timeout;
  private received = 0;
  readonly bus: GatewayBus;

  private constructor(
    readonly config: ServiceConfig,
    remote: NatsJetStreamBus,
    readonly store: PostgresStore,
  ) {
    this.bus = new GatewayBus(remote);
    remote.subscribe({}, (e) => this.onEvent(e));
    this.metricsRegistry.register('emp_gateway_events_total', 'counter', 'events received from JetStream', () => this.received);
    this.timer = setInterval(() => this.watch(Date.now()), 1000);
    this.timer.unref();
  }

  static async open(config: ServiceConfig, log: PipelineLogger, progress = new StartProgress()): Promise<GatewayBackend> {
    const [store, bus] = await openStoreAndBus(config, log, progress);
    return new GatewayBackend(config, bus, store);
  }

  /**
   * An ingest process that dies says nothing: its venues' health reports stop. Those venues are
   * then shown down and a `source_down` alert goes to this gateway's clients and to the store
   * (every gateway makes the same alert from the same last report, and the store keeps one).
   */
  private watch(now: number): void {
    for (const [venue, h] of this.health) {
      if (this.silent.has(venue) || now - h.ts < INGEST_SILENT_MS) continue;
      this.silent.set(venue, h.ts);
      this.say(
        'source_down',
        'warning',
        h.ts + INGEST_SILENT_MS,
        `${venue} down: no report from its ingest process for ${INGEST_SILENT_MS / 1000} s`,
      );
    }
  }

  private say(kind: Alert['kind'], severity: Alert['severity'], ts: number, message: string): void {
    const a: Alert = { type: 'alert', kind, severity, symbol: null, ts, message };
    this.bus.publish(a);
    void this.store.append({ alerts: [a] }).catch(() => {});
  }

  private onEvent(e: EmpEvent): void {
    this.received++;
    switch (e.type) {
      case 'fused':
        this.latestFused.set(e.symbol, e);
        break;
      case 'regime':
        this.latestRegime.set(`${e.symbol}:${e.timeframe}`, e);
        break;
      case 'bar':
        if (e.final) {
          this.openBars.delete(`${e.symbol}:${e.timeframe}`);
          this.recentBars.add(e);
        } else this.openBars.set(`${e.symbol}:${e.timeframe}`, e);
        break;
      case 'source_health':
        this.health.set(e.venue, e);
        if (this.silent.delete(e.venue)) this.say('source_up', 'info', e.ts, `${e.venue} connected again: its ingest process reports`);
        break;
    }
  }

  instruments(): InstrumentSummary[] {
    return this.config.instruments.map((symbol) =>
      instrumentSummary(symbol, this.latestFused.get(symbol), this.latestRegime.get(`${symbol}:${this.config.analysis.regimeTimeframe}`)),
    );
  }

  symbols(): readonly string[] {
    return this.config.instruments;
  }

  openBar(symbol: string, timeframe: Timeframe): Bar | undefined {
    return this.openBars.get(`${symbol}:${timeframe}`);
  }

  closedBarsAfter(symbol: string, timeframe: Timeframe, after: number): Bar[] {
    return this.recentBars.since(symbol, timeframe, after);
  }

  sources(): SourceSummary[] {
    return [...this.health.values()].map((h) => (this.silent.has(h.venue) ? { ...h, state: 'closed' as const } : h));
  }

  indicatorCatalogue(): IndicatorInfo[] {
    return listIndicators();
  }

  ready(): boolean {
    return this.latestFused.size > 0;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.bus.close();
    await this.store.close();
  }
}
