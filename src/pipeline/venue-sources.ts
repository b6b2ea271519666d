/**
 * Sources that arrive over venue WebSocket protocols: the simulator's venues served on loopback
 * by local venue servers (each in its own wire format) and read by the real adapters — the
 * default path of `emp start` — or the real venues (`--live`). The crypto venues' clients keep
 * their L2 books too (BookingCodec), handed to the sink as they change.
 */
import { parentPort, type Worker, workerData } from 'node:worker_threads';
import type { InstrumentId } from '../core/instrument.ts';
import type { MarketRecord } from '../core/market.ts';
import { openTogether } from '../core/open-together.ts';
import { LocalVenueServer } from '../sources/loopback/local-venue-server.ts';
import type { BookMisbehaviour } from '../sources/loopback/venue-books.ts';
import { firstMessage, startModuleWorker } from '../sources/module-worker.ts';
import { MarketSimulator, quoteDecimals, type SimulatorConfig } from '../sources/simulator/index.ts';
import { venueInstrument, venueLists } from '../sources/simulator/venues.ts';
import { venueDescriptor } from '../sources/venue-registry.ts';
import { type BookCodec, bookCodecFor } from '../sources/venues/books/index.ts';
import { protocolFor } from '../sources/venues/index.ts';
import type { Subscription, VenueCodec } from '../sources/venues/protocol.ts';
import type { OrderBook } from '../stream/book.ts';
import { type FeedConnection, reportedHealth, VenueConnection } from '../stream/connection.ts';
import { BoundedQueue } from '../stream/queue.ts';
import type { HistoryBars, QueueStats, RecordSource, SourceSink, VenueHealthSnapshot } from './stages.ts';
import { BookingCodec } from './venue-books.ts';
import { VenueChaos, type VenueChaosOptions } from './venue-chaos.ts';

/** Trades and quotes of each instrument, as a venue lists it. */
export function venueSubscriptions(symbols: readonly InstrumentId[]): Subscription[] {
  return symbols.flatMap((symbol) => [
    { symbol, channel: 'trades' as const },
    { symbol, channel: 'quotes' as const },
  ]);
}

/**
 * A venue's client codec: its trades and quotes, and its L2 books of `pairs` where the venue has a
 * book channel (the crypto exchanges). `restOrigin` sends REST book snapshots to a loopback server.
 */
export function venueCodec(venue: string, pairs: readonly InstrumentId[], restOrigin?: string): VenueCodec {
  const inner = protocolFor(venue);
  if (bookCodecFor(venue) === undefined || pairs.length === 0) return inner;
  return new BookingCodec(inner, {
    pairs,
    // No per-update views: the pipeline reads the books themselves when it publishes.
    books: () => bookCodecFor(venue, { topN: 0 }) as BookCodec,
    ...(restOrigin !== undefined ? { restOrigin } : {}),
  });
}

/**
 * One VenueConnection per venue, wired to the sink through a bounded queue: quotes coalesce to
 * the latest per venue and instrument, trades are kept (on overflow the oldest is dropped and
 * counted), so a slow pipeline cannot grow memory without bound.
 */
export class VenueConnections implements RecordSource {
  private seq = 0;
  private scheduled = false;
  readonly queue = new BoundedQueue<MarketRecord>({
    capacity: 100_000,
    policy: 'coalesce',
    key: (r) => (r.type === 'quote' ? `${r.venue}|${r.symbol}` : `t${this.seq++}`),
  });

  constructor(readonly connections: FeedConnection[]) {}

  queueStats(): QueueStats {
    const s = this.queue.stats;
    return { received: s.pushed, depth: this.queue.length, maxDepth: s.maxDepth, dropped: s.dropped, coalesced: s.coalesced };
  }

  start(sink: SourceSink): void {
    // Drained in one batch per event-loop turn, after the socket reads of that turn.
    const drain = (): void => {
      this.scheduled = false;
      for (let r = this.queue.shift(); r !== undefined; r = this.queue.shift()) sink.record(r);
    };
    const enqueue = (r: MarketRecord): void => {
      this.queue.push(r);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(drain);
      }
    };
    for (const c of this.connections) {
      const venue = c.codec.venue;
      if (c.codec instanceof BookingCodec)
        c.codec.listen({ book: (ref) => sink.book?.(ref), gap: (e) => sink.bookGap?.(e), warn: (m) => sink.warn(venue, m) });
      c.onRecord(enqueue)
        .onGap((g) => sink.gap(g))
        .onStatus((s) => sink.status(s))
        .onError((m, kind) => (kind === 'frame' ? sink.error(venue, m) : sink.warn(venue, m)))
        .start();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.stop()));
  }

  health(): VenueHealthSnapshot[] {
    return this.connections.map((c) => {
      const h = c.health();
      const books = c.codec instanceof BookingCodec ? c.codec.stats : undefined;
      return {
        ...reportedHealth(h),
        ...(books ? { bookGaps: books.gaps, bookResyncs: books.resyncs } : {}),
      };
    });
  }

  /** A venue's client-side book codec (for venues whose connection keeps books). */
  bookCodec(venue: string): BookingCodec | undefined {
    const c = this.connections.find((x) => x.codec.venue === venue)?.codec;
    return c instanceof BookingCodec ? c : undefined;
  }
}

