import type { BookEvent, ConsolidatedBookEvent } from '../src/core/events.ts';
import { Rng } from '../src/core/random.ts';
import { BookStage } from '../src/pipeline/book-stage.ts';
import { BinanceBookCodec } from '../src/sources/venues/binance/book.ts';
import { OrderBook } from '../src/stream/book.ts';

/**
 * Book updates per second on a 1,000-level book (target >= 500k/s per core): the bare model, then
 * whole Binance diff frames through the codec (JSON parse, sequencing, validation, optional top-10
 * view). Levels change where real books change: the distance from the touch is geometric (most
 * updates within a few ticks), and a quarter of updates delete a level
 * (the touch stays put: a crossed book would stop the codec, rightly).
 */
export default async function run(): Promise<void> {
  const N = 2_000_000;
  const rng = new Rng(7);
  const side = new Uint8Array(N);
  const price = new Float64Array(N);
  const size = new Float64Array(N);
  const mid = 60_000;
  for (let i = 0; i < N; i++) {
    const bid = rng.next() < 0.5;
    const dist = Math.floor(-Math.log(1 - rng.next()) * 40) + 1; // mean ~40 ticks from the touch
    side[i] = bid ? 1 : 0;
    price[i] = bid ? mid - dist * 0.1 : mid + dist * 0.1;
    size[i] = rng.next() < 0.25 ? 0 : Math.round(rng.next() * 1e6) / 1e6;
  }
  const fill = (b: OrderBook) => {
    for (let k = 1; k <= 1000; k++) {
      b.set(true, mid - k * 0.1, 1);
      b.set(false, mid + k * 0.1, 1);
    }
  };

  const runs: number[] = [];
  let levels = 0;
  for (let r = 0; r < 3; r++) {
    const book = new OrderBook(1000);
    fill(book);
    const t0 = performance.now();
    for (let i = 0; i < N; i++) book.set(side[i] === 1, price[i] as number, size[i] as number);
    runs.push(performance.now() - t0);
    levels = book.bids.length + book.asks.length;
  }
  const best = Math.min(...runs);
  console.log('book: OrderBook.set on a 1,000-level-per-side book (best of 3)');
  console.log(
    `  updates: ${N.toLocaleString('en-US')}  time: ${(best / 1000).toFixed(3)} s  rate: ${Math.round(N / (best / 1000)).toLocaleString('en-US')} updates/s  levels at end: ${levels}  (target: >= 500,000/s)`,
  );

  // Whole frames: 10 level changes per Binance diff event, as strings off the wire.
  const FRAMES = 50_000;
  const frames: string[] = new Array(FRAMES);
  for (let f = 0; f < FRAMES; f++) {
    const b: string[][] = [];
    const a: string[][] = [];
    for (let j = 0; j < 10; j++) {
      const i = f * 10 + j;
      (side[i] === 1 ? b : a).push([(price[i] as number).toFixed(2), (size[i] as number).toFixed(6)]);
    }
    frames[f] = JSON.stringify({ e: 'depthUpdate', E: f, s: 'BTCUSDT', U: f + 2, u: f + 2, b, a });
  }
  const snapshot = JSON.stringify({
    lastUpdateId: 1,
    symbol: 'BTCUSDT',
    bids: Array.from({ length: 1000 }, (_, k) => [(60_000 - (k + 1) * 0.1).toFixed(2), '1']),
    asks: Array.from({ length: 1000 }, (_, k) => [(60_000 + (k + 1) * 0.1).toFixed(2), '1']),
  });
  for (const topN of [0, 10]) {
    const times: number[] = [];
    let gaps = 0;
    for (let r = 0; r < 3; r++) {
      const codec = new BinanceBookCodec({ topN });
      const out: BookEvent[] = [];
      codec.parse(snapshot, 0, out);
      const t0 = performance.now();
      for (let f = 0; f < FRAMES; f++) {
        out.length = 0;
        codec.parse(frames[f] as string, f, out);
      }
      times.push(performance.now() - t0);
      gaps = codec.counts.gaps.sequence + codec.counts.gaps.invalid;
    }
    const t = Math.min(...times);
    console.log(
      `  Binance diff frames (10 levels each), ${topN ? 'with a top-10 view per frame' : 'no views'}: ${Math.round((FRAMES * 10) / (t / 1000)).toLocaleString('en-US')} level updates/s, ${Math.round(FRAMES / (t / 1000)).toLocaleString('en-US')} frames/s (gaps: ${gaps})`,
    );
  }

  // The service's consolidated book: five venues' 20-level books (two USDT, as on the simulator)
  // merged into one event (50 levels a side, each venue's top 20, bands) and serialized.
  const venues = ['binance', 'coinbase', 'kraken', 'bitstamp', 'okx'].map((venue, v) => {
    const book = new OrderBook(1000);
    for (let k = 0; k < 20; k++) {
      book.set(true, mid - 0.5 * v - (k + 1) * 6, 0.1 + rng.next());
      book.set(false, mid + 0.5 * v + (k + 1) * 6, 0.1 + rng.next());
    }
    return { venue, pair: v % 4 === 0 ? 'BTC-USDT' : 'BTC-USD', book, live: () => true };
  });
  const stage = new BookStage(['BTC-USD'], (pair) => ({ symbol: 'BTC-USD', factor: pair.endsWith('USDT') ? 1.0002 : 1 }), { everyMs: 0 });
  const PUBLISHES = 20_000;
  let bytes = 0;
  let last: ConsolidatedBookEvent | undefined;
  const t0 = performance.now();
  for (let i = 0; i < PUBLISHES; i++) {
    for (const ref of venues) stage.onBook(ref);
    stage.flush(i + 1, (e) => {
      last = e;
    });
  }
  const buildMs = (performance.now() - t0) / PUBLISHES;
  const t1 = performance.now();
  for (let i = 0; i < 2000; i++) bytes = JSON.stringify(last).length;
  const jsonMs = (performance.now() - t1) / 2000;
  console.log(
    `  consolidated book event, five 20-level venue books: build ${(buildMs * 1000).toFixed(1)} µs, JSON ${(jsonMs * 1000).toFixed(1)} µs, ${bytes.toLocaleString('en-US')} bytes (the service publishes at most 4 a second per instrument)`,
  );
}
