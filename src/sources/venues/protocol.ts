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
  | { kind: 'ignored'; reason: string }
  | { kind: 'error'; message: string };

export interface VenueCodec {
  readonly venue: string;
  /** Public production endpoint. */
  readonly url: string;
  /** Planned rotation before the venue's maximum connection age (Binance: 24 h), ms; undefined: none. */
  readonly maxConnectionAgeMs?: number;
  /** Application-level ping text (OKX `ping`), and how often to send it, if the venue needs one. */
  readonly appPing?: { text: string; intervalMs: number };
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