/** Where a simulated venue's server listens: all its client needs, from this thread or another. */
interface FeedAddress {
  venue: string;
  /** The WebSocket URL, or an HTTP venue's base URL. */
  url: string;
  /** A WebSocket venue's REST origin for book snapshots, where it serves books. */
  restOrigin?: string;
}

/** A simulated venue's server, in the venue's protocol. */
export interface SimulatedServer {
  address: FeedAddress;
  publish(r: MarketRecord): void;
  close(): Promise<void>;
  /** The WebSocket server, for venues that have one (chaos tests take it down and up). */
  ws?: LocalVenueServer;
}

/**
 * The server for a venue's protocol: WebSocket venues (with their books, priced at `decimals`, the
 * simulator's quote grid), OANDA's HTTP stream, Dukascopy's files.
 */
async function simulatedServer(venue: string, decimals: (pair: InstrumentId) => number, seed: number): Promise<SimulatedServer> {
  const v = venueDescriptor(venue);
  if (v.transport !== 'websocket') {
    const server = await v.loopback();
    return { address: { venue, url: server.address }, publish: (r) => server.publish(r), close: () => server.close() };
  }
  const server = await LocalVenueServer.start({ venue, books: { decimals, seed } });
  return {
    ws: server,
    address: { venue, url: server.url, ...(server.books ? { restOrigin: server.httpUrl } : {}) },
    publish: (r) => server.publish(r),
    close: () => server.close(),
  };
}

/** Our real client of a simulated venue's server, its receipt times on `clock`. */
function simulatedClient(a: FeedAddress, symbols: InstrumentId[], clock: () => number): FeedConnection {
  const v = venueDescriptor(a.venue);
  if (v.transport !== 'websocket') return v.loopbackClient(a.url, symbols, clock);
  return new VenueConnection(venueCodec(a.venue, a.restOrigin !== undefined ? symbols : [], a.restOrigin), {
    url: a.url,
    subscriptions: venueSubscriptions(symbols),
    // The simulated venues send several messages a second; 5 s of silence is a dead feed.
    idleDeadlineMs: 5000,
    clock,
  });
}

/** The server side of the simulated venues, wherever it runs. */
interface VenueServers {
  readonly addresses: readonly FeedAddress[];
  /** Starts publishing the simulator's records (and the chaos), the simulated timeline starting at `wall0`. */
  run(wall0: number): void;
  stop(): Promise<void>;
  injectedFaults(): Readonly<Record<string, number>>;
}

/** What the simulated venues' server side needs to start: plain data (it crosses to a worker thread). */
interface VenueServersSpec {
  sim: SimulatorConfig;
  speed: number;
  chaos?: Omit<VenueChaosOptions, 'seed'>;
}

/**
 * The simulator and a local server per venue on this thread: the records go out on the wire in
 * each venue's protocol (WebSocket venues, OANDA's HTTP stream, Dukascopy's hour files).
 */
class SimulatedVenueServers implements VenueServers {
  private readonly ac = new AbortController();
  private running: Promise<void> | undefined;
  private readonly chaos: VenueChaos | undefined;

  private constructor(
    private readonly sim: MarketSimulator,
    private readonly speed: number,
    readonly servers: ReadonlyMap<string, SimulatedServer>,
    chaos: Omit<VenueChaosOptions, 'seed'> | undefined,
    private readonly giveWay: (() => boolean) | undefined,
  ) {
    const sockets = new Map<string, LocalVenueServer>();
    for (const [name, server] of servers) if (server.ws) sockets.set(name, server.ws);
    this.chaos = chaos ? new VenueChaos(sockets, { ...chaos, seed: sim.config.seed }) : undefined;
  }

