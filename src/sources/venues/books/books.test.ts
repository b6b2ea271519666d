import { describe, expect, it } from 'vitest';
import type { BookEvent, BookGapEvent, BookView } from '../../../core/events.ts';
import { OrderBook } from '../../../stream/book.ts';
import { BinanceBookCodec } from '../binance/book.ts';
import { BitstampBookCodec } from '../bitstamp/book.ts';
import { CoinbaseBookCodec } from '../coinbase/book.ts';
import { checksumToken, KrakenBookCodec, krakenChecksum } from '../kraken/book.ts';
import { OkxBookCodec } from '../okx/book.ts';
import type { BookCodec } from './book-state.ts';
import { crc32 } from './crc32.ts';

/** Feeds frames in order, returning every event and each frame's outcome kind. */
function feed(codec: BookCodec, frames: readonly unknown[]): { events: BookEvent[]; kinds: string[] } {
  const events: BookEvent[] = [];
  const kinds: string[] = [];
  let t = 1_000;
  for (const f of frames) kinds.push(codec.parse(typeof f === 'string' ? f : JSON.stringify(f), t++, events).kind);
  return { events, kinds };
}
const views = (e: BookEvent[]): BookView[] => e.filter((x): x is BookView => x.type === 'book');
const gaps = (e: BookEvent[]): BookGapEvent[] => e.filter((x): x is BookGapEvent => x.type === 'book_gap');

// Kraken's documented v2 checksum example ("Book checksum (WebSocket v2)"): BTC/USD, 10 levels a
// side, checksum 3310070434. The same figure comes out of Python's zlib.crc32 over the documented
// string (scripted check, not this code), which also gave 2416826059 for the update below.
const KRAKEN_BIDS: [number, number][] = [
  [45283.5, 0.1],
  [45283.4, 1.54582015],
  [45282.1, 0.1],
  [45281.0, 0.1],
  [45280.3, 1.54592586],
  [45279.0, 0.0799],
  [45277.6, 0.03310103],
  [45277.5, 0.3],
  [45277.3, 1.54602737],
  [45276.6, 0.15445238],
];
const KRAKEN_ASKS: [number, number][] = [
  [45285.2, 0.001],
  [45286.4, 1.54571953],
  [45286.6, 1.54571109],
  [45289.6, 1.54560911],
  [45290.2, 0.1589066],
  [45291.8, 1.54553491],
  [45294.7, 0.04454749],
  [45296.1, 0.3538],
  [45297.5, 0.09945542],
  [45299.5, 0.18772827],
];
const obj = (l: [number, number][]) => l.map(([price, qty]) => ({ price, qty }));
const krakenSnapshot = (checksum = 3310070434) => ({
  channel: 'book',
  type: 'snapshot',
  data: [{ symbol: 'BTC/USD', bids: obj(KRAKEN_BIDS), asks: obj(KRAKEN_ASKS), checksum }],
});
const krakenUpdate = (checksum: number) => ({
  channel: 'book',
  type: 'update',
  data: [
    {
      symbol: 'BTC/USD',
      bids: [{ price: 45283.5, qty: 0 }],
      asks: [{ price: 45285.0, qty: 0.5 }],
      checksum,
      timestamp: '2023-10-06T17:35:55.440295Z',
    },
  ],
});

describe('CRC32 and Kraken checksum tokens', () => {
  it('matches the standard check value and the documented token examples', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    // From Kraken's guide: "45285.2" → "452852", "0.00100000" → "100000"; v1's "0.05000" → "5000".
    expect(checksumToken(45285.2, 1)).toBe('452852');
    expect(checksumToken(0.001, 8)).toBe('100000');
    expect(checksumToken(0.05, 5)).toBe('5000');
    expect(checksumToken(0, 8)).toBe('0');
  });

  it("reproduces the documented example's checksum 3310070434", () => {
    const b = new OrderBook();
    for (const [p, q] of KRAKEN_BIDS) b.set(true, p, q);
    for (const [p, q] of KRAKEN_ASKS) b.set(false, p, q);
    expect(krakenChecksum(b.bids, b.asks, 1, 8)).toBe(3310070434);
  });
});

