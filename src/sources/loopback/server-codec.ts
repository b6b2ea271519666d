/**
 * The server side of a venue protocol, for the loopback venue servers (the simulator's venues in
 * `emp start`, and the tests): what a client's frame asks for, and how a record goes out on the
 * wire. One per client connection (it may number its frames). Pure: no sockets, no timers.
 */
import type { MarketRecord } from '../../core/market.ts';
import type { Subscription } from '../../stream/codec.ts';

/** The server's answer to one client frame: replies to send, subscriptions to add or remove. */
export interface ClientFrameAnswer {
  replies: string[];
  subscribe?: Subscription[];
  unsubscribe?: Subscription[];
}

export interface VenueServerCodec {
  readonly venue: string;
  onClientFrame(text: string): ClientFrameAnswer;
  /** One record as the venue would send it; `seq` numbers the frames of this connection. */
  encode(r: MarketRecord, seq: number): string;
  /** A keep-alive the venue sends on its own (Coinbase heartbeats, Kraken heartbeat), if any. */
  heartbeat?(seq: number, now: number): string;
  /** The venue's request that clients reconnect (Bitstamp), if it has one. */
  reconnectRequest?(): string;
  /** Takes the next number of the connection's message sequence, for venues that number every message (Coinbase). */
  nextSequence?(): number;
}
