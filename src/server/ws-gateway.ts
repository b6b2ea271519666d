import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { EventBus } from '../bus/bus.ts';
import type { EmpEvent } from '../core/events.ts';
import { socketOf, TurnCork } from '../stream/turn-cork.ts';
import { type ClientMessage, channelOf, clientMessageSchema, snapshotKey } from './protocol.ts';

export interface GatewayOptions {
  /** Largest inbound message (bytes); larger ones close the socket with 1009. */
  maxMessageBytes: number;
  /** Bytes queued to a client above which updates to it are dropped (counted, reported when it recovers). */
  sendHighWaterBytes: number;
  /**
   * Bytes queued to all clients together (default 64 MiB): each client's high-water mark is at
   * most this shared among the clients, so memory stays bounded however many connect.
   */
  maxBufferedBytesTotal?: number;
  /** A client above the high-water mark for this long is disconnected (4008 slow consumer). */
  slowClientTimeoutMs: number;
  /** Inbound messages per second allowed per connection (token bucket, burst = 2 × rate). */
  rateLimitPerSec: number;
  heartbeatMs: number;
  /** Open sockets at most, all clients together; over it the upgrade is refused with 503. */
  maxConnections: number;
  /** Open sockets at most per client address; over it the upgrade is refused with 503. */
  maxConnectionsPerAddress: number;
  /** Symbols a client may hold subscribed, summed over its channels; over it: TOO_MANY_SYMBOLS. */
  maxSymbolsPerClient: number;
  /** A socket not authenticated this long after it opened is closed with 4001. */
  authDeadlineMs: number;
  /** When set, a client must present it (Authorization: Bearer header, ?token=, or a first `auth` message). */
  token?: string;
  /** Allowed browser origins; requests without an Origin header (non-browser clients) pass. */
  allowedOrigins: (origin: string) => boolean;
  /** Maps a client's spelling of an instrument to the served id; undefined: unknown (refused). */
  resolveSymbol?: (raw: string) => string | undefined;
  /** The instruments served, named in the error for an unknown one. */
  knownSymbols?: () => readonly string[];
}

interface Client {
  ws: WebSocket;
  address: string;
  authed: boolean;
  authTimer: NodeJS.Timeout | undefined;
  /** channel → symbols (null = all). */
  subs: Map<string, Set<string> | null>;
  tokens: number;
  lastRefill: number;
  dropped: number;
  overSince: number | null;
  alive: boolean;
}

/** ws's send options, shared: one object per process, not one per client and event. */
const TEXT_FRAME = { binary: false } as const;

/**
 * The `/ws` endpoint: subscribe/unsubscribe per channel and symbols, a snapshot of the latest
 * records then incremental updates. Slow-client policy: while a client's socket buffer is above
 * the high-water mark, updates to it are dropped and counted (a `dropped` notice follows when it
 * drains); after `slowClientTimeoutMs` above the mark it is disconnected. Other clients are never
 * held up: sends are non-blocking and per client.
 */
export class WsGateway {
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly latest = new Map<string, Map<string, EmpEvent>>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly perAddress = new Map<string, number>();
  /** Each client's updates of one event-loop turn leave in one write. */
  private readonly cork = new TurnCork();
  readonly stats = {
    connections: 0,
    /** Upgrades refused: foreign origin, too many sockets in all, too many from one address. */
    rejected: { origin: 0, max_connections: 0, max_per_address: 0 },
    messagesIn: 0,
    badMessages: 0,
    oversized: 0,
    rateLimited: 0,
    symbolLimited: 0,
    authTimeouts: 0,
    unauthorized: 0,
    sent: 0,
    dropped: 0,
    slowDisconnects: 0,
  };

