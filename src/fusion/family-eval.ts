/**
 * Scores fusion methods on the scenario family (./family.ts): every method reads the same rows
 * in time order, as `emp fuse` does, and is scored each second against the latent price.
 *
 * Methods: the engine; plain median and mean of the fresh sources (a Pyth-style vote equals the
 * median here: price-only rows carry no confidence); each
 * single source (the best one, chosen after the fact, is reported); the oracle (knows which
 * sources and rows are good, each source's noise and the market's variance rate: the
 * inverse-variance mean of the good sources' latest values, each one's variance growing with the
 * age of what it describes); and EMP v1's conflict strategies.
 *
 * Pure: no I/O.
 */
import { median, quantile } from '../core/stats.ts';
import { FusionEngine } from './engine.ts';
import { FAMILY_SCENARIOS, type FamilyFeed, type FamilyScenario, familyFeed } from './family.ts';
import { V1_METHODS, V1Fuser } from './strategies.ts';

export interface FamilyScore {
  method: string;
  rmseBps: number;
  p99Bps: number;
  /** Share of scored seconds inside the method's stated 95 % interval (null: states none). */
  coverage: number | null;
  /** Seconds scored (the method had a price). */
  n: number;
}

export interface FamilyRow {
  scenario: FamilyScenario;
  seeds: number[];
  scores: FamilyScore[];
  /** Jumpy scenario: median time (ms) to reflect half of each jump, engine vs the median single source. */
  halfMoveMs?: { engine: number; median: number; singleSource: number; jumps: number };
}

const METHOD_ORDER = ['engine', 'median', 'mean', 'best single source', 'oracle', ...V1_METHODS.map((m) => `v1 ${m}`)];

interface Acc {
  se: number[];
  covered: number;
  withCi: number;
}

/** Scores every method on one feed; errors in bps per scored second, by method. */
export function scoreFeed(
  feed: FamilyFeed,
  maxAgeMs = 5000,
): { acc: Map<string, Acc>; halfMove?: { engine: number[]; median: number[]; single: number[] } } {
  const ns = feed.sources.length;
  const engine = new FusionEngine({ maxAgeMs });
  const v1 = V1_METHODS.map((m) => new V1Fuser(m));
  const SYMBOL = 'FAMILY';
  const last = new Float64Array(ns).fill(Number.NaN);
  const lastT = new Float64Array(ns).fill(Number.NEGATIVE_INFINITY);
  // The oracle's view: the last good row of each trusted source (price, true time).
  const oLast = new Float64Array(ns).fill(Number.NaN);
  const oTrue = new Float64Array(ns).fill(Number.NEGATIVE_INFINITY);
  const scratch = new Float64Array(ns);
  const acc = new Map<string, Acc>();
  const record = (m: string, v: number, ci: number, truth: number): void => {
    if (!Number.isFinite(v)) return;
    let a = acc.get(m);
    if (!a) {
      a = { se: [], covered: 0, withCi: 0 };
      acc.set(m, a);
    }
    a.se.push(((v - truth) / truth) * 1e4);
    if (Number.isFinite(ci)) {
      a.withCi++;
      if (Math.abs(v - truth) <= ci) a.covered++;
    }
  };
  const fresh = (now: number): number => {
    let m = 0;
    for (let i = 0; i < ns; i++) if (now - (lastT[i] as number) <= maxAgeMs) scratch[m++] = last[i] as number;
    return m;
  };
  const oracle = (now: number): { price: number; ci: number } => {
    let sw = 0;
    let swp = 0;
    for (let i = 0; i < ns; i++) {
      if (!feed.trusted[i] || !Number.isFinite(oLast[i] as number)) continue;
      const age = Math.abs(now - (oTrue[i] as number));
      if (age > 60_000) continue;
      const sd = (feed.noiseBps[i] as number) / 1e4;
      const v = sd * sd + (feed.varRateBps2PerMs / 1e8) * age;
      sw += 1 / v;
      swp += (oLast[i] as number) / v;
    }
    if (sw === 0) return { price: Number.NaN, ci: Number.NaN };
    const p = swp / sw;
    return { price: p, ci: 1.96 * p * Math.sqrt(1 / sw) };
  };

  // Jump timing: per jump, first time each method is at least half-way there.
  const jumps = feed.jumps;
  const half = jumps.length ? { engine: [] as number[], median: [] as number[], single: [] as number[] } : undefined;
  const jumpState = jumps.map((j) => {
    const k = Math.floor((j.ts - feed.start) / 1000);
    const before = feed.truth[Math.max(0, k)] as number;
    return { ...j, target: before * (1 + j.size / 2), engine: Number.NaN, median: Number.NaN, src: new Float64Array(ns).fill(Number.NaN) };
  });
  const reached = (j: (typeof jumpState)[number], p: number): boolean => (j.size > 0 ? p >= j.target : p <= j.target);

  let grid = feed.start + 1000;
  const end = feed.start + (feed.truth.length - 1) * 1000;
  const nRows = feed.time.length;
  for (let r = 0; r <= nRows; r++) {
    const t = r < nRows ? (feed.time[r] as number) : Number.POSITIVE_INFINITY;
    while (t > grid && grid <= end) {
      const truth = feed.truth[(grid - feed.start) / 1000] as number;
      const e = engine.evaluate(SYMBOL, grid);
      if (e) record('engine', e.price, e.confidence, truth);
      const m = fresh(grid);
      record('median', median(scratch.subarray(0, m)), Number.NaN, truth);
      let s = 0;
      for (let k = 0; k < m; k++) s += scratch[k] as number;
      record('mean', m ? s / m : Number.NaN, Number.NaN, truth);
      const o = oracle(grid);
      record('oracle', o.price, o.ci, truth);
      for (let i = 0; i < ns; i++)
        if (grid - (lastT[i] as number) <= maxAgeMs) record(`source ${feed.sources[i]}`, last[i] as number, Number.NaN, truth);
      for (const [k, f] of v1.entries()) record(`v1 ${V1_METHODS[k]}`, f.value(grid, maxAgeMs), Number.NaN, truth);
      grid += 1000;
    }
    if (r === nRows) break;
    const si = feed.source[r] as number;
    const p = feed.price[r] as number;
    last[si] = p;
    lastT[si] = t;
    if (feed.trusted[si] && !feed.faulty[r]) {
      oLast[si] = p;
      oTrue[si] = feed.trueTime[r] as number;
    }
    const venue = feed.sources[si] as string;
    const res = engine.onQuote({ venue, symbol: SYMBOL, ts: t, recvTs: t, bid: p, ask: p, bidSize: 0, askSize: 0 }, t);
    for (const f of v1) f.update(venue, p, t);
    for (const j of jumpState) {
      if (t < j.ts || t > j.ts + 30_000) continue;
      if (Number.isNaN(j.engine) && res && reached(j, res.price)) j.engine = t - j.ts;
      if (Number.isNaN(j.median) && reached(j, median(scratch.subarray(0, fresh(t))))) j.median = t - j.ts;
      if (Number.isNaN(j.src[si] as number) && reached(j, p) && !feed.faulty[r]) j.src[si] = t - j.ts;
    }
  }
  if (half) {
    for (const j of jumpState) {
      half.engine.push(Number.isNaN(j.engine) ? 30_000 : j.engine);
      half.median.push(Number.isNaN(j.median) ? 30_000 : j.median);
      half.single.push(median(Float64Array.from(j.src, (x) => (Number.isNaN(x) ? 30_000 : x))));
    }
  }
  return { acc, halfMove: half };
}

