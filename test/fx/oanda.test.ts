import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarketRecord, Quote } from '../../src/core/market.ts';
import { LocalOandaServer } from '../../src/sources/fx/local-oanda-server.ts';
import { OandaStreamCodec } from '../../src/sources/fx/oanda.ts';
import { HttpStreamConnection } from '../../src/stream/http-stream.ts';

const waitFor = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const quote = (symbol: string, bid: number, ask: number, ts: number): Quote => ({
  type: 'quote',
  venue: 'sim',
  symbol,
  ts,
  recvTs: ts,
  bid,
  ask,
  bidSize: 1_000_000,
  askSize: 2_000_000,
});

describe('OANDA pricing stream codec', () => {
  const codec = new OandaStreamCodec({ accountId: '101-004-1234567-001', token: 't', instruments: ['EUR-USD', 'USD-JPY'] });

  it('parses the documented PRICE example and HEARTBEAT', () => {
    // From OANDA's v20 pricing stream documentation.
    const line =
      '{"type":"PRICE","time":"2016-09-20T15:05:47.960449532Z","bids":[{"price":"1.11553","liquidity":10000000},{"price":"1.11552","liquidity":10000000}],"asks":[{"price":"1.11568","liquidity":10000000},{"price":"1.11569","liquidity":10000000}],"closeoutBid":"1.11553","closeoutAsk":"1.11568","status":"tradeable","tradeable":true,"instrument":"EUR_USD"}';
    const out: MarketRecord[] = [];
    expect(codec.parse(line, 42, out, [])).toEqual({ kind: 'data', count: 1 });
    expect(out[0]).toEqual({
      type: 'quote',
      venue: 'oanda',
      symbol: 'EUR-USD',
      ts: Date.UTC(2016, 8, 20, 15, 5, 47) + 960.449532,
      recvTs: 42,
      bid: 1.11553,
      bidSize: 10_000_000,
      ask: 1.11568,
      askSize: 10_000_000,
    });
    expect(codec.parse('{"type":"HEARTBEAT","time":"2016-09-20T15:05:50.163791738Z"}', 0, out, [])).toEqual({ kind: 'heartbeat' });
  });

  it('the request carries the account, the instruments in OANDA spelling and the bearer token', () => {
    const r = codec.request();
    expect(r.url).toBe('https://stream-fxpractice.oanda.com/v3/accounts/101-004-1234567-001/pricing/stream?instruments=EUR_USD%2CUSD_JPY');
    expect(r.headers.authorization).toBe('Bearer t');
  });

  it('malformed, empty-ladder and halted prices are errors or ignored, never records', () => {
    const out: MarketRecord[] = [];
    expect(codec.parse('{"type":"PRICE",', 0, out, []).kind).toBe('error');
    expect(codec.parse('{"type":"PRICE","instrument":"EUR_USD","bids":[],"asks":[]}', 0, out, []).kind).toBe('error');
    expect(
      codec.parse('{"type":"PRICE","instrument":"EUR_USD","tradeable":false,"bids":[{"price":"1.1"}],"asks":[{"price":"1.2"}]}', 0, out, [])
        .kind,
    ).toBe('ignored');
    expect(codec.parse('{"type":"PRICE","instrument":"NOPE","bids":[{"price":"1.1"}],"asks":[{"price":"1.2"}]}', 0, out, []).kind).toBe(
      'error',
    );
    expect(out).toHaveLength(0);
  });
});

describe('OANDA stream against a local server', () => {
  let server: LocalOandaServer;
  beforeAll(async () => {
    server = await LocalOandaServer.start({ accountId: 'acc-1', token: 'secret', heartbeatMs: 50 });
  });
  afterAll(async () => {
    await server.stop();
  });

  const connect = (token: string, records: MarketRecord[], errors: string[]): HttpStreamConnection =>
    new HttpStreamConnection(
      new OandaStreamCodec({ accountId: 'acc-1', token, instruments: ['EUR-USD', 'USD-JPY'], baseUrl: server.baseUrl }),
      {
        idleDeadlineMs: 300,
        backoff: { baseMs: 10, maxMs: 50 },
      },
    )
      .onRecord((r) => records.push(r))
      .onError((m) => errors.push(m));

  it('streams prices for the subscribed instruments, survives a malformed line, recovers from a stall and a dropped stream', async () => {
    const records: MarketRecord[] = [];
    const errors: string[] = [];
    const c = connect('secret', records, errors);
    c.start();
    await waitFor(() => server.streamCount === 1);
    server.push(quote('EUR-USD', 1.08512, 1.08515, Date.UTC(2024, 0, 2)));
    server.push(quote('GBP-USD', 1.27, 1.2701, Date.UTC(2024, 0, 2))); // not subscribed
    server.push(quote('USD-JPY', 141.252, 141.255, Date.UTC(2024, 0, 2)));
    await waitFor(() => records.length === 2);
    expect(records.map((r) => (r as Quote).symbol)).toEqual(['EUR-USD', 'USD-JPY']);
    expect((records[1] as Quote).bid).toBe(141.252);
    // Heartbeats every 50 ms keep the 300 ms idle deadline from firing.
    await new Promise((r) => setTimeout(r, 500));
    expect(c.health().idleTimeouts).toBe(0);

    server.misbehave('malformed');
    server.push(quote('EUR-USD', 1.0852, 1.08523, Date.UTC(2024, 0, 2, 0, 0, 1)));
    await waitFor(() => records.length === 3);
    expect(c.health().badFrames).toBe(1);

    const before = server.stats.requests;
    server.misbehave('stall');
    await waitFor(() => c.health().idleTimeouts >= 1);
    server.recover();
    await waitFor(() => server.stats.requests > before && server.streamCount === 1);
    server.push(quote('EUR-USD', 1.0853, 1.08533, Date.UTC(2024, 0, 2, 0, 0, 2)));
    await waitFor(() => records.length >= 4);

    server.misbehave('close');
    await waitFor(() => server.streamCount === 1);
    server.push(quote('USD-JPY', 141.3, 141.303, Date.UTC(2024, 0, 2, 0, 0, 3)));
    await waitFor(() => records.some((r) => (r as Quote).bid === 141.3));
    expect(c.health().reconnects).toBeGreaterThanOrEqual(2);
    await c.stop();
    expect(c.health().state).toBe('closed');
  });

  it('a refused token is reported and retried with backoff, never turned into data', async () => {
    const records: MarketRecord[] = [];
    const errors: string[] = [];
    const c = connect('wrong', records, errors);
    const refused = server.stats.refused;
    c.start();
    await waitFor(() => server.stats.refused >= refused + 2);
    await c.stop();
    expect(records).toHaveLength(0);
    expect(errors[0]).toMatch(/HTTP 401: .*Insufficient authorization/);
  });
});
