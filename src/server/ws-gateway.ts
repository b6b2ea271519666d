import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { EventBus } from '../bus/bus.ts';
import type { EmpEvent } from '../core/events.ts';
import { type ClientMessage, channelOf, clientMessageSchema, snapshotKey } from './protocol.ts';

export interface GatewayOptions {
  /** Largest inbound message (bytes); larger ones close the socket with 1009. */
  maxMessageBytes: number;
  /** Bytes queued to a client above which updates to it are dropped (counted, reported when it recovers). */
  sendHighWaterBytes: number;
  /** A client above the high-water mark for this long is disconnected (4008 slow consumer). */
  slowClientTimeoutMs: number;
  /** Inbound messages per second allowed per connection (token bucket, burst = 2 × rate). */
  rateLimitPerSec: number;
  heartbeatMs: number;
  /** When set, a client must present it (Authorization: Bearer header, ?token=, or a first `auth` message). */
  token?: string;
  /** Allowed browser origins; requests without an Origin header (non-browser clients) pass. */
  allowedOrigins: (origin: string) => boolean;
}

interface Client {
  ws: WebSocket;
  authed: boolean;
  /** channel → symbols (null = all). */
  subs: Map<string, Set<string> | null>;
  tokens: number;
  lastRefill: number;
  dropped: number;
  overSince: number | null;
  alive: boolean;
}

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
  readonly stats = { connections: 0, rejected: 0, messagesIn: 0, badMessages: 0, rateLimited: 0, sent: 0, dropped: 0, slowDisconnects: 0 };

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
      this.stats.rejected++;
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const c of this.clients) c.ws.close(1001, 'server shutting down');
    this.wss.close();
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    this.stats.connections++;
    const client: Client = {
      ws,
      authed: !this.opts.token || presentedToken(req) === this.opts.token,
      subs: new Map(),
      tokens: this.opts.rateLimitPerSec * 2,
      lastRefill: Date.now(),
      dropped: 0,
      overSince: null,
      alive: true,
    };
    this.clients.add(client);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => this.onMessage(client, isBinary ? null : data.toString()));
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => this.clients.delete(client));
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
      c.authed = !this.opts.token || msg.token === this.opts.token;
      if (!c.authed) {
        this.send(c, { type: 'error', code: 'UNAUTHORIZED', error: 'invalid token' }, true);
        c.ws.close(4001, 'unauthorized');
        return;
      }
      this.send(c, { type: 'authed' }, true);
      return;
    }
    if (!c.authed) {
      this.send(c, { type: 'error', code: 'UNAUTHORIZED', error: 'authenticate first: {"op":"auth","token":"..."}' }, true);
      c.ws.close(4001, 'unauthorized');
      return;
    }
    if (msg.op === 'ping') {
      this.send(c, { type: 'pong', id: msg.id ?? null, ts: Date.now() }, true);
      return;
    }
    if (msg.op === 'subscribe') {
      const symbols = msg.symbols ? new Set(msg.symbols) : null;
      const prev = c.subs.get(msg.channel);
      c.subs.set(msg.channel, prev === null || symbols === null ? null : new Set([...(prev ?? []), ...symbols]));
      const snap = [...(this.latest.get(msg.channel)?.entries() ?? [])].filter(([k]) => !symbols || symbols.has(k)).map(([, e]) => e);
      this.send(c, { type: 'snapshot', channel: msg.channel, items: snap }, true);
      return;
    }
    const cur = c.subs.get(msg.channel);
    if (!msg.symbols || cur === null) c.subs.delete(msg.channel);
    else if (cur) for (const s of msg.symbols) cur.delete(s);
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
    let text: string | undefined;
    for (const c of this.clients) {
      if (!c.authed) continue;
      const subs = c.subs.get(ch);
      if (subs === undefined || (subs !== null && !subs.has(key))) continue;
      // Serialise once per event, not per client.
      text ??= JSON.stringify({ channel: ch, ...e });
      this.sendText(c, text);
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

  private sendText(c: Client, text: string): void {
    if (c.ws.readyState !== c.ws.OPEN) return;
    const now = Date.now();
    if (c.ws.bufferedAmount > this.opts.sendHighWaterBytes) {
      c.dropped++;
      this.stats.dropped++;
      c.overSince ??= now;
      if (now - c.overSince > this.opts.slowClientTimeoutMs) {
        this.stats.slowDisconnects++;
        c.ws.terminate();
        this.clients.delete(c);
      }
      return;
    }
    if (c.dropped > 0) {
      c.ws.send(JSON.stringify({ type: 'dropped', count: c.dropped }));
      c.dropped = 0;
    }
    c.overSince = null;
    this.stats.sent++;
    c.ws.send(text);
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

  /** Protocol pings; a client that missed the previous one is gone. Also enforces the slow-client timeout when idle. */
  private beat(): void {
    const now = Date.now();
    for (const c of this.clients) {
      if (!c.alive || (c.overSince !== null && now - c.overSince > this.opts.slowClientTimeoutMs)) {
        c.ws.terminate();
        this.clients.delete(c);
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }
}

export function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const url = new URL(req.url ?? '/', 'http://x');
  return url.searchParams.get('token') ?? undefined;
}
