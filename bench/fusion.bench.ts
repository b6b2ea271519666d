import type { Quote } from '../src/core/market.ts';
import { Rng } from '../src/core/random.ts';
import { meanAggregate, medianAggregate, type Observation, pythAggregate } from '../src/fusion/baselines.ts';
import { FusionEngine } from '../src/fusion/engine.ts';

const VENUES = ['binance', 'coinbase', 'kraken', 'bitstamp', 'okx'];
const INSTRUMENTS = 10;
const N = 1_000_000;

/** Pre-built quotes (so the timing is fusion alone): 5 venues × 10 instruments, random walks. */
function quotes(): Quote[] {
  const rng = new Rng(7);
  const mids = Array.from({ length: INSTRUMENTS }, (_, i) => 100 * (i + 1));
  const out: Quote[] = new Array(N);
  for (let k = 0; k < N; k++) {
    const i = k % INSTRUMENTS;
    const v = Math.floor(k / INSTRUMENTS) % VENUES.length;
    const m = (mids[i] as number) * (1 + 1e-4 * rng.normal());
    mids[i] = m;
    const noisy = m * (1 + 2e-4 * rng.normal());
    const venue = VENUES[v] as string;
    const symbol = `I${i}-${venue === 'binance' || venue === 'okx' ? 'USDT' : 'USD'}`;
    out[k] = { type: 'quote', venue, symbol, ts: k, recvTs: k + 20, bid: noisy - 0.01, bidSize: 1, ask: noisy + 0.01, askSize: 1 };
  }
  return out;
}

function rate(n: number, ms: number): string {
  return `${Math.round(n / (ms / 1000)).toLocaleString('en-US')}/s`;
}

/** Best of three runs of `fn` over the quotes, ms. */
function best(fn: () => void): number {
  let b = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    fn();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

export default async function run(): Promise<void> {
  const qs = quotes();
  const ours = best(() => {
    const e = new FusionEngine();
    for (const q of qs) e.onRecord(q);
  });
  // Peers: the textbook aggregators, fed the same quotes; each keeps the latest observation per
  // venue and instrument and recomputes on every update, as the engine does.
  const peer = (agg: (obs: readonly Observation[], now: number, maxAge: number) => unknown): number =>
    best(() => {
      const books = new Map<string, Map<string, Observation>>();
      for (const q of qs) {
        const inst = q.symbol.replace(/-USDT?$/, '');
        let b = books.get(inst);
        if (!b) books.set(inst, (b = new Map()));
        b.set(q.venue, { price: (q.bid + q.ask) / 2, conf: (q.ask - q.bid) / 2, lastRecv: q.recvTs });
        agg([...b.values()], q.recvTs, 5000);
      }
    });
  const mean = peer(meanAggregate);
  const median = peer(medianAggregate);
  const pyth = peer(pythAggregate);
  console.log(
    `fusion: ${N.toLocaleString('en-US')} quote updates, ${VENUES.length} venues × ${INSTRUMENTS} instruments (2 on USDT), best of 3`,
  );
  console.log('| method | time (ms) | updates/s | vs engine |');
  console.log('|---|---|---|---|');
  for (const [name, ms] of [
    ['engine (harmonize + quality + outliers + Kalman)', ours],
    ['mean (baseline)', mean],
    ['median (baseline)', median],
    ['pyth-style (baseline)', pyth],
  ] as const) {
    console.log(`| ${name} | ${ms.toFixed(0)} | ${rate(N, ms)} | ${(ms / ours).toFixed(2)}× time |`);
  }
  console.log('target: engine ≥ 500,000 updates/s');
}
