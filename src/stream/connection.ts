/**
 * One WebSocket connection to one venue, kept alive: connect timeout; reconnection with capped
 * exponential backoff and full jitter, forever; every subscription re-sent after each connect;
 * an idle deadline (no frame for `idleDeadlineMs` ⇒ the connection is presumed dead even if the
 * socket looks open, and is recycled); application pings where the venue wants them; planned
 * rotation before the venue's maximum connection age; server-requested reconnects. Frames are
 * parsed by the venue's pure codec; bad frames are counted and reported, never thrown.
 */
import WebSocket from 'ws';
import type { ConnectionState, GapEvent, SourceStatusEvent } from '../core/events.ts';
import type { MarketRecord } from '../core/market.ts';
import type { FrameOutcome, Subscription, VenueCodec } from './codec.ts';
import { MessageRate } from './message-rate.ts';

export type ConnectionErrorKind = 'socket' | 'recycle' | 'frame';

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** What every reconnecting feed is told: its deadlines, its backoff, its clocks. */
export interface ReconnectOptions {
  /** No message at all for this long ⇒ recycle the connection (default 10 s). */
  idleDeadlineMs?: number;
  connectTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** Receipt clock (default Date.now); simulations running faster than real time pass theirs. */
  clock?: () => number;
  random?: () => number;
}

const RECONNECT_DEFAULTS: Required<ReconnectOptions> = {
  idleDeadlineMs: 10_000,
  connectTimeoutMs: 5_000,
  backoff: { baseMs: 250, maxMs: 30_000 },
  clock: Date.now,
  random: Math.random,
};

export interface VenueConnectionOptions extends ReconnectOptions {
  url?: string;
  subscriptions: readonly Subscription[];
  /** Larger inbound frames are refused by the socket (it closes with 1009) and counted (default 1 MiB). */
  maxPayloadBytes?: number;
}

/** What the service reports of a feed (per venue): the part of its health the API and metrics show. */
export interface FeedHealth {
  venue: string;
  state: ConnectionState;
  reconnects: number;
  lastMessageAgeMs: number | null;
  messagesPerSec: number;
  errors: number;
}

/** A connection's health: what is reported, and the transport's own counters. */
export interface ConnectionHealth extends FeedHealth {
  /** Frames the codec could not use (malformed, unknown). */
  badFrames: number;
  idleTimeouts: number;
  gaps: number;
}

/** The reported part of a connection's health (its transport counters left out). */
export function reportedHealth(h: ConnectionHealth): FeedHealth {
  return {
    venue: h.venue,
    state: h.state,
    reconnects: h.reconnects,
    lastMessageAgeMs: h.lastMessageAgeMs,
    messagesPerSec: h.messagesPerSec,
    errors: h.errors,
  };
}

/**
 * What the pipeline needs from any live feed: WebSocket venues (VenueConnection), HTTP line
 * streams (OANDA) and pollers (Dukascopy) alike.
 */
export interface FeedConnection {
  readonly codec: { readonly venue: string };
  onRecord(cb: (r: MarketRecord) => void): this;
  onGap(cb: (g: GapEvent) => void): this;
  onStatus(cb: (e: SourceStatusEvent) => void): this;
  onError(cb: (message: string, kind: ConnectionErrorKind) => void): this;
  start(): void;
  stop(): Promise<void>;
  health(): ConnectionHealth;
}

/**
 * What every feed shares: callbacks for records, gaps, status changes and errors; the connection
 * state with a status event on each change; the health counters; and the delivery of one parsed
 * message (records and gaps out, bad ones counted).
 */
export abstract class FeedBase {
  abstract readonly codec: { readonly venue: string };
  protected state: ConnectionState = 'closed';
  protected readonly counts = { reconnects: 0, errors: 0, badFrames: 0, idleTimeouts: 0, gaps: 0 };
  /** Reconnection attempts since data last flowed (the backoff exponent). */
  protected attempt = 0;
  protected lastMessage = Number.NaN;
  private readonly rate = new MessageRate();
  private readonly out: MarketRecord[] = [];
  private readonly gaps: GapEvent[] = [];
  protected recordCb: (r: MarketRecord) => void = () => {};
  protected gapCb: (g: GapEvent) => void = () => {};
  protected statusCb: (e: SourceStatusEvent) => void = () => {};
  protected errorCb: (message: string, kind: ConnectionErrorKind) => void = () => {};

