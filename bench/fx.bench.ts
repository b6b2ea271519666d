import lzma from 'lzma';
import { allocTicks, decodeBi5, encodeBi5 } from '../src/sources/fx/dukascopy.ts';

export default async function run(): Promise<void> {
  const hour = Date.UTC(2024, 0, 2, 13);
  const n = 20_000;
  const t = allocTicks(n);
  let p = 109_500;
  for (let i = 0; i < n; i++) {
    p += ((i * 7919) % 5) - 2;
    t.time[i] = hour + Math.floor((i * 3_600_000) / n);
    t.bid[i] = p / 100_000;
    t.ask[i] = (p + 2) / 100_000;
    t.bidSize[i] = Math.fround(1 + (i % 9) / 4);
    t.askSize[i] = Math.fround(1 + (i % 5) / 4);
  }
  const file = encodeBi5(t, 'EUR-USD', hour);
  decodeBi5(file, 'EUR-USD', hour); // warm up
  const reps = 20;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) decodeBi5(file, 'EUR-USD', hour);
  const ms = performance.now() - t0;
  console.log(
    `dukascopy .bi5 decode: one hour of ${n.toLocaleString('en-US')} ticks (${file.length.toLocaleString('en-US')} bytes compressed), ${reps} runs`,
  );
  console.log('| step | ticks/s |');
  console.log('|---|---|');
  console.log(`| bounded LZMA decoder (lzma-decoder.ts) + row decode | ${Math.round((n * reps * 1000) / ms).toLocaleString('en-US')} |`);
  // The decoder used before, LZMA only (no row decode), for comparison.
  const t1 = performance.now();
  for (let r = 0; r < reps; r++) lzma.decompress(Array.from(file));
  const ms1 = performance.now() - t1;
  console.log(`| LZMA-JS (lzma package) decompress alone | ${Math.round((n * reps * 1000) / ms1).toLocaleString('en-US')} |`);
}
