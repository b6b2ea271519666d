/**
 * The consolidated book over the API: `GET /api/book/:symbol` and the WebSocket `book` channel,
 * with the pipeline's own BookStage making the events from real venue books and a real server on
 * an ephemeral port. What comes back is checked against the published schema and against the
 * venue books it was made from (cross-venue touch computed here, level by level).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { InProcessBus } from '../../src/bus/bus.ts';
import type { ConsolidatedBookEvent } from '../../src/core/events.ts';
import { BookStage } from '../../src/pipeline/book-stage.ts';
import type { VenueBookRef } from '../../src/pipeline/stages.ts';
import { API_SCHEMAS } from '../../src/server/schema.ts';
import { type RunningServer, startServer } from '../../src/server/server.ts';
import { OrderBook } from '../../src/stream/book.ts';
import { testBackend } from './backend-fixture.ts';

const USDT = 1.0001;
const target = (pair: string) => ({ symbol: pair.replace(/-USDT$/, '-USD'), factor: pair.endsWith('-USDT') ? USDT : 1 });

function venueBook(venue: string, pair: string, mid: number, step: number): VenueBookRef {
  const book = new OrderBook(100);
  for (let k = 0; k < 15; k++) {
    book.set(true, mid - step * (k + 1), 0.1 * (k + 1));
    book.set(false, mid + step * (k + 1), 0.2 * (k + 1));
  }
  return { venue, pair, book, live: () => true };
}

/** Messages of one socket, awaited by predicate. */
async function collect(ws: WebSocket, messages: Record<string, unknown>[], pred: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out; got ${JSON.stringify(messages).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  void ws;
}

describe('consolidated book over HTTP and WebSocket', () => {
  let srv: RunningServer;
  const bus = new InProcessBus();
  const stage = new BookStage(['BTC-USD', 'ETH-USD'], target, { everyMs: 0, levels: 20, venueLevels: 10 });
  const binance = venueBook('binance', 'BTC-USDT', 60_000, 1);
  const kraken = venueBook('kraken', 'BTC-USD', 60_005, 2.5);
  const publish = (): void => stage.flush(Date.now(), (e) => bus.publish(e));

  beforeAll(async () => {
    srv = await startServer(testBackend({ bus, symbols: () => ['BTC-USD', 'ETH-USD'], book: (s: string) => stage.latest(s) }), {
      host: '127.0.0.1',
      port: 0,
    });
    stage.onBook(binance);
    stage.onBook(kraken);
    publish();
  });
  afterAll(async () => {
    await srv.close();
  });

  it('GET /api/book/:symbol answers the latest book in the published shape, in any spelling of the symbol', async () => {
    for (const spelling of ['BTC-USD', 'btcusd', 'BTC%2FUSD']) {
      const r = await fetch(`${srv.url}/api/book/${spelling}`);
      expect([spelling, r.status]).toEqual([spelling, 200]);
      const body = (await r.json()) as ConsolidatedBookEvent;
      expect(API_SCHEMAS['/api/book/:symbol'].safeParse(body).success).toBe(true);
      // The touch, from the venue books themselves.
      const bid = Math.max(binance.book.bestBid * USDT, kraken.book.bestBid);
      const ask = Math.min(binance.book.bestAsk * USDT, kraken.book.bestAsk);
      expect(body.bestBid).toBeCloseTo(bid, 9);
      expect(body.bestAsk).toBeCloseTo(ask, 9);
      expect(body.bestBid as number).toBeLessThan(body.bestAsk as number);
      expect(body.venues.map((v) => v.venue).sort()).toEqual(['binance', 'kraken']);
      // Every consolidated level is the sum of the venue sizes it names.
      for (const l of [...body.bids, ...body.asks])
        expect(l.size).toBeCloseTo(
          l.venues.reduce((s, v) => s + v.size, 0),
          12,
        );
    }
    expect((await fetch(`${srv.url}/api/book/DOGE-USD`)).status).toBe(404);
    const none = await fetch(`${srv.url}/api/book/ETH-USD`);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: string }).error).toContain('no book for ETH-USD');
  });

  it('the book channel: a snapshot on subscribe, then the updates of the subscribed symbols, schema-valid', async () => {
    const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/ws`);
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as Record<string, unknown>));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'book', symbols: ['btc-usd'] }));
    await collect(ws, messages, () => messages.some((m) => m.type === 'snapshot'));
    const snap = messages.find((m) => m.type === 'snapshot') as { channel: string; items: ConsolidatedBookEvent[] };
    expect(snap.channel).toBe('book');
    expect(snap.items.map((i) => i.symbol)).toEqual(['BTC-USD']);
    // The book moves: Kraken's best bid lifts above everyone's.
    kraken.book.set(true, 60_100, 0.7);
    kraken.book.set(false, 60_102, 0.3);
    stage.onBook(kraken);
    publish();
    await collect(ws, messages, () => messages.some((m) => m.channel === 'book' && m.type === 'consolidated_book'));
    const update = messages.find((m) => m.channel === 'book' && m.type === 'consolidated_book') as Record<string, unknown>;
    const { channel: _c, ...event } = update;
    expect(API_SCHEMAS['ws:book'].safeParse(event).error).toBeUndefined();
    expect(event.bestBid).toBe(60_100);
    expect((event.bids as ConsolidatedBookEvent['bids'])[0]?.venues).toEqual([{ venue: 'kraken', size: 0.7 }]);
    // A channel name that is not one is refused by the schema, the socket kept.
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'book:1m' }));
    await collect(ws, messages, () => messages.some((m) => m.type === 'error'));
    expect(String(messages.find((m) => m.type === 'error')?.error)).toContain('book');
    ws.close();
  });

  it('documents the route and the channel at /api/schema', async () => {
    const schema = (await (await fetch(`${srv.url}/api/schema`)).json()) as { description: string; schemas: Record<string, unknown> };
    expect(Object.keys(schema.schemas)).toEqual(expect.arrayContaining(['ws:book', '/api/book/:symbol']));
    expect(schema.description).toContain('/api/book/:symbol');
  });
});