describe('Kraken v2 book', () => {
  it('applies the documented snapshot and a checked update (field by field), truncating to depth 10', () => {
    const c = new KrakenBookCodec();
    const { events, kinds } = feed(c, [krakenSnapshot(), krakenUpdate(2416826059)]);
    expect(kinds).toEqual(['data', 'data']);
    expect(gaps(events)).toEqual([]);
    const [snap, upd] = views(events);
    expect(snap).toMatchObject({ type: 'book', venue: 'kraken', symbol: 'BTC-USD', ts: null, recvTs: 1000 });
    expect(snap?.bids).toEqual(KRAKEN_BIDS);
    expect(snap?.asks).toEqual(KRAKEN_ASKS);
    expect(upd?.ts).toBe(Date.parse('2023-10-06T17:35:55.440Z') + 0.295);
    expect(upd?.bids).toEqual(KRAKEN_BIDS.slice(1));
    // The new best ask enters, the 11th ask (45299.5) falls out of the depth-10 book.
    expect(upd?.asks).toEqual([[45285.0, 0.5], ...KRAKEN_ASKS.slice(0, 9)]);
    expect(c.counts).toMatchObject({ snapshots: 1, updates: 1, gaps: { checksum: 0 } });
  });

  it('a bad checksum: gap, updates skipped, resync from the next snapshot', () => {
    const c = new KrakenBookCodec();
    const { events } = feed(c, [krakenSnapshot(), krakenUpdate(12345), krakenUpdate(2416826059), krakenSnapshot()]);
    const g = gaps(events);
    expect(g).toHaveLength(1);
    expect(g[0]).toMatchObject({ venue: 'kraken', symbol: 'BTC-USD', reason: 'checksum', expected: 12345, received: 2416826059 });
    expect(views(events)).toHaveLength(2); // the first snapshot and the resync; the update while out of sync is skipped
    expect(c.counts.skipped).toBe(1);
    expect(c.isLive('BTC-USD')).toBe(true);
    expect(c.resyncFrames('BTC-USD').map((f) => JSON.parse(f).method)).toEqual(['unsubscribe', 'subscribe']);
  });

  it('a wrong snapshot checksum is a gap too', () => {
    const c = new KrakenBookCodec();
    const { events } = feed(c, [krakenSnapshot(1)]);
    expect(gaps(events)[0]?.reason).toBe('checksum');
    expect(c.isLive('BTC-USD')).toBe(false);
  });

  it('takes precision from the instrument channel over the built-in table', () => {
    const c = new KrakenBookCodec();
    // A (made-up) pair not in the table: without its precision the checksum cannot be checked.
    const snap = {
      channel: 'book',
      type: 'snapshot',
      data: [{ symbol: 'ABC/USD', bids: [{ price: 1.5, qty: 2 }], asks: [{ price: 1.6, qty: 3 }], checksum: 0 }],
    };
    feed(c, [snap]);
    expect(c.unchecked).toBe(1);
    const tokens = '16' + '3000' + '15' + '2000'; // price precision 1, qty precision 3
    const inst = {
      channel: 'instrument',
      type: 'snapshot',
      data: { assets: [], pairs: [{ symbol: 'ABC/USD', price_precision: 1, qty_precision: 3 }] },
    };
    const { events } = feed(c, [inst, { ...snap, data: [{ ...snap.data[0], checksum: crc32(tokens) }] }]);
    expect(gaps(events)).toEqual([]);
    expect(c.unchecked).toBe(1);
  });

  it("learns a pair's precision from its snapshot's checksum when the table is wrong, then keeps checking", () => {
    const c = new KrakenBookCodec();
    // As if ETH/USD quantities had 5 decimals, not the table's 8: tokens built by hand.
    const frame = (type: string, bidQty: number, checksum: number) => ({
      channel: 'book',
      type,
      data: [{ symbol: 'ETH/USD', bids: [{ price: 3000.05, qty: bidQty }], asks: [{ price: 3000.1, qty: 0.25 }], checksum }],
    });
    const { events } = feed(c, [
      frame('snapshot', 1.5, crc32('30001025000' + '300005150000')),
      frame('update', 2, crc32('30001025000' + '300005200000')),
      frame('update', 3, crc32('30001025000000' + '300005300000000')), // the table's 8 decimals: wrong now
    ]);
    expect(views(events)).toHaveLength(2);
    expect(gaps(events)).toEqual([expect.objectContaining({ reason: 'checksum', symbol: 'ETH-USD' })]);
    expect(c.unchecked).toBe(0);
  });

  it('bad input is counted and never throws', () => {
    const c = new KrakenBookCodec();
    const { events, kinds } = feed(c, [
      'not json',
      { channel: 'book', type: 'update', data: 'x' },
      { channel: 'book', type: 'snapshot', data: [{ symbol: 'BTC/USD', bids: [{ price: 1, qty: -1 }], asks: [] }] },
      { channel: 'trade', data: [] },
    ]);
    expect(kinds).toEqual(['ignored', 'error', 'data', 'ignored']);
    expect(gaps(events)[0]?.reason).toBe('invalid');
    expect(c.counts.errors).toBe(1);
  });
});

