/**
 * A local WebSocket server speaking one venue's protocol: it answers subscribes as the venue
 * does, sends the venue's heartbeats, and streams whatever records it is given (recorded or
 * simulated) encoded in the venue's wire format to the clients subscribed to them. It can be
 * told to misbehave: close abruptly, go silent with the socket open, send malformed or
 * oversized frames, stop reading, ask for a reconnect, or go down and come back. With `books`, the
 * crypto venues also serve L2 books around the quotes they are given (their book channels, and the
 * REST depth snapshot on the same port for Binance and Bitstamp), and can lose a book update or
 * corrupt a checksum on request (`book_gap`, `book_checksum`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { MarketRecord } from '../../core/market.ts';
import { socketOf, TurnCork } from '../../stream/turn-cork.ts';
import type { VenueServerCodec } from './server-codec.ts';
import { VENUE_SERVER_CODECS } from './server-codecs.ts';
import { type BookMisbehaviour, type LoopbackBookClient, LoopbackBooks, type LoopbackBooksOptions } from './venue-books.ts';

/** Bytes queued to one client beyond which messages to it are dropped (counted). */
const SLOW_CLIENT_BYTES = 4 * 1024 * 1024;

export type Misbehaviour = 'close' | 'silent' | 'malformed' | 'oversized' | 'stall' | 'reconnect' | BookMisbehaviour;

interface Client {
  ws: WebSocket;
  proto: VenueServerCodec;
  subs: Set<string>;
  seq: number;
  /** The client's book subscriptions (venues with books). */
  books: LoopbackBookClient | undefined;
}

export interface LocalVenueServerOptions {
  venue: string;
  port?: number;
  host?: string;
  /** Venue heartbeat period, for venues that send them (Coinbase, Kraken). */
  heartbeatMs?: number;
  /** Serve L2 books around the published quotes (crypto venues only; others ignore it). */
  books?: LoopbackBooksOptions;
}

const key = (symbol: string, channel: string): string => `${symbol}|${channel}`;

export class LocalVenueServer {
  private wss: WebSocketServer | undefined;
  private http: Server | undefined;
  private readonly clients = new Set<Client>();
  /** The venue's books, when it serves them. */
  readonly books: LoopbackBooks | undefined;
  private silent = false;
  private readonly cork = new TurnCork();
  private heartbeat: NodeJS.Timeout | undefined;
  /** `dropped`: messages not sent to a client more than SLOW_CLIENT_BYTES behind. */
  readonly stats = { connections: 0, sent: 0, clientFrames: 0, dropped: 0 };
  url = '';
  /** The same port over HTTP: REST book snapshots (Binance, Bitstamp). */
  httpUrl = '';
  port = 0;

  private constructor(private readonly opts: Required<Omit<LocalVenueServerOptions, 'books'>> & Pick<LocalVenueServerOptions, 'books'>) {
    this.books = opts.books && LoopbackBooks.supports(opts.venue) ? new LoopbackBooks(opts.venue, opts.books) : undefined;
  }

  static async start(opts: LocalVenueServerOptions): Promise<LocalVenueServer> {
    if (!VENUE_SERVER_CODECS[opts.venue]) throw new RangeError(`no protocol for venue "${opts.venue}"`);
    const s = new LocalVenueServer({ port: 0, host: '127.0.0.1', heartbeatMs: 1000, ...opts });
    await s.listen(s.opts.port);
    return s;
  }