  /**
   * `sim`: the caller's simulator where it has one (on its thread), else built from `spec.sim` (in a
   * worker). `giveWay`: while true, the simulator catching up yields to the event loop after each record.
   */
  static async start(spec: VenueServersSpec, sim = new MarketSimulator(spec.sim), giveWay?: () => boolean): Promise<SimulatedVenueServers> {
    // Side by side: Dukascopy's server boots a worker thread (a quarter of a second on a busy
    // machine), which a restart would otherwise wait for after the others.
    const started = await openTogether(
      sim.config.venues.map((v) => {
        const decimals = (pair: InstrumentId): number => {
          const ins = sim.config.instruments.find((i) => venueLists(v, i) && venueInstrument(i.symbol, v) === pair);
          return ins ? quoteDecimals(ins) : 2;
        };
        return [simulatedServer(v.name, decimals, sim.config.seed), (s: SimulatedServer) => s.close()] as const;
      }),
    );
    const servers = new Map(sim.config.venues.map((v, i) => [v.name, started[i] as SimulatedServer]));
    return new SimulatedVenueServers(sim, spec.speed, servers, spec.chaos, giveWay);
  }

  get addresses(): FeedAddress[] {
    return [...this.servers.values()].map((s) => s.address);
  }

  run(wall0: number): void {
    this.running = (async () => {
      const stream = this.sim.stream({
        speed: this.speed,
        signal: this.ac.signal,
        clock: 'simulated',
        wall0,
        ...(this.giveWay ? { giveWay: this.giveWay } : {}),
      });
      for await (const r of stream) {
        this.servers.get(r.venue)?.publish(r);
      }
    })();
    this.chaos?.start();
  }

  async stop(): Promise<void> {
    await this.chaos?.stop();
    this.ac.abort();
    await this.running;
    await Promise.all([...this.servers.values()].map((s) => s.close()));
  }

  injectedFaults(): Readonly<Record<string, number>> {
    return this.chaos?.injected ?? {};
  }
}

/** Messages from the venue servers' worker thread. */
type FromServersWorker =
  | { type: 'ready'; addresses: FeedAddress[] }
  | { type: 'faults'; injected: Record<string, number> }
  | { type: 'stopped' };
type ToServersWorker = { type: 'run'; wall0: number } | { type: 'stop' };

/**
 * The same servers in a worker thread of their own: simulating the market, drawing its depth and
 * encoding every venue's frames then cost the pipeline's event loop nothing, which only reads the
 * venues, as it reads real ones (at speed 1000 the servers took about a quarter of its time).
 */
class WorkerVenueServers implements VenueServers {
  private injected: Readonly<Record<string, number>> = {};
  stopping = false;

  private constructor(
    private readonly worker: Worker,
    readonly addresses: readonly FeedAddress[],
  ) {
    worker.on('message', (m: FromServersWorker) => {
      if (m.type === 'faults') this.injected = m.injected;
    });
  }

  static async start(spec: VenueServersSpec, onError: (message: string) => void): Promise<WorkerVenueServers> {
    const worker = startModuleWorker(import.meta.url, 'serveSimulatedVenuesInWorker', spec);
    const first = await firstMessage<FromServersWorker>(worker, 'simulated venues');
    if (first.type !== 'ready') {
      await worker.terminate();
      throw new Error(`simulated venues: ${first.type} before ready`);
    }
    const servers = new WorkerVenueServers(worker, first.addresses);
    // Logged, not thrown: the venues then look down to their clients, as a dead venue would.
    worker.on('error', (err) => onError(`simulated venues' worker failed: ${err.message}`));
    worker.on('exit', (code) => servers.stopping || onError(`simulated venues' worker exited (${code})`));
    return servers;
  }