const depth = (U: number, u: number, b: [string, string][], a: [string, string][] = []) => ({
  e: 'depthUpdate',
  E: 1_700_000_000_000 + u,
  s: 'BTCUSDT',
  U,
  u,
  b,
  a,
});

describe('Binance diff depth', () => {
  it('buffers, applies the REST snapshot, drops old events, continues in sequence', () => {
    const c = new BinanceBookCodec();
    const { events } = feed(c, [
      depth(95, 100, [['99.0', '1']]), // fully inside the snapshot: dropped
      depth(101, 103, [['99.5', '2']], [['101.0', '1']]), // straddles lastUpdateId 102: applied
      {
        lastUpdateId: 102,
        bids: [
          ['99.0', '1.0'],
          ['98.0', '4.0'],
        ],
        asks: [['100.5', '3.0']],
      },
      depth(104, 105, [['98.0', '0']], [['100.5', '0.5']]),
      depth(104, 105, [['97.0', '9']]), // repeated: u <= book id, ignored
    ]);
    expect(gaps(events)).toEqual([]);
    const v = views(events);
    expect(v.map((x) => x.bids)).toEqual([
      [
        [99, 1],
        [98, 4],
      ],
      [
        [99.5, 2],
        [99, 1],
        [98, 4],
      ],
      [
        [99.5, 2],
        [99, 1],
      ],
    ]);
    expect(v[2]?.asks).toEqual([
      [100.5, 0.5],
      [101, 1],
    ]);
    expect(v[1]).toMatchObject({ venue: 'binance', symbol: 'BTC-USDT', ts: 1_700_000_000_103 });
    expect(c.counts.skipped).toBe(1);
  });

  it('a delete of a level the book does not hold is counted, not a resync (normal on Binance)', () => {
    const c = new BinanceBookCodec();
    const { events } = feed(c, [
      { lastUpdateId: 1, symbol: 'BTCUSDT', bids: [['99', '1']], asks: [['101', '1']] },
      depth(2, 2, [['98', '0']]),
    ]);
    expect(gaps(events)).toEqual([]);
    expect(c.counts.unknownDeletes).toBe(1);
    expect(c.isLive('BTC-USDT')).toBe(true);
  });

  it('a missed update id: sequence gap, buffered again, resync from the next snapshot', () => {
    const c = new BinanceBookCodec();
    const { events } = feed(c, [
      { lastUpdateId: 10, bids: [['99', '1']], asks: [['101', '1']], symbol: 'BTCUSDT' },
      depth(11, 12, [['99', '2']]),
      depth(15, 16, [['99', '3']]), // 13, 14 missed
      depth(17, 18, [['98', '1']]),
      { lastUpdateId: 16, bids: [['99', '3']], asks: [['101', '1']] },
    ]);
    const g = gaps(events);
    expect(g).toEqual([expect.objectContaining({ reason: 'sequence', expected: 13, received: 15, symbol: 'BTC-USDT' })]);
    const v = views(events);
    expect(v.at(-1)?.bids).toEqual([
      [99, 3],
      [98, 1],
    ]);
    expect(c.isLive('BTC-USDT')).toBe(true);
  });

  it('a snapshot older than the buffered stream asks for another', () => {
    const c = new BinanceBookCodec();
    const { events } = feed(c, [depth(50, 52, []), { lastUpdateId: 40, bids: [], asks: [] }]);
    expect(gaps(events)[0]).toMatchObject({ reason: 'sequence', expected: 41, received: 50 });
    expect(c.awaitingSnapshot()).toEqual(['BTC-USDT']);
  });

  it("Binance's documented diff event (BNBBTC, U 157, u 160), on a snapshot at id 158", () => {
    const c = new BinanceBookCodec();
    const { events } = feed(c, [
      '{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}',
      { lastUpdateId: 158, bids: [['0.0023', '5']], asks: [['0.0027', '7']] },
    ]);
    expect(gaps(events)).toEqual([]);
    expect(views(events)[1]).toEqual({
      type: 'book',
      venue: 'binance',
      symbol: 'BNB-BTC',
      ts: 1672515782136,
      recvTs: 1000,
      bids: [
        [0.0024, 10],
        [0.0023, 5],
      ],
      asks: [
        [0.0026, 100],
        [0.0027, 7],
      ],
    });
  });

  it('futures streams chain by pu', () => {
    const c = new BinanceBookCodec();
    const f = (U: number, u: number, pu: number, qty: string) => ({
      e: 'depthUpdate',
      E: u,
      s: 'BTCUSDT',
      U,
      u,
      pu,
      b: [['99', qty]],
      a: [],
    });
    const { events } = feed(c, [
      { lastUpdateId: 100, symbol: 'BTCUSDT', bids: [['99', '1']], asks: [['101', '1']] },
      f(95, 105, 90, '2'), // straddles the snapshot: applied
      f(112, 120, 105, '3'), // ids jump, pu chains: applied
      f(130, 140, 125, '4'), // pu names an event never seen: gap
    ]);
    expect(views(events).map((v) => v.bids[0]?.[1])).toEqual([1, 2, 3]);
    expect(gaps(events)).toEqual([expect.objectContaining({ reason: 'sequence', expected: 120, received: 125 })]);
  });

  it('a crossed book is invalid and resyncs', () => {
    const c = new BinanceBookCodec();
    const { events } = feed(c, [
      { lastUpdateId: 1, bids: [['99', '1']], asks: [['101', '1']], symbol: 'BTCUSDT' },
      depth(2, 2, [['102', '1']]),
    ]);
    expect(gaps(events)[0]).toMatchObject({ reason: 'invalid' });
    expect(c.isLive('BTC-USDT')).toBe(false);
  });
});

