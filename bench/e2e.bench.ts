/**
 * End to end: venue socket → adapter → fusion → bars → analysis (indicators, regime) → bus →
 * API WebSocket → client. The five venue servers and the sender run in a child process
 * (bench/e2e-venues.ts), so the pipeline's process holds only the pipeline, the API and one
 * client. Latency per fused update: from the adapter reading the frame that produced it (the
 * fused `ts` is that receipt time) to the client receiving it; the venue → adapter hop over
 * loopback is measured by `npm run bench -- stream` (p99 ≈ 0.2–0.6 ms). CPU: this process only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import WebSocket from 'ws';
import { parseConfig } from '../src/pipeline/config.ts';
import { LivePipeline } from '../src/pipeline/live-pipeline.ts';
import { defaultParts } from '../src/pipeline/parts.ts';
import { VenueConnections, venueSubscriptions } from '../src/pipeline/venue-sources.ts';
import { startServer } from '../src/server/server.ts';
import { protocolFor } from '../src/sources/venues/index.ts';
import { VenueConnection } from '../src/stream/connection.ts';
import { E2E_VENUES } from './e2e-venues.ts';

const now = (): number => performance.timeOrigin + performance.now();
const pct = (xs: number[], q: number): number => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? Number.NaN;

class Venues {
  private readonly lines: AsyncIterator<string>;
  private constructor(
    private readonly child: ChildProcess,
    rl: Interface,
  ) {
    this.lines = rl[Symbol.asyncIterator]();
  }
  static async start(): Promise<{ venues: Venues; urls: string[] }> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'e2e-venues.ts')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const v = new Venues(child, createInterface({ input: child.stdout as NodeJS.ReadableStream }));
    return { venues: v, urls: JSON.parse(await v.next()) as string[] };
  }
  async next(): Promise<string> {
    const r = await this.lines.next();
    if (r.done) throw new Error('venue process ended');
    return r.value;
  }
  async ask(cmd: string): Promise<string> {
    this.child.stdin?.write(`${cmd}\n`);
    return this.next();
  }
  stop(): void {
    this.child.stdin?.end();
  }
}

export async function runAt(rate: number, seconds: number): Promise<string> {
  const { venues, urls } = await Venues.start();
  const conns = E2E_VENUES.map(
    ([venue, symbol], k) =>
      new VenueConnection(protocolFor(venue), { url: urls[k] as string, subscriptions: venueSubscriptions([symbol]), clock: now }),
  );
  const cfg = parseConfig({
    instruments: ['BTC-USD'],
    fusion: { publishEveryMs: 0 },
    store: { dataDir: mkdtempSync(join(tmpdir(), 'emp-e2e-')) },
    analysis: { timeframes: ['1m', '5m'] },
  });
  const source = new VenueConnections(conns);
  const pipeline = await LivePipeline.open(cfg, source, defaultParts(cfg));
  await pipeline.start();
  const api = await startServer(pipeline, { host: '127.0.0.1', port: 0 });
  const client = new WebSocket(`${api.url.replace('http', 'ws')}/ws`);
  const lat: number[] = [];
  let received = 0;
  let measuring = false;
  client.on('message', (d) => {
    const m = JSON.parse(d.toString()) as { channel?: string; ts?: number };
    if (m.channel !== 'fused' || m.ts === undefined || !measuring) return;
    received++;
    lat.push(now() - m.ts);
  });
  await new Promise<void>((r) => client.once('open', () => r()));
  client.send(JSON.stringify({ op: 'subscribe', channel: 'fused' }));
  while ((await venues.ask('subs')) !== `subs ${E2E_VENUES.map(() => 2).join(',')}`) await new Promise((r) => setTimeout(r, 20));
  const n = rate * seconds;
  measuring = true;
  const cpu0 = process.cpuUsage();
  await venues.ask(`go ${rate} ${seconds}`);
  await new Promise((r) => setTimeout(r, 500));
  const cpu = process.cpuUsage(cpu0);
  measuring = false;
  venues.stop();
  client.close();
  await api.close();
  await pipeline.stop();
  lat.sort((a, b) => a - b);
  const cpuUs = (cpu.user + cpu.system) / n;
  const q = source.queueStats();
  const dropped = api.gateway.stats.dropped;
  return `| ${rate.toLocaleString('en-US')} | ${n.toLocaleString('en-US')} | ${q.coalesced.toLocaleString('en-US')} / ${q.dropped} | ${received.toLocaleString('en-US')} (${dropped} dropped by the API) | ${pct(lat, 0.5).toFixed(2)} | ${pct(lat, 0.99).toFixed(2)} | ${(lat[lat.length - 1] ?? Number.NaN).toFixed(1)} | ${cpuUs.toFixed(1)} |`;
}

export default async function run(): Promise<void> {
  console.log(
    'e2e: venue socket → fused → bars → analysis → API socket, one process, 5 venues × 1 instrument, quotes only, fused published on every update',
  );
  console.log(
    '| events/s | sent | coalesced / dropped at intake | fused updates received | p50 (ms) | p99 (ms) | max (ms) | pipeline process CPU µs/event |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const rate of [1_000, 10_000, 50_000]) console.log(await runAt(rate, 3));
  console.log('targets: 10k events/s at p99 < 10 ms (seed: 1k events/s at < 100 ms)');
}
