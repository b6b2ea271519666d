/**
 * Every venue the platform knows, once: its identity (stated in the venue's own folder), how it
 * is reached, its client codec, its L2 book codec where it has one, and its loopback server (the
 * simulator's venue in `emp start`, and the tests'). The service's venue list, the codec tables
 * and the live and simulated sources all read this table; adding a venue is one folder and one
 * line here (README: Adding a venue).
 *
 * Not browser-safe (the loopback servers listen on sockets); the simulator reads the identities
 * from the venues' folders, not from here.
 */
import type { InstrumentId } from '../core/instrument.ts';
import type { MarketRecord } from '../core/market.ts';
import type { FeedConnection } from '../stream/connection.ts';
import { HttpStreamConnection } from '../stream/http-stream.ts';
import { DukascopyPoller } from './fx/dukascopy-poller.ts';
import { LocalDukascopyServer } from './fx/local-dukascopy-server.ts';
import { LocalOandaServer } from './fx/local-oanda-server.ts';
import { OandaStreamCodec, oandaOptionsFromEnv } from './fx/oanda.ts';
import { DUKASCOPY_VENUE, OANDA_VENUE } from './fx/venues.ts';
import { BinanceServer } from './loopback/binance.ts';
import { BitstampServer } from './loopback/bitstamp.ts';
import { CoinbaseServer } from './loopback/coinbase.ts';
import { CTraderServer } from './loopback/ctrader.ts';
import { KrakenServer } from './loopback/kraken.ts';
import { OkxServer } from './loopback/okx.ts';
import type { VenueServerCodec } from './loopback/server-codec.ts';
import { BinanceBookCodec } from './venues/binance/book.ts';
import { BinanceClient } from './venues/binance/client.ts';
import { BINANCE_VENUE } from './venues/binance/messages.ts';
import { BitstampBookCodec } from './venues/bitstamp/book.ts';
import { BitstampClient } from './venues/bitstamp/client.ts';
import { BITSTAMP_VENUE } from './venues/bitstamp/messages.ts';
import type { BookCodec, BookCodecOptions } from './venues/books/book-state.ts';
import { CoinbaseBookCodec } from './venues/coinbase/book.ts';
import { CoinbaseClient } from './venues/coinbase/client.ts';
import { COINBASE_VENUE } from './venues/coinbase/messages.ts';
import { CTraderClient } from './venues/ctrader/client.ts';
import { CTRADER_VENUE } from './venues/ctrader/messages.ts';
import type { VenueIdentity } from './venues/identity.ts';
import { KrakenBookCodec } from './venues/kraken/book.ts';
import { KrakenClient } from './venues/kraken/client.ts';
import { KRAKEN_VENUE } from './venues/kraken/messages.ts';
import { OkxBookCodec } from './venues/okx/book.ts';
import { OkxClient } from './venues/okx/client.ts';
import { OKX_VENUE } from './venues/okx/messages.ts';
import type { VenueCodec } from './venues/protocol.ts';

/** A venue's loopback server: records go in; a client reaches it at `address` (a URL: from any thread). */
export interface LoopbackServer {
  readonly address: string;
  publish(r: MarketRecord): void;
  close(): Promise<void>;
}

interface VenueAccess {
  /** Why the real feed cannot be used now (credentials missing), or undefined when it can. */
  liveBlocked?: () => string | undefined;
}

/** A WebSocket venue: its client codec drives a VenueConnection; its loopback server is a LocalVenueServer. */
export interface WebSocketVenue extends VenueIdentity, VenueAccess {
  readonly transport: 'websocket';
  /** The client codec (per-connection state: one per connection). */
  client(): VenueCodec;
  /** The loopback server's codec (one per client connection). */
  loopbackServer(): VenueServerCodec;
  /** The L2 book codec, for venues with books here. */
  book?(opts?: BookCodecOptions): BookCodec;
}

/** A venue reached over HTTP: a line stream (OANDA) or polled files (Dukascopy), each with its own loopback server. */
export interface HttpVenue extends VenueIdentity, VenueAccess {
  readonly transport: 'http-stream' | 'http-poll';
  /** A client of the real feed (throws when it is not configured); absent when there is no live feed. */
  live?(symbols: readonly InstrumentId[]): FeedConnection;
  /** Starts the loopback server. */
  loopback(): Promise<LoopbackServer>;
  /** A client of the loopback server at `address` for these pairs, its receipt times on `clock`. */
  loopbackClient(address: string, symbols: InstrumentId[], clock: () => number): FeedConnection;
}

