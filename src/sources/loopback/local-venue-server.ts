/**
 * A local WebSocket server speaking one venue's protocol: it answers subscribes as the venue
 * does, sends the venue's heartbeats, and streams whatever records it is given (recorded or
 * simulated) encoded in the venue's wire format to the clients subscribed to them. It can be
 * told to misbehave: close abruptly, go silent with the socket open, send malformed or
 * oversized frames, stop reading, ask for a reconnect, or go down and come back.
 */
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { MarketRecord } from '../../core/market.ts';
import type { VenueServerCodec } from './server-codec.ts';
import { VENUE_SERVER_CODECS } from './server-codecs.ts';

/** Bytes queued to one client beyond which messages to it are dropped (counted). */
const SLOW_CLIENT_BYTES = 4 * 1024 * 1024;

export type Misbehaviour = 'close' | 'silent' | 'malformed' | 'oversized' | 'stall' | 'reconnect';

interface Client {
  ws: WebSocket;
  proto: VenueServerCodec;
  subs: Set<string>;
  seq: number;
}

export interface LocalVenueServerOptions {
  venue: string;
  port?: number;
  host?: string;
  /** Venue heartbeat period, for venues that send them (Coinbase, Kraken). */
  heartbeatMs?: number;
}

const key = (symbol: string, channel: string): string => `${symbol}|${channel}`;

export class LocalVenueServer {
  private wss: WebSocketServer | undefined;
  private readonly clients = new Set<Client>();
  private silent = false;
  private heartbeat: NodeJS.Timeout | undefined;
  /** `dropped`: messages not sent to a client more than SLOW_CLIENT_BYTES behind. */
  readonly stats = { connections: 0, sent: 0, clientFrames: 0, dropped: 0 };
  url = '';
  port = 0;

  private constructor(private readonly opts: Required<LocalVenueServerOptions>) {}

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
    const wss = new WebSocketServer({ host: this.opts.host, port, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', () => resolve());
      wss.once('error', reject);
    });
    this.wss = wss;
    this.port = (wss.address() as AddressInfo).port;
    this.url = `ws://${this.opts.host}:${this.port}`;
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
    const c: Client = { ws, proto: (VENUE_SERVER_CODECS[this.opts.venue] as () => VenueServerCodec)(), subs: new Set(), seq: 0 };
    this.clients.add(c);
    this.stats.connections++;
    ws.on('message', (data) => {
      this.stats.clientFrames++;
      if (this.silent) return;
      const res = c.proto.onClientFrame(data.toString());
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
    c.ws.send(text);
    this.stats.sent++;
  }

  /** Sends a record to every client subscribed to its symbol and channel. */
  publish(r: MarketRecord): void {
    if (this.silent) return;
    const k = key(r.symbol, r.type === 'trade' ? 'trades' : 'quotes');
    for (const c of this.clients) if (c.subs.has(k)) this.send(c, c.proto.encode(r, c.seq++));
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
    this.wss = undefined;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  /** The venue comes back on the same port. */
  async up(): Promise<void> {
    if (!this.wss) await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.down();
  }
}