  run(wall0: number): void {
    this.worker.postMessage({ type: 'run', wall0 } satisfies ToServersWorker);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const stopped = new Promise<void>((resolve) => {
      this.worker.on('message', (m: FromServersWorker) => m.type === 'stopped' && resolve());
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage({ type: 'stop' } satisfies ToServersWorker);
    await stopped;
    await this.worker.terminate();
  }

  injectedFaults(): Readonly<Record<string, number>> {
    return this.injected;
  }
}

/**
 * The worker thread's side of WorkerVenueServers.
 * @public imported by name in the worker that `WorkerVenueServers.start` starts.
 */
export async function serveSimulatedVenuesInWorker(): Promise<void> {
  if (!parentPort) throw new Error('serveSimulatedVenuesInWorker runs in a worker thread');
  const port = parentPort;
  const servers = await SimulatedVenueServers.start((workerData as { data: VenueServersSpec }).data);
  let report: NodeJS.Timeout | undefined;
  port.on('message', (m: ToServersWorker) => {
    if (m.type === 'run') {
      servers.run(m.wall0);
      let last = '';
      report = setInterval(() => {
        const injected = { ...servers.injectedFaults() };
        const json = JSON.stringify(injected);
        if (json !== last) port.postMessage({ type: 'faults', injected } satisfies FromServersWorker);
        last = json;
      }, 500);
    } else {
      clearInterval(report);
      void servers.stop().then(() => port.postMessage({ type: 'stopped' } satisfies FromServersWorker));
    }
  });
  port.postMessage({ type: 'ready', addresses: servers.addresses } satisfies FromServersWorker);
}

/**
 * The simulator behind real sockets: a local server per venue publishes the simulator's records
 * in that venue's protocol, on this thread (`thread: 'main'`, the default, where tests read and
 * fault the servers' books) or in a worker thread; the venues' own clients read them back here. Receipt
 * times are put on the simulation's clock (which runs `speed` times faster than the wall).
 */
export class SimulatedVenues implements RecordSource {
  private conns: VenueConnections | undefined;
  private wall0 = Date.now();
  private readonly errors: string[] = [];
  private sink: SourceSink | undefined;

  private constructor(
    private readonly sim: MarketSimulator,
    private readonly speed: number,
    private readonly side: VenueServers,
  ) {}

  static async start(
    sim: MarketSimulator,
    speed: number,
    chaos?: Omit<VenueChaosOptions, 'seed'>,
    thread: 'worker' | 'main' = 'main',
    /** On this thread only: see `SimulatedVenueServers.start`. */
    giveWay?: () => boolean,
  ): Promise<SimulatedVenues> {
    const spec: VenueServersSpec = { sim: sim.config, speed, ...(chaos ? { chaos } : {}) };
    let venues: SimulatedVenues | undefined;
    const side =
      thread === 'main'
        ? await SimulatedVenueServers.start(spec, sim, giveWay)
        : await WorkerVenueServers.start(spec, (m) => (venues?.sink ? venues.sink.warn('simulator', m) : venues?.errors.push(m)));
    venues = new SimulatedVenues(sim, speed, side);
    return venues;
  }

  /** The servers, when they run on this thread (else empty). */
  get servers(): ReadonlyMap<string, SimulatedServer> {
    return this.side instanceof SimulatedVenueServers ? this.side.servers : new Map();
  }

  start(sink: SourceSink): void {
    this.sink = sink;
    for (const m of this.errors.splice(0)) sink.warn('simulator', m);
    const wall0 = Date.now();
    this.wall0 = wall0;
    const clock = this.speed === 1 ? Date.now : (): number => wall0 + (Date.now() - wall0) * this.speed;
    const addresses = new Map(this.side.addresses.map((a) => [a.venue, a]));
    const conns = this.sim.config.venues.map((v) => {
      const symbols = this.sim.config.instruments.filter((i) => venueLists(v, i)).map((i) => venueInstrument(i.symbol, v));
      return simulatedClient(addresses.get(v.name) as FeedAddress, symbols, clock);
    });
    this.conns = new VenueConnections(conns);
    this.conns.start(sink);
    this.side.run(wall0);
  }

  async stop(): Promise<void> {
    await this.conns?.stop();
    await this.side.stop();
  }

  health(): VenueHealthSnapshot[] {
    return this.conns?.health() ?? [];
  }

  queueStats(): QueueStats | undefined {
    return this.conns?.queueStats();
  }

  history(from: number): HistoryBars[] {
    return this.sim.history(from);
  }

  wallTime(ts: number): number {
    return this.wall0 + (ts - this.wall0) / this.speed;
  }

  injectedFaults(): Readonly<Record<string, number>> {
    return this.side.injectedFaults();
  }

  /** Faults a venue's next book update (false: the venue serves no books, cannot show that fault, or runs in a worker). */
  misbehaveBooks(venue: string, kind: BookMisbehaviour): boolean {
    return this.servers.get(venue)?.ws?.books?.misbehave(kind) ?? false;
  }

  /** The book a venue's server holds (the truth), undefined before its first quote or when the servers run in a worker. */
  trueBook(venue: string, pair: InstrumentId): OrderBook | undefined {
    return this.servers.get(venue)?.ws?.books?.trueBook(pair);
  }

  /** The book the pipeline's client of the venue holds. */
  clientBook(venue: string, pair: InstrumentId): OrderBook | undefined {
    return this.conns?.bookCodec(venue)?.books.book(pair);
  }

  /** Whether the client's book of a pair is built and in sequence. */
  clientLive(venue: string, pair: InstrumentId): boolean {
    return this.conns?.bookCodec(venue)?.books.isLive(pair) ?? false;
  }
}
