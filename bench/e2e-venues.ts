/**
 * The venue side of the end-to-end bench, in its own process so its CPU and pacing do not
 * disturb the pipeline's: five local venue servers; prints their URLs as one JSON line, then
 * on `go <rate> <seconds>` sends quotes round-robin at that total rate and prints `done`.
 */
import { createInterface } from 'node:readline';
import type { Quote } from '../src/core/market.ts';
import { Rng } from '../src/core/random.ts';
import { LocalVenueServer } from '../src/sources/loopback/local-venue-server.ts';

export const E2E_VENUES: [string, string][] = [
  ['binance', 'BTC-USDT'],
  ['coinbase', 'BTC-USD'],
  ['kraken', 'BTC-USD'],
  ['bitstamp', 'BTC-USD'],
  ['okx', 'BTC-USDT'],
];

async function main(): Promise<void> {
  const servers = await Promise.all(E2E_VENUES.map(([venue]) => LocalVenueServer.start({ venue })));
  process.stdout.write(`${JSON.stringify(servers.map((s) => s.url))}\n`);
  const rng = new Rng(5);
  let p = 60_000;
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, rateText, secondsText] = line.trim().split(' ');
    if (cmd === 'subs') {
      process.stdout.write(`subs ${servers.map((s) => s.subscriptions().length).join(',')}\n`);
      continue;
    }
    if (cmd !== 'go') break;
    const rate = Number(rateText);
    const n = rate * Number(secondsText);
    const t0 = performance.now();
    let i = 0;
    // A busy loop is fine here: this process only sends.
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const due = Math.min(n, Math.floor(((performance.now() - t0) / 1000) * rate));
        for (; i < due; i++) {
          const k = i % E2E_VENUES.length;
          const [venue, symbol] = E2E_VENUES[k] as [string, string];
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
          (servers[k] as LocalVenueServer).publish(q);
        }
        if (i >= n) resolve();
        else setImmediate(tick);
      };
      tick();
    });
    process.stdout.write('done\n');
  }
  await Promise.all(servers.map((s) => s.close()));
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