/** Scores one scenario over seeds: RMSE pooled over all scored seconds of all seeds. */
export function evaluateScenario(
  scenario: FamilyScenario,
  seeds: readonly number[],
  opts: { durationMs?: number; maxAgeMs?: number; onFeed?: () => void } = {},
): FamilyRow {
  const pooled = new Map<string, Acc>();
  // "Best single source" is per feed (the source with the lowest RMSE there), then pooled.
  const halfs = { engine: [] as number[], median: [] as number[], single: [] as number[] };
  for (const seed of seeds) {
    const feed = familyFeed(scenario, seed, { durationMs: opts.durationMs });
    const { acc, halfMove } = scoreFeed(feed, opts.maxAgeMs);
    let best: Acc | undefined;
    let bestRmse = Number.POSITIVE_INFINITY;
    for (const [k, a] of acc) {
      if (!k.startsWith('source ')) continue;
      // A source must cover most of the run to count as a usable single source.
      if (a.se.length < 0.8 * (feed.truth.length - 1)) continue;
      const r = rmse(a.se);
      if (r < bestRmse) {
        bestRmse = r;
        best = a;
      }
    }
    if (best) acc.set('best single source', best);
    for (const [k, a] of acc) {
      if (k.startsWith('source ')) continue;
      const p = pooled.get(k) ?? { se: [], covered: 0, withCi: 0 };
      for (const x of a.se) p.se.push(x);
      p.covered += a.covered;
      p.withCi += a.withCi;
      pooled.set(k, p);
    }
    opts.onFeed?.();
    if (halfMove) {
      halfs.engine.push(...halfMove.engine);
      halfs.median.push(...halfMove.median);
      halfs.single.push(...halfMove.single);
    }
  }
  const scores: FamilyScore[] = METHOD_ORDER.filter((m) => pooled.has(m)).map((method) => {
    const a = pooled.get(method) as Acc;
    return {
      method,
      rmseBps: rmse(a.se),
      p99Bps: quantile(
        a.se.map((x) => Math.abs(x)),
        0.99,
      ),
      coverage: a.withCi > 0 ? a.covered / a.withCi : null,
      n: a.se.length,
    };
  });
  const row: FamilyRow = { scenario, seeds: [...seeds], scores };
  if (halfs.engine.length)
    row.halfMoveMs = {
      engine: quantile(halfs.engine, 0.5),
      median: quantile(halfs.median, 0.5),
      singleSource: quantile(halfs.single, 0.5),
      jumps: halfs.engine.length,
    };
  return row;
}

export function evaluateFamily(
  seeds: readonly number[],
  opts: { durationMs?: number; maxAgeMs?: number; scenarios?: readonly FamilyScenario[]; onFeed?: () => void } = {},
): FamilyRow[] {
  return (opts.scenarios ?? FAMILY_SCENARIOS).map((s) => evaluateScenario(s, seeds, opts));
}

function rmse(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x * x;
  return Math.sqrt(s / xs.length);
}