const okx = (action: string, seqId: number, prevSeqId: number, bids: string[][], asks: string[][] = []) => ({
  arg: { channel: 'books', instId: 'BTC-USDT' },
  action,
  data: [{ asks, bids, ts: '1597026383085', checksum: 0, seqId, prevSeqId }],
});

describe('OKX books', () => {
  it('chains prevSeqId to seqId; a keep-alive keeps the chain and prints nothing', () => {
    const c = new OkxBookCodec();
    const { events } = feed(c, [
      okx('snapshot', 100, -1, [['8476.97', '256', '0', '12']], [['8476.98', '415', '0', '13']]),
      okx('update', 107, 100, [
        ['8476.97', '0', '0', '0'],
        ['8476.5', '10', '0', '1'],
      ]),
      okx('update', 107, 107, []),
      okx('update', 3, 107, [], [['8477', '1', '0', '1']]), // seqId reset after maintenance: still chained
    ]);
    expect(gaps(events)).toEqual([]);
    const v = views(events);
    expect(v).toHaveLength(3);
    expect(v[1]).toMatchObject({ venue: 'okx', symbol: 'BTC-USDT', ts: 1597026383085, bids: [[8476.5, 10]], asks: [[8476.98, 415]] });
    expect(v[2]?.asks).toEqual([
      [8476.98, 415],
      [8477, 1],
    ]);
  });

  it('a broken chain: sequence gap, resync from the next snapshot', () => {
    const c = new OkxBookCodec();
    const { events } = feed(c, [
      okx('snapshot', 100, -1, [['10', '1']], [['11', '1']]),
      okx('update', 120, 110, [['10', '2']]),
      okx('update', 130, 120, [['10', '3']]),
      okx('snapshot', 200, -1, [['10', '5']], [['11', '1']]),
    ]);
    expect(gaps(events)).toEqual([expect.objectContaining({ reason: 'sequence', expected: 100, received: 110 })]);
    expect(views(events).map((v) => v.bids)).toEqual([[[10, 1]], [[10, 5]]]);
  });
});