  get venue(): string {
    return this.opts.venue;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Subscriptions of all clients, as `SYMBOL|channel`. */
  subscriptions(): string[] {
    return [...this.clients].flatMap((c) => [...c.subs]);
  }

  private async listen(port: number): Promise<void> {
    // One port for the socket and the REST snapshots, as a venue's host serves both.
    const http = createServer((req, res) => this.onHttp(req, res));
    const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      http.once('listening', () => resolve());
      http.once('error', reject);
      http.listen(port, this.opts.host);
    });
    this.wss = wss;
    this.http = http;
    this.port = (http.address() as AddressInfo).port;
    this.url = `ws://${this.opts.host}:${this.port}`;
    this.httpUrl = `http://${this.opts.host}:${this.port}`;
    wss.on('connection', (ws) => this.accept(ws));
    const make = VENUE_SERVER_CODECS[this.opts.venue] as () => VenueServerCodec;
    const probe = make();
    if (probe.heartbeat) {
      this.heartbeat = setInterval(() => {
        if (this.silent) return;
        for (const c of this.clients)
          if (c.subs.size > 0) this.send(c, (c.proto.heartbeat as (s: number, n: number) => string)(c.seq++, Date.now()));
      }, this.opts.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  private accept(ws: WebSocket): void {
    const proto = (VENUE_SERVER_CODECS[this.opts.venue] as () => VenueServerCodec)();
    const books = this.books?.client(proto.nextSequence ? () => (proto.nextSequence as () => number).call(proto) : undefined);
    const c: Client = { ws, proto, subs: new Set(), seq: 0, books };
    this.clients.add(c);
    this.stats.connections++;
    ws.on('message', (data) => {
      this.stats.clientFrames++;
      if (this.silent) return;
      const text = data.toString();
      const bookReplies = c.books?.onClientFrame(text);
      if (bookReplies !== undefined) {
        for (const r of bookReplies) this.send(c, r);
        return;
      }
      const res = c.proto.onClientFrame(text);
      for (const s of res.subscribe ?? []) c.subs.add(key(s.symbol, s.channel));
      for (const s of res.unsubscribe ?? []) c.subs.delete(key(s.symbol, s.channel));
      for (const r of res.replies) this.send(c, r);
    });
    ws.on('close', () => this.clients.delete(c));
    ws.on('error', () => {});
  }

  private send(c: Client, text: string): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    // A client that does not keep up loses messages, as on a real venue, rather than growing
    // this process's memory without bound (the simulator's venues share the service's process).
    if (c.ws.bufferedAmount > SLOW_CLIENT_BYTES) {
      this.stats.dropped++;
      return;
    }
    // A turn's frames to a client leave in one write (the simulator publishes in bursts).
    this.cork.hold(socketOf(c.ws));
    c.ws.send(text);
    this.stats.sent++;
  }

  /** Sends a record to every client subscribed to its symbol and channel; a quote also moves the venue's book. */
  publish(r: MarketRecord): void {
    if (this.silent) return;
    const k = key(r.symbol, r.type === 'trade' ? 'trades' : 'quotes');
    for (const c of this.clients) if (c.subs.has(k)) this.send(c, c.proto.encode(r, c.seq++));
    if (r.type !== 'quote' || this.books === undefined) return;
    const u = this.books.onQuote(r);
    if (u === undefined) return;
    for (const c of this.clients) if (c.books?.subscribed(u.pair)) for (const f of c.books.frames(u)) this.send(c, f);
  }

  /** REST: the book snapshots of Binance and Bitstamp; anything else is a 404. */
  private onHttp(req: IncomingMessage, res: ServerResponse): void {
    const snap = this.silent ? undefined : this.books?.restSnapshot(req.url ?? '/');
    res.writeHead(snap?.status ?? 404, { 'content-type': 'application/json' });
    res.end(snap?.body ?? JSON.stringify({ error: `no such path ${req.url ?? ''}` }));
  }

  misbehave(kind: Misbehaviour): void {
    switch (kind) {
      case 'close':
        for (const c of this.clients) c.ws.terminate();
        break;
      case 'silent':
        this.silent = true;
        break;
      case 'malformed':
        for (const c of this.clients) this.send(c, '{"this is": not json');
        break;
      case 'oversized':
        for (const c of this.clients) this.send(c, JSON.stringify({ padding: 'x'.repeat(2 << 20) }));
        break;
      case 'stall':
        // Stop reading from clients: their pings and subscribes go unanswered.
        for (const c of this.clients) (c.ws as unknown as { _socket?: { pause(): void } })._socket?.pause();
        break;
      case 'reconnect':
        for (const c of this.clients) if (c.proto.reconnectRequest) this.send(c, c.proto.reconnectRequest());
        break;
      case 'book_gap':
      case 'book_checksum':
        this.books?.misbehave(kind);
        break;
    }
  }

  /** Ends silence. */
  resume(): void {
    this.silent = false;
  }

  /** The venue goes away: every client is cut off and the port refuses connections. */
  async down(): Promise<void> {
    for (const c of this.clients) c.ws.terminate();
    const wss = this.wss;
    const http = this.http;
    this.wss = undefined;
    this.http = undefined;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }

  /** The venue comes back on the same port. */
  async up(): Promise<void> {
    if (!this.wss) await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.down();
  }
}
