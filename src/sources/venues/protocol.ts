/**
 * Venue protocols: one implementation per venue under src/sources/venues/, each a pure client
 * codec (the contract is in src/stream/codec.ts, next to the connection that drives it) and the
 * server side used by the local venue servers. No sockets, no timers here.
 */
import type { InstrumentId } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';
import type { Subscription, VenueCodec } from '../../stream/codec.ts';

export type { Channel, FrameOutcome, LineStreamCodec, Subscription, VenueCodec } from '../../stream/codec.ts';

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