const cb = (seq: number, type: string, updates: [string, string, string][]) => ({
  channel: 'l2_data',
  client_id: '',
  timestamp: '2023-02-09T20:32:50.714964855Z',
  sequence_num: seq,
  events: [
    {
      type,
      product_id: 'BTC-USD',
      updates: updates.map(([side, price_level, new_quantity]) => ({
        side,
        event_time: '2023-02-09T20:32:50.7Z',
        price_level,
        new_quantity,
      })),
    },
  ],
});

describe('Coinbase level2', () => {
  it('snapshot then updates by sequence_num (heartbeats count too)', () => {
    const c = new CoinbaseBookCodec();
    const { events, kinds } = feed(c, [
      { channel: 'subscriptions', sequence_num: 0, events: [] },
      cb(1, 'snapshot', [
        ['bid', '21921.73', '0.06317902'],
        ['bid', '21921.3', '0.002'],
        ['offer', '21921.74', '0.5'],
      ]),
      { channel: 'heartbeats', sequence_num: 2, events: [] },
      cb(3, 'update', [
        ['bid', '21921.73', '0'],
        ['offer', '21921.75', '1.25'],
      ]),
    ]);
    expect(kinds).toEqual(['ignored', 'data', 'ignored', 'data']);
    expect(gaps(events)).toEqual([]);
    const v = views(events);
    expect(v[1]).toMatchObject({ venue: 'coinbase', symbol: 'BTC-USD', bids: [[21921.3, 0.002]] });
    expect(v[1]?.asks).toEqual([
      [21921.74, 0.5],
      [21921.75, 1.25],
    ]);
    expect(v[1]?.ts).toBeCloseTo(Date.parse('2023-02-09T20:32:50.714Z') + 0.964855, 3);
  });

  it('a skipped sequence_num: every book gaps, resync from the next snapshot', () => {
    const c = new CoinbaseBookCodec();
    const { events } = feed(c, [
      cb(0, 'snapshot', [
        ['bid', '10', '1'],
        ['offer', '11', '1'],
      ]),
      cb(2, 'update', [['bid', '10', '2']]),
      cb(3, 'snapshot', [
        ['bid', '10', '4'],
        ['offer', '11', '1'],
      ]),
    ]);
    expect(gaps(events)).toEqual([expect.objectContaining({ reason: 'sequence', expected: 1, received: 2, symbol: 'BTC-USD' })]);
    expect(views(events).map((v) => v.bids)).toEqual([[[10, 1]], [[10, 4]]]);
    expect(c.counts.skipped).toBe(1);
  });
});

const diff = (micros: number, bids: string[][], asks: string[][] = []) => ({
  event: 'data',
  channel: 'diff_order_book_btcusd',
  data: { timestamp: String(Math.floor(micros / 1e6)), microtimestamp: String(micros), bids, asks },
});

describe('Coinbase level2, a new connection', () => {
  it('sequence_num starting again is not a gap; books wait for the new snapshots', () => {
    const c = new CoinbaseBookCodec();
    const { events } = feed(c, [
      cb(5, 'snapshot', [
        ['bid', '10', '1'],
        ['offer', '11', '1'],
      ]),
      cb(0, 'update', [['bid', '10', '2']]),
      cb(1, 'snapshot', [
        ['bid', '10', '3'],
        ['offer', '11', '1'],
      ]),
      cb(3, 'update', [['bid', '10', '4']]),
    ]);
    expect(gaps(events)).toEqual([expect.objectContaining({ reason: 'sequence', expected: 2, received: 3 })]);
    expect(views(events).map((v) => v.bids)).toEqual([[[10, 1]], [[10, 3]]]);
  });
});

