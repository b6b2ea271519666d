/**
 * Sources that arrive over venue WebSocket protocols: the simulator's venues served on loopback
 * by local venue servers (each in its own wire format) and read by the real adapters — the
 * default path of `emp start` — or the real venues (`--live`). The crypto venues' clients keep
 * their L2 books too (BookingCodec), handed to the sink as they change.
 */
import type { InstrumentId } from '../core/instrument.ts';
import type { MarketRecord } from '../core/market.ts';
import { LocalVenueServer } from '../sources/loopback/local-venue-server.ts';
import type { BookMisbehaviour } from '../sources/loopback/venue-books.ts';
import { type MarketSimulator, quoteDecimals } from '../sources/simulator/index.ts';
import { venueInstrument, venueLists } from '../sources/simulator/venues.ts';
import { type LoopbackFeed, venueDescriptor } from '../sources/venue-registry.ts';
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

/** A simulated venue on loopback: its server (in the venue's protocol) and our real client of it. */
export interface SimulatedFeed extends LoopbackFeed {
  /** The WebSocket server, for venues that have one (chaos tests take it down and up). */
  ws?: LocalVenueServer;
}

/**
 * The server for a venue's protocol: WebSocket venues (with their books, priced at `decimals`, the
 * simulator's quote grid), OANDA's HTTP stream, Dukascopy's files.
 */
async function simulatedFeed(venue: string, decimals: (pair: InstrumentId) => number, seed: number): Promise<SimulatedFeed> {
  const v = venueDescriptor(venue);
  if (v.transport !== 'websocket') return v.loopback();
  const server = await LocalVenueServer.start({ venue, books: { decimals, seed } });
  return {
    ws: server,
    publish: (r) => server.publish(r),
    // The simulated venues send several messages a second; 5 s of silence is a dead feed.
    connect: (symbols, clock) =>
      new VenueConnection(venueCodec(venue, server.books ? symbols : [], server.httpUrl), {
        url: server.url,
        subscriptions: venueSubscriptions(symbols),
        idleDeadlineMs: 5000,
        clock,
      }),
    close: () => server.close(),
  };
}

/**
 * The simulator behind real sockets: a local server per venue publishes the simulator's records
 * in that venue's protocol (WebSocket venues, OANDA's HTTP stream, Dukascopy's hour files); the
 * venues' own clients read them back. Receipt times are put on the simulation's clock (which runs
 * `speed` times faster than the wall).
 */
export class SimulatedVenues implements RecordSource {
  private readonly ac = new AbortController();
  private running: Promise<void> | undefined;
  private conns: VenueConnections | undefined;

  private wall0 = Date.now();
  private readonly chaos: VenueChaos | undefined;

  private constructor(
    private readonly sim: MarketSimulator,
    private readonly speed: number,
    readonly servers: Map<string, SimulatedFeed>,
    chaos: Omit<VenueChaosOptions, 'seed'> | undefined,
  ) {
    const sockets = new Map<string, LocalVenueServer>();
    for (const [name, feed] of servers) if (feed.ws) sockets.set(name, feed.ws);
    this.chaos = chaos ? new VenueChaos(sockets, { ...chaos, seed: sim.config.seed }) : undefined;
  }

  static async start(sim: MarketSimulator, speed: number, chaos?: Omit<VenueChaosOptions, 'seed'>): Promise<SimulatedVenues> {
    const servers = new Map<string, SimulatedFeed>();
    try {
      for (const v of sim.config.venues) {
        const decimals = (pair: InstrumentId): number => {
          const ins = sim.config.instruments.find((i) => venueLists(v, i) && venueInstrument(i.symbol, v) === pair);
          return ins ? quoteDecimals(ins) : 2;
        };
        servers.set(v.name, await simulatedFeed(v.name, decimals, sim.config.seed));
      }
    } catch (err) {
      // The servers already listening would keep the process alive: close them before failing.
      await Promise.all([...servers.values()].map((s) => s.close().catch(() => {})));
      throw err;
    }
    return new SimulatedVenues(sim, speed, servers, chaos);
  }

  start(sink: SourceSink): void {
    const wall0 = Date.now();
    this.wall0 = wall0;
    const clock = this.speed === 1 ? Date.now : (): number => wall0 + (Date.now() - wall0) * this.speed;
    const conns = this.sim.config.venues.map((v) => {
      const symbols = this.sim.config.instruments.filter((i) => venueLists(v, i)).map((i) => venueInstrument(i.symbol, v));
      return (this.servers.get(v.name) as SimulatedFeed).connect(symbols, clock);
    });
    this.conns = new VenueConnections(conns);
    this.conns.start(sink);
    this.running = (async () => {
      for await (const r of this.sim.stream({ speed: this.speed, signal: this.ac.signal, clock: 'simulated' })) {
        this.servers.get(r.venue)?.publish(r);
      }
    })();
    this.chaos?.start();
  }

  async stop(): Promise<void> {
    await this.chaos?.stop();
    this.ac.abort();
    await this.running;
    await this.conns?.stop();
    await Promise.all([...this.servers.values()].map((s) => s.close()));
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
    return this.chaos?.injected ?? {};
  }

  /** Faults a venue's next book update (false: the venue serves no books, or cannot show that fault). */
  misbehaveBooks(venue: string, kind: BookMisbehaviour): boolean {
    return this.servers.get(venue)?.ws?.books?.misbehave(kind) ?? false;
  }

  /** The book a venue's server holds (the truth), undefined before its first quote. */
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
