import { MarketSimulator } from '../src/sources/simulator/index.ts';

/** One simulated day of 1-second steps, five venues, one instrument (~430k records). */
export default async function run(): Promise<void> {
  const runs: number[] = [];
  let n = 0;
  for (let k = 0; k < 3; k++) {
    const sim = new MarketSimulator({ seed: 42 + k, durationMs: 86_400_000, instruments: [{ symbol: 'BTC-USD', initialPrice: 60_000 }] });
    const t0 = performance.now();
    n = 0;
    for (const _ of sim.records()) n++;
    runs.push(performance.now() - t0);
  }
  const best = Math.min(...runs);
  console.log('simulator: 1 simulated day, 1 s steps, 5 venues, 1 instrument (best of 3)');
  console.log(
    `  records: ${n}  time: ${(best / 1000).toFixed(3)} s  rate: ${Math.round(n / (best / 1000)).toLocaleString('en-US')} records/s  (target: < 2 s)`,
  );
}