describe('Bitstamp diff_order_book', () => {
  it('buffers diffs, applies the REST snapshot, drops diffs it contains, continues by time', () => {
    const c = new BitstampBookCodec();
    const { events } = feed(c, [
      { event: 'bts:subscription_succeeded', channel: 'diff_order_book_btcusd', data: {} },
      diff(1_000, [['100', '5']]), // contained in the snapshot
      diff(3_000, [['100', '0']], [['102', '2']]),
      {
        timestamp: '0',
        microtimestamp: '2000',
        bids: [
          ['100', '5'],
          ['99', '1'],
        ],
        asks: [['101', '1']],
      },
      diff(4_000, [['99.5', '0.25']]),
    ]);
    expect(gaps(events)).toEqual([]);
    const v = views(events);
    expect(v).toHaveLength(3);
    expect(v[2]).toMatchObject({ venue: 'bitstamp', symbol: 'BTC-USD', ts: 4 });
    expect(v[2]?.bids).toEqual([
      [99.5, 0.25],
      [99, 1],
    ]);
    expect(v[2]?.asks).toEqual([
      [101, 1],
      [102, 2],
    ]);
    expect(c.counts.skipped).toBe(1);
  });

  it('an order_book_ message starts the book too, and the diffs buffered before it that are newer apply', () => {
    const c = new BitstampBookCodec();
    const { events } = feed(c, [
      diff(1_000, [['100', '9']]), // older than the whole book: contained in it
      diff(3_000, [['99', '2']]),
      { event: 'data', channel: 'order_book_btcusd', data: { microtimestamp: '2000', bids: [['100', '1']], asks: [['101', '1']] } },
    ]);
    expect(views(events).map((v) => v.bids)).toEqual([
      [[100, 1]],
      [
        [100, 1],
        [99, 2],
      ],
    ]);
    expect(c.counts.skipped).toBe(1);
  });

  it('a diff out of time order is a sequence gap; order_book_ messages resync', () => {
    const c = new BitstampBookCodec();
    const { events } = feed(c, [
      { event: 'data', channel: 'order_book_btcusd', data: { microtimestamp: '5000', bids: [['100', '1']], asks: [['101', '1']] } },
      diff(6_000, [['100', '2']]),
      diff(5_500, [['100', '5']]), // older than the diff applied before it
      { event: 'data', channel: 'order_book_btcusd', data: { microtimestamp: '7000', bids: [['100', '3']], asks: [['101', '1']] } },
      diff(8_000, [['100', '4']]),
    ]);
    expect(gaps(events)).toEqual([expect.objectContaining({ reason: 'sequence', expected: 6000, received: 5500 })]);
    expect(views(events).map((v) => v.bids)).toEqual([[[100, 1]], [[100, 2]], [[100, 3]], [[100, 4]]]);
  });

  it('a diff the REST snapshot contains, delivered after it, is dropped, not out of order', () => {
    // The REST answer and the socket are not ordered: the server may take the snapshot after
    // sending a diff the client has not read yet (the loopback server's did, under CPU load).
    const c = new BitstampBookCodec();
    const { events } = feed(c, [
      diff(3_000, [['100', '5']]), // buffered, contained in the snapshot
      { timestamp: '0', microtimestamp: '5001', bids: [['100', '6']], asks: [['101', '1']] },
      diff(5_000, [['100', '6']]), // sent before the snapshot was taken, read after it
      diff(6_000, [['100', '7']]),
      diff(5_500, [['100', '8']]), // after a diff newer than the snapshot: out of order
    ]);
    expect(gaps(events)).toEqual([expect.objectContaining({ reason: 'sequence', expected: 6000, received: 5500 })]);
    expect(views(events).map((v) => v.bids)).toEqual([[[100, 6]], [[100, 7]]]);
    expect(c.counts.skipped).toBe(2);
  });
});