  /** The clock status events are stamped with. */
  protected abstract now(): number;

  onRecord(cb: (r: MarketRecord) => void): this {
    this.recordCb = cb;
    return this;
  }
  onGap(cb: (g: GapEvent) => void): this {
    this.gapCb = cb;
    return this;
  }
  onStatus(cb: (e: SourceStatusEvent) => void): this {
    this.statusCb = cb;
    return this;
  }
  /** Socket errors, recycles and bad frames; only `frame` says anything about the data's quality. */
  onError(cb: (message: string, kind: ConnectionErrorKind) => void): this {
    this.errorCb = cb;
    return this;
  }

  protected setState(state: ConnectionState, reason?: string): void {
    if (this.state === state) return;
    this.state = state;
    this.statusCb({ type: 'source_status', venue: this.codec.venue, ts: this.now(), state, ...(reason ? { reason } : {}) });
  }

  /** A message arrived: its age and the message rate start from now. */
  protected arrived(): void {
    const now = Date.now();
    this.lastMessage = now;
    this.rate.count(now);
  }

  /**
   * One message (`what`: frame, line) parsed by `parse`: records and gaps go out, a bad one is
   * counted and reported, data resets the backoff. The outcome is returned for what only the
   * transport can do (answer a ping, reconnect).
   */
  protected deliver(
    text: string,
    what: string,
    parse: (text: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]) => FrameOutcome,
  ): FrameOutcome {
    this.arrived();
    this.out.length = 0;
    this.gaps.length = 0;
    const outcome = parse(text, this.now(), this.out, this.gaps);
    if (outcome.kind === 'data') {
      // Data flowing again: the next failure starts the backoff from the beginning.
      this.attempt = 0;
      for (const r of this.out) this.recordCb(r);
    } else if (outcome.kind === 'error') this.badMessage(`bad ${what}: ${outcome.message}: ${text.slice(0, 200)}`);
    this.counts.gaps += this.gaps.length;
    for (const g of this.gaps) this.gapCb(g);
    return outcome;
  }

  /** A message the source's data cannot use: counted and reported with the venue. */
  protected badMessage(message: string): void {
    this.counts.badFrames++;
    this.counts.errors++;
    this.errorCb(`${this.codec.venue}: ${message}`, 'frame');
  }

  health(): ConnectionHealth {
    const now = Date.now();
    return {
      venue: this.codec.venue,
      state: this.state,
      reconnects: this.counts.reconnects,
      lastMessageAgeMs: Number.isNaN(this.lastMessage) ? null : Math.max(0, now - this.lastMessage),
      messagesPerSec: this.rate.perSecond(now),
      errors: this.counts.errors,
      badFrames: this.counts.badFrames,
      idleTimeouts: this.counts.idleTimeouts,
      gaps: this.counts.gaps,
    };
  }
}

/**
 * A feed that keeps a connection up: started once, reconnected after each loss with capped
 * exponential backoff and full jitter until stopped. Subclasses open the connection (`connect`)
 * and report its loss (`reconnectLater`).
 */
export abstract class ReconnectingFeed extends FeedBase {
  protected stopped = true;
  private retryTimer: NodeJS.Timeout | undefined;
  protected readonly timing: Required<ReconnectOptions>;

  constructor(options: ReconnectOptions) {
    super();
    this.timing = { ...RECONNECT_DEFAULTS, ...options };
  }

  protected abstract connect(): void;

