/**
 * What a venue's WebSocket protocol must provide so the generic connection manager
 * (src/stream) can drive it. One implementation per venue under src/sources/venues/.
 * Codecs are pure: no sockets, no timers; the connection manager owns all I/O and time.
 */
import type { GapEvent } from '../../core/events.ts';
import type { InstrumentId } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';

export type Channel = 'trades' | 'quotes';

export interface Subscription {
  /** Canonical instrument as the venue lists it, e.g. BTC-USDT on Binance. */
  symbol: InstrumentId;
  channel: Channel;
}

/** What one inbound text frame turned out to be. */
export type FrameOutcome =
  | { kind: 'data'; count: number }
  | { kind: 'subscribed' }
  | { kind: 'heartbeat' }
  | { kind: 'pong' }
  /** The server asks us to reconnect (e.g. Bitstamp `bts:request_reconnect`). */
  | { kind: 'reconnect' }
  /** The server sent a ping that must be answered with `reply`. */
  | { kind: 'ping'; reply: string }
  /** The next step of a multi-step handshake (cTrader: subscribe once the symbol list is in). */
  | { kind: 'send'; frames: string[] }
  | { kind: 'ignored'; reason: string }
  | { kind: 'error'; message: string };

export interface VenueCodec {
  readonly venue: string;
  /** Public production endpoint. */
  readonly url: string;
  /** Planned rotation before the venue's maximum connection age (Binance: 24 h), ms; undefined: none. */
  readonly maxConnectionAgeMs?: number;
  /**
   * Application-level ping text (OKX `ping`), and how often to send it, if the venue needs one.
   * Sent when nothing has arrived for the interval; with `always`, every interval regardless
   * (cTrader drops clients that have sent nothing for 30 s).
   */
  readonly appPing?: { text: string; intervalMs: number; always?: boolean };
  /** Channels the venue offers (default both; cTrader's spot stream has quotes only). */
  readonly channels?: readonly Channel[];
  /** Venue spelling of a canonical instrument (BTC-USDT → BTCUSDT). */
  venueSymbol(symbol: InstrumentId): string;
  /** Frames to send after the socket opens (and after each reconnect). */
  subscribeFrames(subs: readonly Subscription[]): string[];
  unsubscribeFrames(subs: readonly Subscription[]): string[];
  /**
   * Parses one inbound text frame received at `recvTs` (epoch ms), pushing normalized records
   * into `out` and sequence gaps into `gaps`. Never throws: malformed or unknown frames come
   * back as `{ kind: 'error' }` or `{ kind: 'ignored' }` so the caller can count and log them.
   */
  parse(frame: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]): FrameOutcome;
}

/**
 * The server side of a venue protocol, for the local venue servers (tests and `emp start` on the
 * simulator): what a client's frame asks for, and how a record goes out on the wire.
 */
export interface VenueServerCodec {
  readonly venue: string;
  /** Answers one client frame: replies to send, subscriptions to add or remove. */
  onClientFrame(text: string): { replies: string[]; subscribe?: Subscription[]; unsubscribe?: Subscription[] };
  /** One record as the venue would send it; `seq` numbers the frames of this connection. */
  encode(r: MarketRecord, seq: number): string;
  /** A keep-alive the venue sends on its own (Coinbase heartbeats, Kraken heartbeat), if any. */
  heartbeat?(seq: number, now: number): string;
  /** The venue's request that clients reconnect (Bitstamp), if it has one. */
  reconnectRequest?(): string;
}

export type VenueProtocol = VenueCodec & VenueServerCodec;

/** Canonical id of a venue symbol, memoized (the same few symbols arrive millions of times). */
export class SymbolMap {
  private readonly cache = new Map<string, InstrumentId>();
  constructor(private readonly parse: (raw: string) => InstrumentId) {}
  get(raw: string): InstrumentId {
    let s = this.cache.get(raw);
    if (s === undefined) {
      s = this.parse(raw);
      this.cache.set(raw, s);
    }
    return s;
  }
}

/** A finite number from a venue's string or number field, or NaN. */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.length > 0) return Number(v);
  return Number.NaN;
}

/** Epoch ms from an ISO-8601 time with any number of fractional digits (Coinbase sends nanoseconds). */
export function isoToMs(s: unknown): number | null {
  if (typeof s !== 'string') return null;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(s);
  if (!m) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : t;
  }
  const base = Date.parse(`${m[1]}Z`);
  const frac = m[2] ? Number(`0.${m[2]}`) * 1000 : 0;
  return base + frac;
}