describe('book codecs under garbage (fuzz)', () => {
  // Valid frames of each venue, then mutated: fields dropped, values replaced by other types,
  // negative or huge numbers, frames reordered and repeated. Nothing may throw, and a book that
  // says it is live must be well-formed: sorted best first, positive sizes, not crossed.
  const valid: Record<string, { make: () => BookCodec; symbol: string; frames: unknown[] }> = {
    kraken: { make: () => new KrakenBookCodec(), symbol: 'BTC-USD', frames: [krakenSnapshot(), krakenUpdate(2416826059), krakenUpdate(1)] },
    binance: {
      make: () => new BinanceBookCodec(),
      symbol: 'BTC-USDT',
      frames: [
        depth(101, 103, [['99.5', '2']]),
        { lastUpdateId: 102, bids: [['99', '1']], asks: [['100.5', '3']] },
        depth(104, 105, [['98', '1']], [['100.5', '0']]),
      ],
    },
    okx: {
      make: () => new OkxBookCodec(),
      symbol: 'BTC-USDT',
      frames: [
        okx('snapshot', 1, -1, [['10', '1']], [['11', '1']]),
        okx('update', 2, 1, [['10.5', '1']]),
        okx('update', 3, 2, [], [['10.6', '2']]),
      ],
    },
    coinbase: {
      make: () => new CoinbaseBookCodec(),
      symbol: 'BTC-USD',
      frames: [
        cb(0, 'snapshot', [
          ['bid', '10', '1'],
          ['offer', '11', '1'],
        ]),
        cb(1, 'update', [['bid', '10.5', '1']]),
        cb(2, 'update', [['offer', '10.6', '1']]),
      ],
    },
    bitstamp: {
      make: () => new BitstampBookCodec(),
      symbol: 'BTC-USD',
      frames: [
        diff(1_000, [['10', '1']]),
        { microtimestamp: '500', bids: [['9', '1']], asks: [['11', '1']] },
        diff(2_000, [], [['10.5', '1']]),
      ],
    },
  };
  const junk = [null, -1, 0, 1e308, Number.NaN, '', 'x', '-5', [], {}, [[]], [['1']], true];

  function mutate(v: unknown, r: () => number): unknown {
    if (Array.isArray(v)) return r() < 0.2 ? junk[Math.floor(r() * junk.length)] : v.map((x) => mutate(x, r));
    if (v !== null && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const u = r();
        if (u < 0.05) continue;
        o[k] = u < 0.15 ? junk[Math.floor(r() * junk.length)] : mutate(x, r);
      }
      return o;
    }
    if (typeof v === 'string' && r() < 0.1) return r() < 0.5 ? `-${v}` : `${v}9`;
    return v;
  }

  for (const [venue, spec] of Object.entries(valid)) {
    it(`${venue}: 600 mutated sequences, no throw, live books well-formed`, () => {
      let seed = 12345;
      const r = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      let checked = 0;
      for (let run = 0; run < 600; run++) {
        const codec = spec.make();
        const out: BookEvent[] = [];
        for (let k = 0; k < 8; k++) {
          const f = spec.frames[Math.floor(r() * spec.frames.length)];
          const u = r();
          // Half the frames intact, so books come live and the mutated ones hit live books.
          const text = u < 0.05 ? '{"bids":' : u < 0.5 ? JSON.stringify(f) : JSON.stringify(mutate(f, r));
          expect(() => codec.parse(text, k, out)).not.toThrow();
          const b = codec.book(spec.symbol);
          if (b === undefined || !codec.isLive(spec.symbol)) continue;
          checked++;
          let ok = !b.crossed();
          for (const s of [b.bids, b.asks])
            for (let i = 0; i < s.length; i++) {
              if (!(s.size(i) > 0)) ok = false;
              if (i > 0 && !(s.isBid ? s.price(i) < s.price(i - 1) : s.price(i) > s.price(i - 1))) ok = false;
            }
          expect(ok).toBe(true);
        }
      }
      // The mutations leave enough frames intact for books to be live and checked often.
      expect(checked).toBeGreaterThan(300);
    });
  }
});
