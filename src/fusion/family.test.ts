import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/random.ts';
import { FusionEngine } from './engine.ts';
import { FAMILY_SCENARIOS, familyFeed, HELD_OUT_SEEDS } from './family.ts';
import { evaluateFamily } from './family-eval.ts';

/**
 * The goals of issue 14, on the held-out seeds (never used while tuning), with floors taken from
 * independent baselines: the plain median of the fresh sources, the oracle (knows the good
 * sources, their noise and the market's variance rate) and the best single source after the fact.
 */
describe('fusion on the scenario family (held-out seeds)', () => {
  const rows = evaluateFamily(HELD_OUT_SEEDS);
  // Measured shortfall, stated in the README: with one or two sources seconds behind (lag, or a
  // clock running ahead), the bias they bring is not in the interval.
  const COVERAGE_SHORT: readonly string[] = ['lagged', 'clock_skew'];

  for (const scenario of FAMILY_SCENARIOS) {
    it(`${scenario}: beats the median by 10 %, within 25 % of the oracle, never 10 % worse than the best single source`, () => {
      const r = rows.find((x) => x.scenario === scenario);
      const by = (m: string) => r?.scores.find((s) => s.method === m);
      const engine = by('engine');
      const median = by('median');
      const oracle = by('oracle');
      const best = by('best single source');
      expect(engine && median && oracle && best).toBeTruthy();
      if (!engine || !median || !oracle || !best) return;
      // Every method is scored on (nearly) every second.
      expect(engine.n).toBeGreaterThanOrEqual(0.99 * median.n);
      expect(engine.rmseBps).toBeLessThanOrEqual(0.9 * median.rmseBps);
      expect(engine.rmseBps).toBeLessThanOrEqual(1.25 * oracle.rmseBps);
      expect(engine.rmseBps).toBeLessThanOrEqual(1.1 * best.rmseBps);
      const cov = engine.coverage ?? Number.NaN;
      if (COVERAGE_SHORT.includes(scenario)) expect(cov).toBeGreaterThanOrEqual(0.85);
      else {
        expect(cov).toBeGreaterThanOrEqual(0.92);
        expect(cov).toBeLessThanOrEqual(0.97);
      }
    });
  }

  it('jumpy: follows a confirmed 1 % move sooner than the plain median', () => {
    const h = rows.find((x) => x.scenario === 'jumpy')?.halfMoveMs;
    expect(h).toBeDefined();
    expect(h?.jumps).toBeGreaterThan(20);
    expect(h?.engine as number).toBeLessThan(h?.median as number);
  });
});

describe('source weights track measured noise', () => {
  /** Runs the engine over a family feed; returns each source's mean normalized weight, sampled each second. */
  function meanWeights(feed: ReturnType<typeof familyFeed>): Map<string, number> {
    const e = new FusionEngine();
    const sum = new Map<string, number>();
    let samples = 0;
    let next = feed.start + 60_000;
    for (let i = 0; i < feed.time.length; i++) {
      const t = feed.time[i] as number;
      const p = feed.price[i] as number;
      e.onQuote(
        { venue: feed.sources[feed.source[i] as number] as string, symbol: 'X', ts: t, recvTs: t, bid: p, ask: p, bidSize: 0, askSize: 0 },
        t,
      );
      if (t >= next) {
        next += 1000;
        samples++;
        for (const [v, w] of Object.entries(e.weights('X'))) sum.set(v, (sum.get(v) ?? 0) + w);
      }
    }
    for (const [v, w] of sum) sum.set(v, w / samples);
    return sum;
  }

  it('a source with rare bad prints keeps about the weight of its equally noisy peers', () => {
    for (const seed of HELD_OUT_SEEDS.slice(0, 4)) {
      const feed = familyFeed('bad_prints', seed);
      const w = meanWeights(feed);
      const bad = feed.sources.findIndex((_, i) => feed.faulty.some((f, r) => f === 1 && feed.source[r] === i));
      const others = feed.sources.filter((_, i) => i !== bad).map((v) => w.get(v) as number);
      const peer = others.reduce((a, b) => a + b, 0) / others.length;
      // The issue saw 0.014 against 0.40; equal noise should give equal weights up to estimation noise.
      expect(w.get(feed.sources[bad] as string) as number).toBeGreaterThan(0.6 * peer);
    }
  });

  it('with unequal noise (0.5–8 bps) the quietest source far outweighs the noisiest', () => {
    const feed = familyFeed('unequal_noise', HELD_OUT_SEEDS[0] as number);
    const w = meanWeights(feed);
    const byNoise = feed.sources.map((v, i) => ({ v, noise: feed.noiseBps[i] as number })).sort((a, b) => a.noise - b.noise);
    const quietest = byNoise[0] as { v: string };
    const noisiest = byNoise[byNoise.length - 1] as { v: string };
    // 16× the noise is 256× the variance; ages (sources update at different rates) blur it.
    expect(w.get(quietest.v) as number).toBeGreaterThan(5 * (w.get(noisiest.v) as number));
  });
});

