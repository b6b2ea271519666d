/**
 * How fast a process's memory grows, from a soak's 1-second samples (bench/soak.ts), with an
 * interval that says whether a 30-minute run can tell.
 */

export interface Trend {
  /** Per hour, in the samples' unit; NaN with too few blocks. */
  slope: number;
  /** Half-width of its 95 % interval. */
  ci95: number;
  /** One-minute blocks fitted. */
  minutes: number;
}

/** A sample: wall time (ms) and the value (non-finite values are skipped). */
export interface Point {
  t: number;
  v: number;
}

const BLOCK_MS = 60_000;

/**
 * The columns of each row of a soak's JSON `timeline` (bench/soak.ts writes them in this order,
 * and names them in the file's `timelineColumns`): seconds since the start, answered (1/0), in a
 * SIGKILL restart (1/0), ms to answer, fresh instruments, then MB: RSS, V8 heap in use, reserved,
 * external memory, live heap after the last full collection, worker threads' heaps reserved, the
 * heap reserved by space (old objects, young ones, large objects, code), RSS right after the last
 * full collection.
 */
export const TIMELINE_COLUMNS = [
  'sec',
  'answered',
  'inKillWindow',
  'ms',
  'fresh',
  'rss',
  'heapUsed',
  'heapTotal',
  'external',
  'liveHeap',
  'workerHeaps',
  'oldSpace',
  'newSpace',
  'largeObjectSpace',
  'codeSpace',
  'rssAfterGc',
] as const;

/**
 * The common slope of several runs (a service's incarnations between kills, each already past
 * its warm-up), each run at its own level (a restart starts memory afresh): least squares over
 * one-minute block means, whose residuals give the interval. Block means, not the samples
 * themselves: memory swings with the garbage collector over minutes, so neighbouring samples are
 * not independent and their count would overstate the precision. The interval is still
 * approximate (blocks a minute apart are not quite independent either).
 */
export function trend(runs: readonly (readonly Point[])[]): Trend {
  const groups: { x: number[]; y: number[] }[] = [];
  for (const run of runs) {
    const blocks = new Map<number, { x: number; y: number; n: number }>();
    for (const p of run) {
      if (!Number.isFinite(p.v)) continue;
      const k = Math.floor(p.t / BLOCK_MS);
      const b = blocks.get(k) ?? { x: 0, y: 0, n: 0 };
      b.x += p.t / 3_600_000;
      b.y += p.v;
      b.n++;
      blocks.set(k, b);
    }
    // A block with half its samples missing (the service down or not answering) is left out.
    const full = [...blocks.values()].filter((b) => b.n >= BLOCK_MS / 2000);
    if (full.length >= 2) groups.push({ x: full.map((b) => b.x / b.n), y: full.map((b) => b.y / b.n) });
  }
  let sxy = 0;
  let sxx = 0;
  let n = 0;
  const centred = groups.map((g) => {
    const mx = g.x.reduce((a, b) => a + b, 0) / g.x.length;
    const my = g.y.reduce((a, b) => a + b, 0) / g.y.length;
    n += g.x.length;
    return { x: g.x.map((v) => v - mx), y: g.y.map((v) => v - my) };
  });
  for (const g of centred)
    g.x.forEach((x, i) => {
      sxy += x * (g.y[i] as number);
      sxx += x * x;
    });
  // One level per run and the slope.
  const df = n - groups.length - 1;
  if (df < 2 || sxx === 0) return { slope: Number.NaN, ci95: Number.NaN, minutes: n };
  const slope = sxy / sxx;
  let rss = 0;
  for (const g of centred)
    g.x.forEach((x, i) => {
      rss += ((g.y[i] as number) - slope * x) ** 2;
    });
  // Student's t quantile (0.975) by its Cornish–Fisher expansion in 1/df.
  const z = 1.959964;
  const t = z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
  return { slope, ci95: t * Math.sqrt(rss / df / sxx), minutes: n };
}
