/**
 * The contract between a source's pure codec and the connection that drives it: what a frame
 * turned out to be, and what a WebSocket venue or an HTTP line stream must provide. The codecs
 * live with the sources (src/sources); the connections here own all I/O and time.
 */
import type { GapEvent } from '../core/events.ts';
import type { InstrumentId } from '../core/instrument.ts';
import type { MarketRecord } from '../core/market.ts';

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
  /**
   * Frames the codec wants sent now, asked after each parsed frame (a book resync's unsubscribe
   * and subscribe, while the frame's own records still go out); undefined when there are none.
   */
  takeOutgoing?(): string[] | undefined;
}

/** What a line-streaming source (OANDA's pricing stream) provides to `HttpStreamConnection`. */
export interface LineStreamCodec {
  readonly venue: string;
  /** The request: URL and headers (credentials included). */
  request(): { url: string; headers: Record<string, string> };
  parse(line: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]): FrameOutcome;
}
