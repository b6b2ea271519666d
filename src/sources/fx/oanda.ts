/**
 * OANDA v20 pricing stream: `GET /v3/accounts/{accountID}/pricing/stream?instruments=EUR_USD,…`
 * with `Authorization: Bearer {token}`, answered by a chunked stream of JSON lines — `PRICE`
 * (`bids`/`asks` ladders of `{price, liquidity}` as decimal strings, `time` RFC 3339 with
 * nanoseconds, `instrument` like `EUR_USD`, `tradeable`) and a `HEARTBEAT` every 5 seconds.
 * Account and token come from the environment (OANDA_ACCOUNT_ID, OANDA_TOKEN; OANDA_ENV=live
 * for the live host). This file is the pure codec (client side) and the wire encoding (server side).
 */
import type { GapEvent } from '../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../core/instrument.ts';
import type { MarketRecord, Quote } from '../../core/market.ts';
import type { LineStreamCodec } from '../../stream/codec.ts';
import { venueSymbol } from '../venues/identity.ts';
import { type FrameOutcome, isoToMs, num, SymbolMap } from '../venues/protocol.ts';
import { OANDA_VENUE } from './venues.ts';

const OANDA_STREAM_URLS = {
  practice: 'https://stream-fxpractice.oanda.com',
  live: 'https://stream-fxtrade.oanda.com',
} as const;

/** OANDA's spelling: EUR-USD → EUR_USD. */
const oandaInstrument = (id: InstrumentId): string => venueSymbol(OANDA_VENUE, id);

export interface OandaOptions {
  accountId: string;
  token: string;
  instruments: readonly InstrumentId[];
  /** Host root (default: the practice stream host). */
  baseUrl?: string;
}

/** Options from the environment; throws naming what is missing. */
export function oandaOptionsFromEnv(instruments: readonly InstrumentId[], env = process.env): OandaOptions {
  const accountId = env.OANDA_ACCOUNT_ID;
  const token = env.OANDA_TOKEN;
  if (!accountId || !token) throw new Error('OANDA needs OANDA_ACCOUNT_ID and OANDA_TOKEN in the environment');
  return { accountId, token, instruments, baseUrl: env.OANDA_ENV === 'live' ? OANDA_STREAM_URLS.live : OANDA_STREAM_URLS.practice };
}

interface PriceLine {
  type?: unknown;
  time?: unknown;
  instrument?: unknown;
  bids?: unknown;
  asks?: unknown;
  tradeable?: unknown;
}

/** Best level of a ladder: `{price, liquidity}` with the price a decimal string. */
function top(ladder: unknown): { price: number; size: number } | null {
  if (!Array.isArray(ladder) || ladder.length === 0) return null;
  const l = ladder[0] as { price?: unknown; liquidity?: unknown };
  const price = num(l.price);
  const size = num(l.liquidity);
  return price > 0 ? { price, size: size >= 0 ? size : Number.NaN } : null;
}

export class OandaStreamCodec implements LineStreamCodec {
  readonly venue = 'oanda';
  private readonly symbols = new SymbolMap(canonicalInstrument);

  constructor(private readonly o: OandaOptions) {}

  request(): { url: string; headers: Record<string, string> } {
    const base = this.o.baseUrl ?? OANDA_STREAM_URLS.practice;
    const instruments = this.o.instruments.map(oandaInstrument).join(',');
    return {
      url: `${base}/v3/accounts/${encodeURIComponent(this.o.accountId)}/pricing/stream?instruments=${encodeURIComponent(instruments)}`,
      headers: { authorization: `Bearer ${this.o.token}`, 'accept-datetime-format': 'RFC3339' },
    };
  }

  parse(line: string, recvTs: number, out: MarketRecord[], _gaps: GapEvent[]): FrameOutcome {
    let m: PriceLine;
    try {
      m = JSON.parse(line) as PriceLine;
    } catch {
      return { kind: 'error', message: 'not JSON' };
    }
    if (m === null || typeof m !== 'object') return { kind: 'error', message: 'not an object' };
    if (m.type === 'HEARTBEAT') return { kind: 'heartbeat' };
    if (m.type !== 'PRICE') return { kind: 'ignored', reason: `type ${String(m.type)}` };
    if (typeof m.instrument !== 'string') return { kind: 'error', message: 'PRICE without instrument' };
    // A halted instrument still streams prices; they are not executable, so they are not quotes.
    if (m.tradeable === false) return { kind: 'ignored', reason: 'not tradeable' };
    const bid = top(m.bids);
    const ask = top(m.asks);
    if (!bid || !ask) return { kind: 'error', message: 'PRICE without bids/asks' };
    let symbol: InstrumentId;
    try {
      symbol = this.symbols.get(m.instrument);
    } catch {
      return { kind: 'error', message: `unknown instrument ${m.instrument}` };
    }
    out.push({
      type: 'quote',
      venue: this.venue,
      symbol,
      ts: isoToMs(m.time),
      recvTs,
      bid: bid.price,
      bidSize: bid.size,
      ask: ask.price,
      askSize: ask.size,
    });
    return { kind: 'data', count: 1 };
  }
}

/** Server side: RFC 3339 with nanoseconds, as OANDA writes it. */
function rfc3339Nanos(ms: number): string {
  const whole = Math.floor(ms);
  const nanos = Math.round((ms - whole) * 1e6);
  return `${new Date(whole).toISOString().slice(0, 19)}.${String(whole % 1000).padStart(3, '0')}${String(nanos).padStart(6, '0')}Z`;
}

/** One quote as an OANDA `PRICE` line (prices to 5 decimals, 3 for yen pairs). */
export function encodeOandaPrice(q: Quote, decimals: number): string {
  return JSON.stringify({
    type: 'PRICE',
    time: rfc3339Nanos(q.ts ?? q.recvTs),
    bids: [{ price: q.bid.toFixed(decimals), liquidity: Math.round(q.bidSize) }],
    asks: [{ price: q.ask.toFixed(decimals), liquidity: Math.round(q.askSize) }],
    closeoutBid: q.bid.toFixed(decimals),
    closeoutAsk: q.ask.toFixed(decimals),
    status: 'tradeable',
    tradeable: true,
    instrument: oandaInstrument(q.symbol),
  });
}

export const encodeOandaHeartbeat = (ms: number): string => JSON.stringify({ type: 'HEARTBEAT', time: rfc3339Nanos(ms) });
