/**
 * VenueConnection against each venue's local server over real sockets: subscribe, receive,
 * normalize; and the chaos cases, each with a measured bound.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceStatusEvent } from '../../src/core/events.ts';
import type { MarketRecord, Quote, Trade } from '../../src/core/market.ts';
import { LocalVenueServer } from '../../src/sources/loopback/local-venue-server.ts';
import { protocolFor, TRADE_AND_QUOTE_VENUES } from '../../src/sources/venues/index.ts';
import type { Subscription } from '../../src/sources/venues/protocol.ts';
import { backoffDelay, VenueConnection } from '../../src/stream/connection.ts';

const PAIR: Record<string, string> = { binance: 'BTC-USDT', coinbase: 'BTC-USD', kraken: 'BTC-USD', bitstamp: 'BTC-USD', okx: 'BTC-USDT' };

const until = async (pred: () => boolean, ms: number, what = 'condition'): Promise<number> => {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - t0;
};

interface Rig {
  server: LocalVenueServer;
  conn: VenueConnection;
  got: MarketRecord[];
  statuses: SourceStatusEvent[];
  errors: string[];
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.conn.stop();
    await r.server.close();
  }
});

async function rig(venue: string, opts: { idleDeadlineMs?: number; heartbeatMs?: number } = {}): Promise<Rig> {
  const server = await LocalVenueServer.start({ venue, heartbeatMs: opts.heartbeatMs ?? 100 });
  const symbol = PAIR[venue] as string;
  const subs: Subscription[] = [
    { symbol, channel: 'trades' },
    { symbol, channel: 'quotes' },
  ];
  const conn = new VenueConnection(protocolFor(venue), {
    url: server.url,
    subscriptions: subs,
    idleDeadlineMs: opts.idleDeadlineMs ?? 2000,
    backoff: { baseMs: 20, maxMs: 200 },
  });
  const r: Rig = { server, conn, got: [], statuses: [], errors: [] };
  conn
    .onRecord((x) => r.got.push(x))
    .onStatus((s) => r.statuses.push(s))
    .onError((m) => r.errors.push(m));
  conn.start();
  rigs.push(r);
  await until(() => server.subscriptions().length === 2, 3000, 'subscriptions');
  return r;
}

const trade = (venue: string, price: number, id: number): Trade => ({
  type: 'trade',
  venue,
  symbol: PAIR[venue] as string,
  ts: 1_700_000_000_000 + id,
  recvTs: 0,
  price,
  size: 0.5,
  side: id % 2 ? 'buy' : 'sell',
  id: String(id),
});
const quote = (venue: string, bid: number): Quote => ({
  type: 'quote',
  venue,
  symbol: PAIR[venue] as string,
  ts: 1_700_000_000_000,
  recvTs: 0,
  bid,
  bidSize: 1.25,
  ask: bid + 0.5,
  askSize: 2.5,
});

describe.each([...TRADE_AND_QUOTE_VENUES])('%s over a real socket', (venue) => {
  it('subscribes, receives and normalizes trades and quotes field by field', async () => {
    const r = await rig(venue);
    r.server.publish(trade(venue, 60_000.5, 1));
    r.server.publish(quote(venue, 60_000.25));
    r.server.publish(trade(venue, 60_001, 2));
    await until(() => r.got.length === 3, 3000, 'records');
    const [t1, q, t2] = r.got as [Trade, Quote, Trade];
    expect([t1.type, t1.venue, t1.symbol, t1.price, t1.size, t1.side]).toEqual(['trade', venue, PAIR[venue], 60_000.5, 0.5, 'buy']);
    expect(t2.side).toBe('sell');
    expect([q.type, q.bid, q.bidSize, q.ask, q.askSize]).toEqual(['quote', 60_000.25, 1.25, 60_000.75, 2.5]);
    expect(t1.recvTs).toBeGreaterThan(Date.now() - 10_000);
    expect(r.conn.health().state).toBe('open');
  });

  it('abrupt close: reconnects, resubscribes, data flows again', async () => {
    const r = await rig(venue);
    r.server.misbehave('close');
    const ms = await until(() => r.server.stats.connections >= 2 && r.server.subscriptions().length === 2, 5000, 'resubscription');
    r.server.publish(trade(venue, 1, 10));
    await until(() => r.got.length === 1, 3000, 'data after reconnect');
    expect(r.conn.health().reconnects).toBeGreaterThanOrEqual(1);
    expect(r.statuses.map((s) => s.state)).toContain('reconnecting');
    expect(ms).toBeLessThan(5000);
  });
});

describe('chaos', () => {
  it('silent stall with the socket open is detected within 2 × the idle deadline', async () => {
    const idle = 400;
    const r = await rig('binance', { idleDeadlineMs: idle });
    r.server.publish(trade('binance', 1, 1));
    await until(() => r.got.length === 1, 2000);
    const connections = r.server.stats.connections;
    const t0 = Date.now();
    r.server.misbehave('silent');
    await until(() => r.conn.health().idleTimeouts >= 1, 4 * idle, 'idle timeout');
    const detected = Date.now() - t0;
    expect(detected).toBeLessThanOrEqual(2 * idle);
    r.server.resume();
    await until(() => r.server.stats.connections > connections && r.server.subscriptions().length === 2, 5000, 'reconnect after stall');
  });

  it('malformed frames are counted and the connection survives', async () => {
    const r = await rig('okx');
    r.server.misbehave('malformed');
    r.server.misbehave('malformed');
    r.server.publish(trade('okx', 5, 1));
    await until(() => r.got.length === 1, 2000);
    expect(r.conn.health().badFrames).toBe(2);
    expect(r.conn.health().reconnects).toBe(0);
    expect(r.errors.some((e) => e.includes('bad frame'))).toBe(true);
  });

  it('an oversized frame (> max payload) is refused, counted, the connection recycled and resubscribed', async () => {
    const r = await rig('kraken');
    r.server.misbehave('oversized');
    await until(() => r.server.stats.connections >= 2 && r.server.subscriptions().length === 2, 5000, 'recycle');
    expect(r.conn.health().errors).toBeGreaterThanOrEqual(1);
    r.server.publish(trade('kraken', 7, 1));
    await until(() => r.got.length === 1, 2000);
  });

  it('a server-requested reconnect (Bitstamp bts:request_reconnect) is honoured', async () => {
    const r = await rig('bitstamp');
    r.server.misbehave('reconnect');
    await until(() => r.server.stats.connections >= 2 && r.server.subscriptions().length === 2, 5000, 'reconnect');
  });

  it('a venue that goes down is retried with backoff until it is back', async () => {
    const r = await rig('coinbase');
    await r.server.down();
    await until(() => r.conn.health().state !== 'open', 2000);
    await new Promise((res) => setTimeout(res, 300));
    expect(r.conn.health().reconnects).toBeGreaterThanOrEqual(2);
    await r.server.up();
    await until(() => r.conn.health().state === 'open' && r.server.subscriptions().length === 2, 5000, 'back up');
    r.server.publish(trade('coinbase', 3, 1));
    await until(() => r.got.length === 1, 2000);
  });

  it('backoff: full jitter within [0, min(max, base · 2^attempt)]', () => {
    const b = { baseMs: 100, maxMs: 5000 };
    expect(backoffDelay(0, b, () => 1)).toBe(100);
    expect(backoffDelay(3, b, () => 1)).toBe(800);
    expect(backoffDelay(20, b, () => 1)).toBe(5000);
    expect(backoffDelay(20, b, () => 0)).toBe(0);
  });
});
