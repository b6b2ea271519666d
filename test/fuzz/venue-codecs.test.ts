/**
 * Hostile frames for every venue codec (fast-check): valid frames from each local server's
 * encoder, then mutated field by field (any JSON value in place of any field, fields removed,
 * the text cut or bytes replaced), and arbitrary text. The codec never throws past its boundary,
 * answers every frame with an outcome the connection understands, and whatever records it still
 * emits are well-formed: nothing malformed reaches fusion.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GapEvent } from '../../src/core/events.ts';
import type { MarketRecord, Quote, Trade } from '../../src/core/market.ts';
import { serverCodecFor } from '../../src/sources/loopback/index.ts';
import { protocolFor, VENUE_PROTOCOLS } from '../../src/sources/venues/index.ts';

const RECV = 1_700_000_000_500;
const KINDS = ['data', 'subscribed', 'heartbeat', 'pong', 'reconnect', 'ping', 'send', 'ignored', 'error'];
const PAIR: Record<string, string> = {
  binance: 'BTC-USDT',
  coinbase: 'BTC-USD',
  kraken: 'BTC-USD',
  bitstamp: 'BTC-USD',
  okx: 'BTC-USDT',
  ctrader: 'EUR-USD',
};

/** Problems with a record that came out of a codec, or none. */
function malformed(r: MarketRecord): string[] {
  const bad: string[] = [];
  const pos = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x > 0;
  const nonneg = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  if (typeof r.symbol !== 'string' || !/^[A-Z0-9]+-[A-Z0-9]+$/.test(r.symbol)) bad.push(`symbol ${JSON.stringify(r.symbol)}`);
  if (r.recvTs !== RECV) bad.push('recvTs');
  if (r.ts !== null && !Number.isFinite(r.ts)) bad.push(`ts ${r.ts}`);
  if (r.type === 'trade') {
    if (!pos(r.price)) bad.push(`price ${r.price}`);
    if (!nonneg(r.size)) bad.push(`size ${r.size}`);
    if (!['buy', 'sell', 'unknown'].includes(r.side)) bad.push(`side ${r.side}`);
  } else if (r.type === 'quote') {
    if (!pos(r.bid)) bad.push(`bid ${r.bid}`);
    if (!pos(r.ask)) bad.push(`ask ${r.ask}`);
    // Unknown (NaN) is allowed for quote sizes: cTrader sends none.
    if (!Number.isNaN(r.bidSize) && !nonneg(r.bidSize)) bad.push(`bidSize ${r.bidSize}`);
    if (!Number.isNaN(r.askSize) && !nonneg(r.askSize)) bad.push(`askSize ${r.askSize}`);
  } else bad.push(`type ${(r as { type: unknown }).type}`);
  return bad;
}

/** Valid frames of a venue: a trade and a quote as its server sends them (cTrader: quotes only). */
function validFrames(venue: string): string[] {
  const server = serverCodecFor(venue);
  const symbol = PAIR[venue] as string;
  const t: Trade = { type: 'trade', venue, symbol, ts: RECV - 20, recvTs: RECV, price: 60_000.5, size: 0.25, side: 'buy', id: '7' };
  const q: Quote = { type: 'quote', venue, symbol, ts: RECV - 20, recvTs: RECV, bid: 1.0951, bidSize: 2, ask: 1.0953, askSize: 3 };
  const frames = [server.encode(q, 1)];
  if (venue !== 'ctrader') frames.push(server.encode(t, 2));
  return frames;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside a JSON document. */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (Array.isArray(v)) for (const [i, x] of v.entries()) out.push(...paths(x, [...at, i]));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function setAt(doc: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const copy = structuredClone(doc) as Json;
  let node = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

/** A valid frame with some fields replaced by hostile values or removed. */
const hostileValue: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom<Json>(null, '', 'NaN', 'Infinity', '-1', '0', '1e400', '-0', 'abc', 0, -1, 1e308, -1e308, true, [], {}),
  fc.jsonValue() as fc.Arbitrary<Json>,
);

function mutatedFrame(frames: string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...frames), fc.array(fc.tuple(fc.nat(), hostileValue), { minLength: 1, maxLength: 4 }))
    .map(([text, edits]) => {
      let doc: Json;
      try {
        doc = JSON.parse(text) as Json;
      } catch {
        return text.slice(0, 3);
      }
      for (const [pick, value] of edits) {
        const all = paths(doc);
        doc = setAt(doc, all[pick % all.length] as (string | number)[], value);
      }
      return JSON.stringify(doc) ?? '';
    });
}

const textDamage = (frames: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...frames), fc.nat()).map(([f, n]) => f.slice(0, n % (f.length + 1))),
    fc
      .tuple(fc.constantFrom(...frames), fc.nat(), fc.string({ minLength: 1, maxLength: 3 }))
      .map(([f, n, s]) => f.slice(0, n % f.length) + s + f.slice((n % f.length) + 1)),
  );

describe.each(Object.keys(VENUE_PROTOCOLS))('%s codec under hostile frames', (venue) => {
  const frames = validFrames(venue);

  it('valid frames parse (the fuzzing starts from real ones)', () => {
    const p = protocolFor(venue);
    const out: MarketRecord[] = [];
    for (const f of frames) p.parse(f, RECV, out, []);
    // cTrader needs its handshake before spot events count; the others emit a record per frame.
    if (venue !== 'ctrader') expect(out.length).toBe(frames.length);
    expect(out.flatMap(malformed)).toEqual([]);
  });

  it('never throws, always answers with a known outcome, and emits only well-formed records', () => {
    const codec = protocolFor(venue);
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(
        fc.oneof(
          mutatedFrame(frames),
          textDamage(frames),
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (frame) => {
          const out: MarketRecord[] = [];
          const gaps: GapEvent[] = [];
          const o = codec.parse(frame, RECV, out, gaps);
          outcomes.set(o.kind, (outcomes.get(o.kind) ?? 0) + 1);
          expect(KINDS).toContain(o.kind);
          if (o.kind === 'error') expect(typeof o.message).toBe('string');
          const bad = out.flatMap(malformed);
          if (bad.length > 0) throw new Error(`${venue}: ${bad.join(', ')} from ${frame}`);
        },
      ),
      { numRuns: 1500 },
    );
    // The fuzzer reached both sides: frames refused and frames still parsed.
    expect(outcomes.get('error') ?? 0).toBeGreaterThan(0);
  });
});
