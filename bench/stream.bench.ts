import type { MarketRecord } from '../src/core/market.ts';
import { Rng } from '../src/core/random.ts';
import { serverCodecFor } from '../src/sources/loopback/index.ts';
import { LocalVenueServer } from '../src/sources/loopback/local-venue-server.ts';
import { protocolFor, VENUE_PROTOCOLS } from '../src/sources/venues/index.ts';
import { VenueConnection } from '../src/stream/connection.ts';

const PAIR: Record<string, string> = { binance: 'BTC-USDT', coinbase: 'BTC-USD', kraken: 'BTC-USD', bitstamp: 'BTC-USD', okx: 'BTC-USDT' };

function records(venue: string, n: number): MarketRecord[] {
  const rng = new Rng(3);
  const out: MarketRecord[] = [];
  let p = 60_000;
  for (let i = 0; i < n; i++) {
    p *= 1 + 1e-4 * rng.normal();
    const ts = 1_700_000_000_000 + i;
    const symbol = PAIR[venue] as string;
    out.push(
      i % 2
        ? {
            type: 'trade',
            venue,
            symbol,
            ts,
            recvTs: ts,
            price: Math.round(p * 100) / 100,
            size: 0.01 + rng.next(),
            side: i % 4 === 1 ? 'buy' : 'sell',
            id: String(i),
          }
        : {
            type: 'quote',
            venue,
            symbol,
            ts,
            recvTs: ts,
            bid: Math.round(p * 100) / 100,
            bidSize: rng.next(),
            ask: Math.round(p * 100) / 100 + 0.01,
            askSize: rng.next(),
          },
    );
  }
  return out;
}

const pct = (xs: number[], q: number): number => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;

/** Parse throughput per venue on one core: pre-encoded frames in each venue's wire format. */
function parseThroughput(): void {
  console.log('stream: frames parsed and normalized per second, one core (200,000 frames per venue, half trades, half quotes, best of 3)');
  console.log('| venue | frames/s | µs/frame |');
  console.log('|---|---|---|');
  for (const venue of Object.keys(VENUE_PROTOCOLS)) {
    const server = serverCodecFor(venue);
    const frames = records(venue, 200_000).map((r, i) => server.encode(r, i));
    let best = Number.POSITIVE_INFINITY;
    for (let k = 0; k < 3; k++) {
      const codec = protocolFor(venue);
      const out: MarketRecord[] = [];
      const t0 = performance.now();
      for (const f of frames) {
        out.length = 0;
        codec.parse(f, 0, out, []);
      }
      best = Math.min(best, performance.now() - t0);
    }
    console.log(
      `| ${venue} | ${Math.round(frames.length / (best / 1000)).toLocaleString('en-US')} | ${((best * 1000) / frames.length).toFixed(2)} |`,
    );
  }
}

/** Local server send → normalized record in the client, at a paced rate over a real socket. */
export async function socketLatency(venue: string, ratePerSec: number, seconds: number): Promise<number[]> {
  const server = await LocalVenueServer.start({ venue });
  const symbol = PAIR[venue] as string;
  const conn = new VenueConnection(protocolFor(venue), {
    url: server.url,
    subscriptions: [
      { symbol, channel: 'trades' },
      { symbol, channel: 'quotes' },
    ],
  });
  const n = ratePerSec * seconds;
  const sent = new Float64Array(n);
  const lat: number[] = [];
  conn.onRecord((r) => {
    if (r.type === 'trade' && r.id !== null) lat.push(performance.now() - (sent[Number(r.id)] as number));
  });
  conn.start();
  while (server.subscriptions().length < 2) await new Promise((r) => setTimeout(r, 5));
  const recs = records(venue, n).map((r, i) =>
    r.type === 'trade' ? r : { ...r, type: 'trade' as const, price: r.bid, size: 1, side: 'buy' as const, id: String(i) },
  );
  const t0 = performance.now();
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(n, Math.floor(((performance.now() - t0) / 1000) * ratePerSec));
      for (; i < due; i++) {
        sent[i] = performance.now();
        server.publish(recs[i] as MarketRecord);
      }
      if (i >= n) resolve();
      else setImmediate(tick);
    };
    tick();
  });
  const end = Date.now() + 2000;
  while (lat.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  await conn.stop();
  await server.close();
  return lat.sort((a, b) => a - b);
}

export default async function run(): Promise<void> {
  parseThroughput();
  console.log(
    '\nstream: latency from the local venue server sending a frame to the normalized record in the client (real loopback socket, 10,000 msgs/s for 3 s)',
  );
  console.log('| venue | received | p50 (ms) | p99 (ms) | max (ms) |');
  console.log('|---|---|---|---|---|');
  for (const venue of Object.keys(VENUE_PROTOCOLS)) {
    const lat = await socketLatency(venue, 10_000, 3);
    console.log(
      `| ${venue} | ${lat.length} | ${pct(lat, 0.5).toFixed(3)} | ${pct(lat, 0.99).toFixed(3)} | ${(lat[lat.length - 1] ?? Number.NaN).toFixed(3)} |`,
    );
  }
  console.log('targets: ≥ 100k frames/s per venue; p99 < 5 ms at 10k msgs/s');
}