  protected now(): number {
    return this.timing.clock();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** The connection is gone (not by `stop`): say so, and try again after the backoff. */
  protected reconnectLater(reason: string): void {
    this.setState('reconnecting', reason);
    const delay = backoffDelay(this.attempt++, this.timing.backoff, this.timing.random);
    this.counts.reconnects++;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** For `stop`: no retry pending, none scheduled. */
  protected halt(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }
}

/** Full-jitter backoff: uniform in [0, min(max, base · 2^attempt)]. */
export function backoffDelay(attempt: number, b: BackoffOptions, random: () => number = Math.random): number {
  return random() * Math.min(b.maxMs, b.baseMs * 2 ** Math.min(attempt, 30));
}

export class VenueConnection extends ReconnectingFeed implements FeedConnection {
  private ws: WebSocket | undefined;
  private timers: NodeJS.Timeout[] = [];
  private readonly url: string;
  private readonly subscriptions: readonly Subscription[];
  private readonly maxPayloadBytes: number;

  constructor(
    readonly codec: VenueCodec,
    options: VenueConnectionOptions,
  ) {
    super(options);
    this.url = options.url ?? codec.url;
    this.subscriptions = options.subscriptions;
    this.maxPayloadBytes = options.maxPayloadBytes ?? 1 << 20;
  }

  async stop(): Promise<void> {
    this.halt();
    this.clearTimers();
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.terminate();
      });
    }
    this.setState('closed', 'stopped');
  }

  protected connect(): void {
    if (this.stopped) return;
    this.setState('connecting');
    const ws = new WebSocket(this.url, {
      handshakeTimeout: this.timing.connectTimeoutMs,
      maxPayload: this.maxPayloadBytes,
      perMessageDeflate: false,
    });
    this.ws = ws;
    const openedAt = Date.now();
    ws.on('open', () => {
      if (ws !== this.ws) return;
      this.lastMessage = Date.now();
      this.setState('open');
      for (const f of this.codec.subscribeFrames(this.subscriptions)) ws.send(f);
      this.armTimers(ws, openedAt);
    });
    ws.on('message', (data, isBinary) => {
      if (ws !== this.ws) return;
      this.onFrame(ws, isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString());
    });
    ws.on('error', (err) => {
      if (ws !== this.ws) return;
      this.counts.errors++;
      this.errorCb(`${this.codec.venue}: socket error: ${err.message}`, 'socket');
    });
    ws.on('close', (code) => {
      if (ws !== this.ws) return;
      this.ws = undefined;
      this.clearTimers();
      if (this.stopped) return;
      this.reconnectLater(`closed (${code})`);
    });
  }

  /** Closes the current socket so the close handler reconnects. */
  private recycle(reason: string): void {
    const ws = this.ws;
    if (!ws) return;
    this.errorCb(`${this.codec.venue}: recycling connection: ${reason}`, 'recycle');
    ws.terminate();
  }

  private armTimers(ws: WebSocket, openedAt: number): void {
    const idle = this.timing.idleDeadlineMs;
    // Checked at a quarter of the deadline: a dead feed is noticed within 1.25 deadlines.
    this.timers.push(
      setInterval(
        () => {
          if (Date.now() - this.lastMessage > idle) {
            this.counts.idleTimeouts++;
            this.counts.errors++;
            this.recycle(`no frame for ${idle} ms`);
          }
        },
        Math.max(10, idle / 4),
      ),
    );
    const ping = this.codec.appPing;
    if (ping) {
      this.timers.push(
        setInterval(
          () => {
            if (ws.readyState === WebSocket.OPEN && (ping.always || Date.now() - this.lastMessage >= Math.min(ping.intervalMs, idle / 2)))
              ws.send(ping.text);
          },
          ping.always ? ping.intervalMs : Math.min(ping.intervalMs, idle / 2),
        ),
      );
    }
    const maxAge = this.codec.maxConnectionAgeMs;
    if (maxAge !== undefined) {
      this.timers.push(setTimeout(() => this.recycle(`planned rotation after ${Date.now() - openedAt} ms`), maxAge));
    }
    for (const t of this.timers) t.unref();
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  private onFrame(ws: WebSocket, text: string): void {
    const outcome = this.deliver(text, 'frame', (t, recvTs, out, gaps) => this.codec.parse(t, recvTs, out, gaps));
    if (outcome.kind === 'ping') ws.send(outcome.reply);
    else if (outcome.kind === 'send') for (const f of outcome.frames) ws.send(f);
    else if (outcome.kind === 'reconnect') this.recycle('venue asked for a reconnect');
    const more = this.codec.takeOutgoing?.();
    if (more !== undefined && ws.readyState === WebSocket.OPEN) for (const f of more) ws.send(f);
  }
}