export type VenueDescriptor = WebSocketVenue | HttpVenue;

const websocket = (identity: VenueIdentity, parts: Omit<WebSocketVenue, keyof VenueIdentity | 'transport'>): WebSocketVenue => ({
  ...identity,
  transport: 'websocket',
  ...parts,
});

const oanda: HttpVenue = {
  ...OANDA_VENUE,
  transport: 'http-stream',
  live: (symbols) => new HttpStreamConnection(new OandaStreamCodec(oandaOptionsFromEnv(symbols))),
  loopback: async () => {
    const server = await LocalOandaServer.start({ accountId: 'sim', token: 'sim', heartbeatMs: 1000 });
    return { address: server.baseUrl, publish: (r) => server.push(r), close: () => server.stop() };
  },
  loopbackClient: (baseUrl, symbols, clock) =>
    new HttpStreamConnection(new OandaStreamCodec({ accountId: 'sim', token: 'sim', instruments: symbols, baseUrl }), {
      idleDeadlineMs: 5000,
      clock,
    }),
};

// Dukascopy publishes an hour's file only after the hour: it serves `emp import`, not live prices.
const dukascopy: HttpVenue = {
  ...DUKASCOPY_VENUE,
  transport: 'http-poll',
  loopback: async () => {
    // In a worker thread: encoding the growing hour file must not stall this event loop.
    const server = await LocalDukascopyServer.startInWorker();
    return { address: server.baseUrl, publish: (r) => server.publish(r), close: () => server.close() };
  },
  loopbackClient: (baseUrl, symbols, clock) => new DukascopyPoller(symbols, { baseUrl, pollMs: 2000, clock }),
};

/** The venues, in the order the service lists them. */
export const VENUE_REGISTRY: readonly VenueDescriptor[] = [
  websocket(BINANCE_VENUE, {
    client: () => new BinanceClient(),
    book: (o) => new BinanceBookCodec(o),
    loopbackServer: () => new BinanceServer(),
  }),
  websocket(COINBASE_VENUE, {
    client: () => new CoinbaseClient(),
    book: (o) => new CoinbaseBookCodec(o),
    loopbackServer: () => new CoinbaseServer(),
  }),
  websocket(KRAKEN_VENUE, {
    client: () => new KrakenClient(),
    book: (o) => new KrakenBookCodec(o),
    loopbackServer: () => new KrakenServer(),
  }),
  websocket(BITSTAMP_VENUE, {
    client: () => new BitstampClient(),
    book: (o) => new BitstampBookCodec(o),
    loopbackServer: () => new BitstampServer(),
  }),
  websocket(OKX_VENUE, { client: () => new OkxClient(), book: (o) => new OkxBookCodec(o), loopbackServer: () => new OkxServer() }),
  dukascopy,
  oanda,
  websocket(CTRADER_VENUE, {
    client: () => new CTraderClient(),
    loopbackServer: () => new CTraderServer(),
    liveBlocked: () => (process.env.CTRADER_ACCESS_TOKEN ? undefined : 'cTrader needs CTRADER_* credentials'),
  }),
];

/** Every venue's name, in registry order (the service's `venues` setting takes these). */
export const VENUE_NAMES = VENUE_REGISTRY.map((v) => v.name) as [string, ...string[]];

const BY_NAME = new Map(VENUE_REGISTRY.map((v) => [v.name, v]));

/** The venue's descriptor, or undefined for a name the registry does not know. */
export function findVenue(name: string): VenueDescriptor | undefined {
  return BY_NAME.get(name);
}

/** The venue's descriptor; a name the registry does not know is a RangeError listing the known ones. */
export function venueDescriptor(name: string): VenueDescriptor {
  const v = BY_NAME.get(name);
  if (!v) throw new RangeError(`unknown venue "${name}" (known: ${VENUE_NAMES.join(', ')})`);
  return v;
}

/** The WebSocket venues (those with a client codec and a LocalVenueServer). */
export const WEBSOCKET_VENUES: readonly WebSocketVenue[] = VENUE_REGISTRY.filter((v): v is WebSocketVenue => v.transport === 'websocket');