describe('lead–lag', () => {
  it('finds a source 3 s behind, weights it below the others, and forgets the lag when it catches up', () => {
    // Five sources on a fast random walk (3 bps a second) with 0.5 bps noise, one per 250 ms;
    // "late" reports the price of 3 s ago for ten minutes, then the current one.
    const rng = new Rng(11);
    const e = new FusionEngine();
    const path: number[] = [];
    let p = 100;
    let t = 0;
    const run = (until: number, lagMs: number): void => {
      for (; t < until; t += 250) {
        p *= 1 + 1.5e-4 * rng.normal();
        path.push(p);
        for (const v of ['a', 'b', 'c', 'd', 'late']) {
          const x = v === 'late' ? (path[Math.max(0, path.length - 1 - lagMs / 250)] as number) : p;
          const q = x * (1 + 5e-5 * rng.normal());
          e.onQuote({ venue: v, symbol: 'L', ts: t, recvTs: t, bid: q, ask: q, bidSize: 0, askSize: 0 }, t);
        }
      }
    };
    run(600_000, 3000);
    const lagged = e.explain('late', 'L');
    expect(Math.abs((lagged?.lagMs as number) - 3000)).toBeLessThanOrEqual(500);
    expect(e.explain('a', 'L')?.lagMs).toBe(0);
    const w = e.weights('L');
    expect(w.late as number).toBeLessThan(0.5 * (w.a as number));
    run(1_200_000, 0);
    expect(e.explain('late', 'L')?.lagMs).toBe(0);
    expect(e.weights('L').late as number).toBeGreaterThan(0.5 * (e.weights('L').a as number));
  });
});

describe('fused quote', () => {
  it('property: the fused bid is never above the fused ask, whatever the venues quote', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 95, max: 105, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true })), {
          minLength: 1,
          maxLength: 6,
        }),
        (quotes) => {
          const e = new FusionEngine();
          quotes.forEach(([mid, half], i) => {
            e.onQuote(
              { venue: `v${i}`, symbol: 'Q', ts: 1000 + i, recvTs: 1000 + i, bid: mid - half, ask: mid + half, bidSize: 1, askSize: 1 },
              1000 + i,
            );
          });
          const f = e.fused('Q');
          return f?.bid === undefined || (f.ask !== undefined && f.bid <= f.ask && f.bid <= f.price && f.price <= f.ask);
        },
      ),
    );
  });
});

describe('best source per metric', () => {
  it('volume comes from the venues with the most complete trade streams; price from all', () => {
    const e = new FusionEngine();
    const rng = new Rng(3);
    const trade = (v: string, t: number): void => {
      e.onTrade({ venue: v, symbol: 'V-USD', ts: t, recvTs: t, price: 100 * (1 + 1e-4 * rng.normal()), size: 1 }, t);
    };
    for (let t = 0; t < 60_000; t += 100) {
      for (const v of ['a', 'b', 'c']) trade(v, t);
      // "c" misses one trade in ten.
      if (t % 1000 === 0) e.reportGap('c', 'V-USD', 1, t);
    }
    expect(e.volumeSources('V-USD', 60_000).sort()).toEqual(['a', 'b']);
    expect(e.servesVolume('c', 'V-USD', 60_000)).toBe(false);
    expect(e.fused('V-USD')?.volumeFrom?.sort()).toEqual(['a', 'b']);
    // Its price still counts.
    expect(e.weights('V-USD').c as number).toBeGreaterThan(0);
    // A gap on another instrument does not touch this one; a minute without gaps restores it.
    for (let t = 60_000; t < 240_000; t += 100) for (const v of ['a', 'b', 'c']) trade(v, t);
    e.reportGap('c', 'W-USD', 5, 240_000);
    expect(e.volumeSources('V-USD', 240_000).sort()).toEqual(['a', 'b', 'c']);
  });
});
