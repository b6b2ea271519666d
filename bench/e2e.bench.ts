/**
 * End to end: venue socket → adapter → fusion → bars → analysis (indicators, regime) → bus →
 * API WebSocket → client, everything real, in one process. Five local venue servers send
 * quotes round-robin at a fixed total rate; a WebSocket client subscribed to `fused` measures,
 * per fused update, the time since the venue server sent the frame that produced it (the
 * adapter's receipt clock returns each frame's send time, so the fused `ts` is that instant).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Quote } from '../src/core/market.ts';
import { Rng } from '../src/core/random.ts';
import { parseConfig } from '../src/pipeline/config.ts';
import { LivePipeline } from '../src/pipeline/live-pipeline.ts';
import { defaultParts } from '../src/pipeline/parts.ts';
import { VenueConnections, venueSubscriptions } from '../src/pipeline/venue-sources.ts';
import { startServer } from '../src/server/server.ts';
import { protocolFor } from '../src/sources/venues/index.ts';
import { LocalVenueServer } from '../src/sources/venues/local-server.ts';
import { VenueConnection } from '../src/stream/connection.ts';

const VENUES: [string, string][] = [
  ['binance', 'BTC-USDT'],
  ['coinbase', 'BTC-USD'],
  ['kraken', 'BTC-USD'],
  ['bitstamp', 'BTC-USD'],
  ['okx', 'BTC-USDT'],
];
const now = (): number => performance.timeOrigin + performance.now();
const pct = (xs: number[], q: number): number => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? Number.NaN;

export async function runAt(rate: number, seconds: number): Promise<string> {
  const servers = await Promise.all(VENUES.map(([venue]) => LocalVenueServer.start({ venue })));
  // Each venue socket delivers in order, one record per frame: the receipt clock hands out the
  // send times in the same order.
  const sendTimes = VENUES.map(() => [] as number[]);
  const conns = VENUES.map(
    ([venue, symbol], k) =>
      new VenueConnection(protocolFor(venue), {
        url: (servers[k] as LocalVenueServer).url,
        subscriptions: venueSubscriptions([symbol]),
        clock: () => (sendTimes[k] as number[]).shift() ?? now(),
      }),
  );
  const cfg = parseConfig({
    instruments: ['BTC-USD'],
    fusion: { publishEveryMs: 0 },
    store: { dataDir: mkdtempSync(join(tmpdir(), 'emp-e2e-')) },
    analysis: { timeframes: ['1m', '5m'] },
  });
  const pipeline = await LivePipeline.open(cfg, new VenueConnections(conns), defaultParts(cfg));
  await pipeline.start();
  const api = await startServer(pipeline, { host: '127.0.0.1', port: 0 });
  const client = new WebSocket(`${api.url.replace('http', 'ws')}/ws`);
  const lat: number[] = [];
  let received = 0;
  let measuring = false;
  client.on('message', (d) => {
    const m = JSON.parse(d.toString()) as { channel?: string; ts?: number };
    if (m.channel !== 'fused' || m.ts === undefined) return;
    received++;
    if (measuring) lat.push(now() - m.ts);
  });
  await new Promise<void>((r) => client.once('open', () => r()));
  client.send(JSON.stringify({ op: 'subscribe', channel: 'fused' }));
  while (servers.some((s) => s.subscriptions().length < 2)) await new Promise((r) => setTimeout(r, 5));

  const rng = new Rng(5);
  let p = 60_000;
  const n = rate * seconds;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let i = 0;
  measuring = true;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(n, Math.floor(((performance.now() - t0) / 1000) * rate));
      for (; i < due; i++) {
        const k = i % VENUES.length;
        const [venue, symbol] = VENUES[k] as [string, string];
        p *= 1 + 2e-5 * rng.normal();
        const mid = Math.round(p * 100) / 100;
        const q: Quote = {
          type: 'quote',
          venue,
          symbol,
          ts: Date.now(),
          recvTs: 0,
          bid: mid - 0.5,
          bidSize: 1,
          ask: mid + 0.5,
          askSize: 1,
        };
        (sendTimes[k] as number[]).push(now());
        (servers[k] as LocalVenueServer).publish(q);
      }
      // 1 ms timer pacing (not a busy loop) so the CPU figure is the pipeline's, not the pacer's.
      if (i >= n) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await new Promise((r) => setTimeout(r, 500));
  measuring = false;
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (performance.now() - t0) / 1000;
  client.close();
  await api.close();
  await pipeline.stop();
  await Promise.all(servers.map((s) => s.close()));
  lat.sort((a, b) => a - b);
  const cpuUs = (cpu.user + cpu.system) / n;
  return `| ${rate.toLocaleString('en-US')} | ${n.toLocaleString('en-US')} | ${received.toLocaleString('en-US')} | ${pct(lat, 0.5).toFixed(2)} | ${pct(lat, 0.99).toFixed(2)} | ${(lat[lat.length - 1] ?? Number.NaN).toFixed(1)} | ${cpuUs.toFixed(1)} | ${(((cpu.user + cpu.system) / 1e6 / elapsed) * 100).toFixed(0)}% |`;
}

export default async function run(): Promise<void> {
  console.log(
    'e2e: venue socket → fused → bars → analysis → API socket, one process, 5 venues × 1 instrument, quotes only, fused published on every update',
  );
  console.log('| events/s | sent | fused updates received | p50 (ms) | p99 (ms) | max (ms) | CPU µs/event (whole process) | CPU use |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const rate of [1_000, 10_000, 50_000]) console.log(await runAt(rate, 3));
  console.log('targets: 10k events/s at p99 < 10 ms (seed: 1k events/s at < 100 ms)');
}
