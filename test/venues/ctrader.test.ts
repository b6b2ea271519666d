/**
 * cTrader Open API (JSON over WebSocket) against the local server speaking it: the four-step
 * handshake, spot events with one side missing, client heartbeats, errors, reconnection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MarketRecord, Quote } from '../../src/core/market.ts';
import { CTraderServer } from '../../src/sources/loopback/ctrader.ts';
import { LocalVenueServer } from '../../src/sources/loopback/local-venue-server.ts';
import { CTraderClient } from '../../src/sources/venues/ctrader/client.ts';
import { CTRADER } from '../../src/sources/venues/ctrader/messages.ts';
import { VenueConnection } from '../../src/stream/connection.ts';

const until = async (pred: () => boolean, ms = 3000): Promise<void> => {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('cTrader codec', () => {
  const creds = { clientId: 'app', clientSecret: 's3cret', accountId: 5_150_705, accessToken: 'tok' };

  it('opens with application auth, account auth and the symbol list, in that order', () => {
    const frames = new CTraderClient(creds).subscribeFrames([{ symbol: 'EUR-USD', channel: 'quotes' }]).map((f) => JSON.parse(f));
    expect(frames.map((f) => f.payloadType)).toEqual([2100, 2102, 2114]);
    expect(frames[0].payload).toEqual({ clientId: 'app', clientSecret: 's3cret' });
    expect(frames[1].payload).toEqual({ ctidTraderAccountId: 5_150_705, accessToken: 'tok' });
  });

  it('learns symbol ids from the list, subscribes by id, and keeps the last bid and ask (in 1/100000)', () => {
    const p = new CTraderClient(creds);
    p.subscribeFrames([
      { symbol: 'EUR-USD', channel: 'quotes' },
      { symbol: 'USD-JPY', channel: 'quotes' },
    ]);
    const list = {
      payloadType: 2115,
      payload: {
        ctidTraderAccountId: 5_150_705,
        symbol: [
          { symbolId: 1, symbolName: 'EURUSD', enabled: true },
          { symbolId: 4, symbolName: 'USDJPY', enabled: true },
          { symbolId: 10_026, symbolName: 'US500', enabled: true },
        ],
      },
    };
    const step = p.parse(JSON.stringify(list), 0, [], []);
    expect(step.kind).toBe('send');
    const sub = JSON.parse((step as { frames: string[] }).frames[0] as string);
    expect(sub.payloadType).toBe(2127);
    expect(sub.payload.symbolId).toEqual([1, 4]);
    const out: MarketRecord[] = [];
    // First event has only the bid: no quote yet. Then the ask; then only the bid changes.
    expect(
      p.parse('{"payloadType":2131,"payload":{"ctidTraderAccountId":5150705,"symbolId":1,"bid":108512,"trendbar":[]}}', 7, out, []).kind,
    ).toBe('ignored');
    expect(
      p.parse('{"payloadType":2131,"payload":{"ctidTraderAccountId":5150705,"symbolId":1,"ask":108515,"trendbar":[]}}', 8, out, []).kind,
    ).toBe('data');
    expect(
      p.parse(
        '{"payloadType":2131,"payload":{"ctidTraderAccountId":5150705,"symbolId":1,"bid":108513,"trendbar":[],"timestamp":1700000000123}}',
        9,
        out,
        [],
      ).kind,
    ).toBe('data');
    p.parse('{"payloadType":2131,"payload":{"symbolId":4,"bid":14125200,"ask":14125500}}', 10, out, []);
    expect(out.map((q) => [(q as Quote).symbol, (q as Quote).bid, (q as Quote).ask, q.ts])).toEqual([
      ['EUR-USD', 1.08512, 1.08515, null],
      ['EUR-USD', 1.08513, 1.08515, 1_700_000_000_123],
      ['USD-JPY', 141.252, 141.255, null],
    ]);
  });

  it('errors, unknown symbol ids and garbage are reported, never records', () => {
    const p = new CTraderClient(creds);
    const out: MarketRecord[] = [];
    expect(
      p.parse('{"payloadType":2142,"payload":{"errorCode":"CH_CLIENT_AUTH_FAILURE","description":"Wrong clientSecret"}}', 0, out, []),
    ).toEqual({ kind: 'error', message: 'CH_CLIENT_AUTH_FAILURE: Wrong clientSecret' });
    expect(p.parse('{"payloadType":2131,"payload":{"symbolId":99,"bid":1,"ask":2}}', 0, out, []).kind).toBe('error');
    expect(p.parse('{"payload":{}}', 0, out, []).kind).toBe('error');
    expect(p.parse('nope', 0, out, []).kind).toBe('error');
    expect(p.parse('{"payloadType":51,"payload":{}}', 0, out, []).kind).toBe('heartbeat');
    expect(out).toEqual([]);
  });

  it('the server refuses steps out of order', () => {
    const server = new CTraderServer();
    const r = server.onClientFrame(JSON.stringify({ payloadType: CTRADER.SYMBOLS_LIST_REQ, payload: { ctidTraderAccountId: 1 } }));
    expect(JSON.parse(r.replies[0] as string).payloadType).toBe(CTRADER.OA_ERROR_RES);
  });
});

describe('cTrader over a real socket', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0)) await f();
  });

  it('handshake, quotes, client heartbeats, reconnection with a fresh handshake', async () => {
    const server = await LocalVenueServer.start({ venue: 'ctrader', heartbeatMs: 100 });
    const codec = new CTraderClient();
    // Heartbeats every 50 ms for the test (10 s in production).
    (codec as { appPing: { text: string; intervalMs: number; always: boolean } }).appPing = { ...codec.appPing, intervalMs: 50 };
    const conn = new VenueConnection(codec, {
      url: server.url,
      subscriptions: [{ symbol: 'EUR-USD', channel: 'quotes' }],
      backoff: { baseMs: 10, maxMs: 50 },
    });
    const got: MarketRecord[] = [];
    conn.onRecord((r) => got.push(r));
    conn.start();
    cleanup.push(async () => {
      await conn.stop();
      await server.close();
    });
    await until(() => server.subscriptions().includes('EUR-USD|quotes'));
    const q: Quote = {
      type: 'quote',
      venue: 'sim',
      symbol: 'EUR-USD',
      ts: 1_700_000_000_000,
      recvTs: 0,
      bid: 1.08512,
      ask: 1.08515,
      bidSize: 1,
      askSize: 1,
    };
    server.publish(q);
    await until(() => got.length === 1);
    expect([(got[0] as Quote).bid, (got[0] as Quote).ask, got[0]?.ts]).toEqual([1.08512, 1.08515, 1_700_000_000_000]);
    // The client keeps sending heartbeats even while data flows.
    const frames = server.stats.clientFrames;
    await new Promise((r) => setTimeout(r, 300));
    expect(server.stats.clientFrames - frames).toBeGreaterThanOrEqual(3);

    server.misbehave('close');
    await until(() => server.stats.connections >= 2 && server.subscriptions().includes('EUR-USD|quotes'));
    server.publish({ ...q, bid: 1.0852 });
    await until(() => got.length === 2);
    expect((got[1] as Quote).bid).toBe(1.0852);
  });
});
