/**
 * What the venue clients share: one folder per venue under src/sources/venues/, each a pure
 * client codec (the contract is in src/stream/codec.ts, next to the connection that drives it).
 * Their loopback servers live apart, in src/sources/loopback/. No sockets, no timers here.
 */
import type { GapEvent } from '../../core/events.ts';
import type { InstrumentId } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';
import type { FrameOutcome } from '../../stream/codec.ts';

export type { FrameOutcome, Subscription, VenueCodec } from '../../stream/codec.ts';

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

/** What is wrong with a record a codec produced, or undefined when it is well-formed. */
function recordProblem(r: MarketRecord): string | undefined {
  const positive = (x: number): boolean => Number.isFinite(x) && x > 0;
  const size = (x: number): boolean => Number.isFinite(x) && x >= 0;
  // A quote's size may be unknown (NaN: cTrader's spot events carry none), never negative or infinite.
  const quoteSize = (x: number): boolean => Number.isNaN(x) || size(x);
  if (r.ts !== null && !Number.isFinite(r.ts)) return `time ${r.ts}`;
  if (r.type === 'trade') {
    if (!positive(r.price)) return `trade price ${r.price}`;
    if (!size(r.size)) return `trade size ${r.size}`;
  } else {
    if (!positive(r.bid) || !positive(r.ask)) return `quote prices ${r.bid}/${r.ask}`;
    if (!quoteSize(r.bidSize) || !quoteSize(r.askSize)) return `quote sizes ${r.bidSize}/${r.askSize}`;
  }
  return undefined;
}

/**
 * The codec contract's guard, around every venue's own parsing: an exception (a symbol that
 * does not parse, a shape nobody planned for) becomes an error outcome, and a frame that yields
 * a malformed record (price not finite and positive, size negative or infinite) is refused
 * whole, its records and gaps taken back. Nothing thrown or malformed leaves a codec.
 */
export function guardedParse(
  parseFrame: (frame: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]) => FrameOutcome,
  frame: string,
  recvTs: number,
  out: MarketRecord[],
  gaps: GapEvent[],
): FrameOutcome {
  const outStart = out.length;
  const gapStart = gaps.length;
  let outcome: FrameOutcome;
  try {
    outcome = parseFrame(frame, recvTs, out, gaps);
  } catch (err) {
    out.length = outStart;
    gaps.length = gapStart;
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  for (let i = outStart; i < out.length; i++) {
    const problem = recordProblem(out[i] as MarketRecord);
    if (problem !== undefined) {
      out.length = outStart;
      gaps.length = gapStart;
      return { kind: 'error', message: `malformed record: ${problem}` };
    }
  }
  return outcome;
}
