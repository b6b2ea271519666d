/**
 * Each venue codec on the venue's documented example messages (reproduced as fixtures), field
 * by field; malformed and unknown frames come back as errors or ignored, never thrown; and a
 * round trip through each local server's encoder gives back the record.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GapEvent } from '../../src/core/events.ts';
import type { MarketRecord, Quote, Trade } from '../../src/core/market.ts';
import { serverCodecFor } from '../../src/sources/loopback/index.ts';
import { protocolFor, TRADE_AND_QUOTE_VENUES, VENUE_PROTOCOLS } from '../../src/sources/venues/index.ts';

const RECV = 1_700_000_000_500;

function parse(venue: string, frames: string[]): { out: MarketRecord[]; gaps: GapEvent[]; kinds: string[] } {
  const p = protocolFor(venue);
  const out: MarketRecord[] = [];
  const gaps: GapEvent[] = [];
  const kinds = frames.map((f) => p.parse(f, RECV, out, gaps).kind);
  return { out, gaps, kinds };
}

describe('Binance', () => {
  it('trade: m=true means the buyer was the maker, so the taker sold; trade ids give gaps', () => {
    const { out, gaps, kinds } = parse('binance', [
      '{"result":null,"id":1}',
      '{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}',
      '{"e":"trade","E":1672515782137,"s":"BNBBTC","t":12348,"p":"0.0011","q":"5","T":1672515782137,"m":false,"M":true}',
    ]);
    expect(kinds).toEqual(['subscribed', 'data', 'data']);
    expect(out[0]).toEqual({
      type: 'trade',
      venue: 'binance',
      symbol: 'BNB-BTC',
      ts: 1672515782136,
      recvTs: RECV,
      price: 0.001,
      size: 100,
      side: 'sell',
      id: '12345',
    });
    expect((out[1] as Trade).side).toBe('buy');
    expect(gaps).toEqual([{ type: 'gap', venue: 'binance', symbol: 'BNB-BTC', ts: RECV, expected: 12346, received: 12348 }]);
  });
  it('bookTicker: best bid/ask with sizes, no event time', () => {
    const { out } = parse('binance', [
      '{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}',
    ]);
    expect(out[0]).toEqual({
      type: 'quote',
      venue: 'binance',
      symbol: 'BNB-USDT',
      ts: null,
      recvTs: RECV,
      bid: 25.3519,
      bidSize: 31.21,
      ask: 25.3652,
      askSize: 40.66,
    });
  });
  it('subscribe request as documented', () => {
    expect(
      protocolFor('binance').subscribeFrames([
        { symbol: 'BTC-USDT', channel: 'trades' },
        { symbol: 'BTC-USDT', channel: 'quotes' },
      ]),
    ).toEqual(['{"method":"SUBSCRIBE","params":["btcusdt@trade","btcusdt@bookTicker"],"id":1}']);
  });
});

describe('Coinbase Advanced Trade', () => {
  it('market_trades: maker-side convention inverted to the taker; nanosecond times; sequence gaps', () => {
    const { out, gaps, kinds } = parse('coinbase', [
      '{"channel":"market_trades","client_id":"","timestamp":"2023-02-09T20:19:35.39625135Z","sequence_num":0,"events":[{"type":"snapshot","trades":[{"trade_id":"000000000","product_id":"ETH-USD","price":"1260.01","size":"0.3","side":"BUY","time":"2019-08-14T20:42:27.265Z"}]}]}',
      '{"channel":"heartbeats","client_id":"","timestamp":"2023-06-23T20:31:26.122969572Z","sequence_num":3,"events":[{"current_time":"2023-06-23 20:31:56.121961769 +0000 UTC m=+91717.525857105","heartbeat_counter":"3049"}]}',
    ]);
    expect(kinds).toEqual(['data', 'heartbeat']);
    expect(out[0]).toEqual({
      type: 'trade',
      venue: 'coinbase',
      symbol: 'ETH-USD',
      ts: Date.UTC(2019, 7, 14, 20, 42, 27, 265),
      recvTs: RECV,
      price: 1260.01,
      size: 0.3,
      side: 'sell',
      id: '000000000',
    });
    expect(gaps).toEqual([{ type: 'gap', venue: 'coinbase', symbol: null, ts: RECV, expected: 1, received: 3 }]);
  });
  it('ticker: best bid/ask and quantities', () => {
    const { out } = parse('coinbase', [
      '{"channel":"ticker","client_id":"","timestamp":"2023-02-09T20:30:37.167359596Z","sequence_num":0,"events":[{"type":"snapshot","tickers":[{"type":"ticker","product_id":"BTC-USD","price":"21932.98","volume_24_h":"16038.28770938","low_24_h":"21835.29","high_24_h":"23011.18","low_52_w":"15460","high_52_w":"48240","price_percent_chg_24_h":"-4.15775596190603","best_bid":"21931.98","best_bid_quantity":"8000.21","best_ask":"21933.98","best_ask_quantity":"8038.07770938"}]}]}',
    ]);
    const q = out[0] as Quote;
    expect([q.symbol, q.bid, q.bidSize, q.ask, q.askSize]).toEqual(['BTC-USD', 21931.98, 8000.21, 21933.98, 8038.07770938]);
    expect(q.ts).toBeCloseTo(Date.UTC(2023, 1, 9, 20, 30, 37) + 167.359596, 3);
  });
});

describe('Kraken v2', () => {
  it('trade: taker side, JSON numbers, microsecond ISO time', () => {
    const { out, kinds } = parse('kraken', [
      '{"method":"subscribe","result":{"channel":"trade","snapshot":false,"symbol":"MATIC/USD"},"success":true,"time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}',
      '{"channel":"trade","type":"update","data":[{"symbol":"MATIC/USD","side":"sell","price":0.5117,"qty":40.0,"ord_type":"market","trade_id":4665906,"timestamp":"2023-09-25T07:49:37.708706Z"}]}',
      '{"channel":"heartbeat"}',
    ]);
    expect(kinds).toEqual(['subscribed', 'data', 'heartbeat']);
    expect(out[0]).toEqual({
      type: 'trade',
      venue: 'kraken',
      symbol: 'MATIC-USD',
      ts: Date.UTC(2023, 8, 25, 7, 49, 37) + 708.706,
      recvTs: RECV,
      price: 0.5117,
      size: 40,
      side: 'sell',
      id: '4665906',
    });
  });
  it('ticker (bbo trigger): best bid/ask; XBT is bitcoin', () => {
    const { out } = parse('kraken', [
      '{"channel":"ticker","type":"update","data":[{"symbol":"ALGO/USD","bid":0.10025,"bid_qty":740.0,"ask":0.10035,"ask_qty":740.0,"last":0.10035,"volume":997038.98383185,"vwap":0.10148,"low":0.09979,"high":0.10285,"change":-0.00017,"change_pct":-0.17}]}',
      '{"channel":"ticker","type":"update","data":[{"symbol":"XBT/USD","bid":60000.1,"bid_qty":1.5,"ask":60000.2,"ask_qty":2}]}',
    ]);
    expect(out[0]).toEqual({
      type: 'quote',
      venue: 'kraken',
      symbol: 'ALGO-USD',
      ts: null,
      recvTs: RECV,
      bid: 0.10025,
      bidSize: 740,
      ask: 0.10035,
      askSize: 740,
    });
    expect(out[1]?.symbol).toBe('BTC-USD');
  });
});

describe('Bitstamp v2', () => {
  it('trade: type 0 buy / 1 sell, microtimestamp; order book top; reconnect request', () => {
    const { out, kinds } = parse('bitstamp', [
      '{"event":"bts:subscription_succeeded","channel":"live_trades_btcusd","data":{}}',
      '{"data":{"id":123456789,"timestamp":"1521451523","amount":0.1,"amount_str":"0.10000000","price":8150.5,"price_str":"8150.50","type":1,"microtimestamp":"1521451523123456","buy_order_id":1,"sell_order_id":2},"channel":"live_trades_btcusd","event":"trade"}',
      '{"data":{"timestamp":"1521451523","microtimestamp":"1521451523123456","bids":[["8150.50","0.50000000"],["8150.00","1.0"]],"asks":[["8151.00","0.25000000"]]},"channel":"order_book_btcusd","event":"data"}',
      '{"event":"bts:request_reconnect","channel":"","data":""}',
    ]);
    expect(kinds).toEqual(['subscribed', 'data', 'data', 'reconnect']);
    expect(out[0]).toEqual({
      type: 'trade',
      venue: 'bitstamp',
      symbol: 'BTC-USD',
      ts: 1521451523123.456,
      recvTs: RECV,
      price: 8150.5,
      size: 0.1,
      side: 'sell',
      id: '123456789',
    });
    expect(out[1]).toEqual({
      type: 'quote',
      venue: 'bitstamp',
      symbol: 'BTC-USD',
      ts: 1521451523123.456,
      recvTs: RECV,
      bid: 8150.5,
      bidSize: 0.5,
      ask: 8151,
      askSize: 0.25,
    });
  });
});

describe('OKX v5', () => {
  it('trades and bbo-tbt; text pong', () => {
    const { out, kinds } = parse('okx', [
      '{"event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT"},"connId":"a4d3ae55"}',
      '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"130639474","px":"42219.9","sz":"0.12060306","side":"buy","ts":"1630048897897","count":"3"}]}',
      '{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.97","256","0","12"]],"ts":"1597026383085","seqId":123456}]}',
      'pong',
    ]);
    expect(kinds).toEqual(['subscribed', 'data', 'data', 'pong']);
    expect(out[0]).toEqual({
      type: 'trade',
      venue: 'okx',
      symbol: 'BTC-USDT',
      ts: 1630048897897,
      recvTs: RECV,
      price: 42219.9,
      size: 0.12060306,
      side: 'buy',
      id: '130639474',
    });
    expect(out[1]).toEqual({
      type: 'quote',
      venue: 'okx',
      symbol: 'BTC-USDT',
      ts: 1597026383085,
      recvTs: RECV,
      bid: 8476.97,
      bidSize: 256,
      ask: 8476.98,
      askSize: 415,
    });
  });
});

describe('every venue', () => {
  const venues = Object.keys(VENUE_PROTOCOLS);
  const pair: Record<string, string> = {
    binance: 'BTC-USDT',
    coinbase: 'BTC-USD',
    kraken: 'BTC-USD',
    bitstamp: 'BTC-USD',
    okx: 'BTC-USDT',
  };

  it('malformed, truncated, hostile and unknown frames are errors or ignored, never thrown', () => {
    const bad = [
      '',
      'null',
      '[]',
      '{',
      '{"e":"trade","s":"X","p":"abc","q":"1"}',
      '{"channel":"trade","data":[{"symbol":"A/B","price":-1,"qty":1}]}',
      '"a string"',
      '{"unknown":true}',
      'x'.repeat(10_000),
    ];
    for (const v of venues) {
      const p = protocolFor(v);
      for (const f of bad) {
        const out: MarketRecord[] = [];
        const kind = p.parse(f, RECV, out, []).kind;
        expect(['error', 'ignored']).toContain(kind);
        expect(out).toEqual([]);
      }
    }
  });

  it('property: a record encoded by the local server parses back to the same record', () => {
    for (const v of TRADE_AND_QUOTE_VENUES) {
      fc.assert(
        fc.property(
          fc.double({ min: 0.01, max: 1e6, noNaN: true }),
          fc.double({ min: 0.0001, max: 1e4, noNaN: true }),
          fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
          fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
          (price, size, side, ts) => {
            const server = serverCodecFor(v);
            const client = protocolFor(v);
            const t: Trade = { type: 'trade', venue: v, symbol: pair[v] as string, ts, recvTs: RECV, price, size, side, id: '42' };
            const q: Quote = {
              type: 'quote',
              venue: v,
              symbol: pair[v] as string,
              ts,
              recvTs: RECV,
              bid: price,
              bidSize: size,
              ask: price * 1.001,
              askSize: size,
            };
            const out: MarketRecord[] = [];
            client.parse(server.encode(t, 1), RECV, out, []);
            client.parse(server.encode(q, 2), RECV, out, []);
            const [pt, pq] = out as [Trade, Quote];
            const tsOk = (x: number | null): boolean => x === null || Math.abs(x - ts) < 1;
            return (
              pt.price === price &&
              pt.size === size &&
              pt.side === side &&
              pt.symbol === t.symbol &&
              tsOk(pt.ts) &&
              pq.bid === q.bid &&
              pq.ask === q.ask &&
              pq.bidSize === size &&
              tsOk(pq.ts)
            );
          },
        ),
        { numRuns: 50 },
      );
    }
  });
});