  constructor(
    bus: EventBus,
    private readonly opts: GatewayOptions,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes });
    this.wss.on('connection', (ws: WebSocket, req: IncomingMessage) => this.onConnection(ws, req));
    this.unsubscribe = bus.subscribe({}, (e) => this.onEvent(e));
    this.heartbeat = setInterval(() => this.beat(), opts.heartbeatMs);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Seeds the snapshot cache (e.g. from the store at start-up). */
  remember(e: EmpEvent): void {
    const ch = channelOf(e);
    if (!ch) return;
    let m = this.latest.get(ch);
    if (!m) this.latest.set(ch, (m = new Map()));
    m.set(snapshotKey(e), e);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const origin = req.headers.origin;
    if (origin !== undefined && !this.opts.allowedOrigins(origin)) {
      this.stats.rejected.origin++;
      refuse(socket, 403, 'Forbidden', 'origin not allowed');
      return;
    }
    // Counted from the upgrade on (not from 'connection'), so a burst of handshakes cannot overshoot.
    const address = req.socket.remoteAddress ?? '?';
    if (this.pending + this.clients.size >= this.opts.maxConnections) {
      this.stats.rejected.max_connections++;
      refuse(socket, 503, 'Service Unavailable', `too many WebSocket connections (limit ${this.opts.maxConnections})`);
      return;
    }
    if ((this.perAddress.get(address) ?? 0) >= this.opts.maxConnectionsPerAddress) {
      this.stats.rejected.max_per_address++;
      refuse(
        socket,
        503,
        'Service Unavailable',
        `too many WebSocket connections from ${address} (limit ${this.opts.maxConnectionsPerAddress})`,
      );
      return;
    }
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    this.pending++;
    let settled = false;
    const release = (): void => {
      const n = (this.perAddress.get(address) ?? 1) - 1;
      if (n > 0) this.perAddress.set(address, n);
      else this.perAddress.delete(address);
    };
    // A handshake that fails never reaches 'connection': give its slot back.
    socket.once('close', () => {
      if (!settled) {
        settled = true;
        this.pending--;
        release();
      }
    });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (settled) return;
      settled = true;
      this.pending--;
      ws.once('close', release);
      this.wss.emit('connection', ws, req);
    });
  }

  private pending = 0;

  close(): void {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const c of this.clients) {
      clearTimeout(c.authTimer);
      c.ws.close(1001, 'server shutting down');
    }
    this.wss.close();
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    this.stats.connections++;
    const client: Client = {
      ws,
      address: req.socket.remoteAddress ?? '?',
      authed: !this.opts.token || tokenMatches(presentedToken(req), this.opts.token),
      authTimer: undefined,
      subs: new Map(),
      tokens: this.opts.rateLimitPerSec * 2,
      lastRefill: Date.now(),
      dropped: 0,
      overSince: null,
      alive: true,
    };
    this.clients.add(client);
    if (!client.authed) {
      // An unauthenticated socket costs memory and a slot: it gets a deadline to authenticate.
      client.authTimer = setTimeout(() => {
        if (client.authed) return;
        this.stats.authTimeouts++;
        this.send(client, { type: 'error', code: 'AUTH_TIMEOUT', error: `not authenticated within ${this.opts.authDeadlineMs} ms` }, true);
        ws.close(4001, 'authentication deadline passed');
      }, this.opts.authDeadlineMs);
      client.authTimer.unref();
    }
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => this.onMessage(client, isBinary ? null : data.toString()));
    const gone = (): void => {
      clearTimeout(client.authTimer);
      this.clients.delete(client);
    };
    ws.on('close', gone);
    ws.on('error', (err: Error & { code?: string }) => {
      // ws closes the socket with 1009 itself; counted here.
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.stats.oversized++;
      gone();
    });
    this.send(client, { type: 'welcome', authRequired: !client.authed, heartbeatMs: this.opts.heartbeatMs }, true);
  }

  private onMessage(c: Client, text: string | null): void {
    this.stats.messagesIn++;
    if (!this.takeToken(c)) {
      this.stats.rateLimited++;
      this.send(c, { type: 'error', code: 'RATE_LIMITED', error: `more than ${this.opts.rateLimitPerSec} messages/s` }, true);
      return;
    }
    if (text === null) {
      this.reject(c, 'BAD_MESSAGE', 'binary frames are not accepted; send JSON text');
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.reject(c, 'BAD_JSON', 'message is not valid JSON');
      return;
    }
    const parsed = clientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.reject(c, 'BAD_MESSAGE', `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`);
      return;
    }
    const msg: ClientMessage = parsed.data;
    if (msg.op === 'auth') {
      c.authed = !this.opts.token || tokenMatches(msg.token, this.opts.token);
      if (c.authed) clearTimeout(c.authTimer);
      else {
        this.stats.unauthorized++;
        this.send(c, { type: 'error', code: 'UNAUTHORIZED', error: 'invalid token' }, true);
        c.ws.close(4001, 'unauthorized');
        return;
      }
      this.send(c, { type: 'authed' }, true);
      return;
    }
    if (!c.authed) {
      this.stats.unauthorized++;
      this.send(c, { type: 'error', code: 'UNAUTHORIZED', error: 'authenticate first: {"op":"auth","token":"..."}' }, true);
      c.ws.close(4001, 'unauthorized');
      return;
    }
    if (msg.op === 'ping') {
      this.send(c, { type: 'pong', id: msg.id ?? null, ts: Date.now() }, true);
      return;
    }
    if (msg.op === 'subscribe') {
      let symbols: Set<string> | null = null;
      if (msg.symbols) {
        // Any common spelling (btc-usd, BTCUSD, BTC/USD) subscribes the served id; an unknown
        // instrument refuses the whole message rather than answering an empty snapshot.
        const resolve = this.opts.resolveSymbol ?? ((s: string) => s);
        const unknown = msg.symbols.filter((s) => resolve(s) === undefined);
        if (unknown.length > 0) {
          this.send(
            c,
            {
              type: 'error',
              code: 'UNKNOWN_SYMBOL',
              error: `unknown instrument ${unknown.map((s) => `"${s}"`).join(', ')} (served: ${(this.opts.knownSymbols?.() ?? []).join(', ')})`,
            },
            true,
          );
          return;
        }
        symbols = new Set(msg.symbols.map((s) => resolve(s) as string));
      }
      const prev = c.subs.get(msg.channel);
      const next = prev === null || symbols === null ? null : new Set([...(prev ?? []), ...symbols]);
      const total = symbolCount(c.subs) - (prev?.size ?? 0) + (next?.size ?? 0);
      if (total > this.opts.maxSymbolsPerClient) {
        // Refused whole: a partial subscription would leave the client guessing what it has.
        this.stats.symbolLimited++;
        this.send(
          c,
          {
            type: 'error',
            code: 'TOO_MANY_SYMBOLS',
            error: `subscription refused: ${total} symbols over all channels, limit ${this.opts.maxSymbolsPerClient} (subscribe without symbols for all of them)`,
          },
          true,
        );
        return;
      }
      c.subs.set(msg.channel, next);
      const snap = [...(this.latest.get(msg.channel)?.entries() ?? [])].filter(([k]) => !symbols || symbols.has(k)).map(([, e]) => e);
      this.send(c, { type: 'snapshot', channel: msg.channel, items: snap }, true);
      return;
    }
    const cur = c.subs.get(msg.channel);
    if (!msg.symbols || cur === null) c.subs.delete(msg.channel);
    else if (cur) for (const s of msg.symbols) cur.delete(this.opts.resolveSymbol?.(s) ?? s);
    this.send(c, { type: 'unsubscribed', channel: msg.channel, symbols: msg.symbols ?? null }, true);
  }

  private reject(c: Client, code: string, error: string): void {
    this.stats.badMessages++;
    this.send(c, { type: 'error', code, error }, true);
  }

  private onEvent(e: EmpEvent): void {
    const ch = channelOf(e);
    if (!ch) return;
    this.remember(e);
    const key = snapshotKey(e);
    let frame: Buffer | undefined;
    for (const c of this.clients) {
      if (!c.authed) continue;
      const subs = c.subs.get(ch);
      if (subs === undefined || (subs !== null && !subs.has(key))) continue;
      // Serialised and UTF-8 encoded once per event, not per client.
      frame ??= Buffer.from(JSON.stringify({ channel: ch, ...e }));
      this.sendText(c, frame);
    }
  }

  private send(c: Client, msg: object, control = false): void {
    const text = JSON.stringify(msg);
    if (control) {
      if (c.ws.readyState === c.ws.OPEN) c.ws.send(text);
      return;
    }
    this.sendText(c, text);
  }

  private sendText(c: Client, text: string | Buffer): void {
    if (c.ws.readyState !== c.ws.OPEN) return;
    const now = Date.now();
    const highWater = Math.min(
      this.opts.sendHighWaterBytes,
      (this.opts.maxBufferedBytesTotal ?? 64 * 1024 * 1024) / Math.max(1, this.clients.size),
    );
    if (c.ws.bufferedAmount > highWater) {
      c.dropped++;
      this.stats.dropped++;
      c.overSince ??= now;
      if (this.tooSlow(c, now)) this.disconnect(c, true);
      return;
    }
    // Held bytes count toward the high-water mark: they leave well before it (a burst is not dropped for being held).
    this.cork.hold(socketOf(c.ws), highWater / 4);
    if (c.dropped > 0) {
      c.ws.send(JSON.stringify({ type: 'dropped', count: c.dropped }));
      c.dropped = 0;
    }
    c.overSince = null;
    this.stats.sent++;
    c.ws.send(text, TEXT_FRAME);
  }

  private takeToken(c: Client): boolean {
    const now = Date.now();
    const rate = this.opts.rateLimitPerSec;
    c.tokens = Math.min(rate * 2, c.tokens + ((now - c.lastRefill) / 1000) * rate);
    c.lastRefill = now;
    if (c.tokens < 1) return false;
    c.tokens -= 1;
    return true;
  }

  /** Over the send high-water mark for longer than the slow-client timeout. */
  private tooSlow(c: Client, now: number): boolean {
    return c.overSince !== null && now - c.overSince > this.opts.slowClientTimeoutMs;
  }

  /** Terminates a client; a slow one is counted, whether a send or the heartbeat (nothing being sent) found it. */
  private disconnect(c: Client, slow: boolean): void {
    if (slow) this.stats.slowDisconnects++;
    c.ws.terminate();
    this.clients.delete(c);
  }

  /** Protocol pings; a client that missed the previous one is gone. Also enforces the slow-client timeout when idle. */
  private beat(): void {
    const now = Date.now();
    for (const c of this.clients) {
      const slow = this.tooSlow(c, now);
      if (!c.alive || slow) {
        this.disconnect(c, slow);
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }
}

function symbolCount(subs: Map<string, Set<string> | null>): number {
  let n = 0;
  for (const s of subs.values()) n += s?.size ?? 0;
  return n;
}

function refuse(socket: Duplex, status: number, text: string, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}

/**
 * Constant-time token check: both sides are hashed first, so the comparison runs over equal
 * lengths whatever was presented and its time says nothing about the token.
 */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token a request carries: `Authorization: Bearer <token>`, else a `token` query parameter. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const url = new URL(req.url ?? '/', 'http://x');
  return url.searchParams.get('token') ?? undefined;
}
