import { describe, expect, it } from 'vitest';
import { type Point, trend } from '../../bench/memory-trend.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

/** One sample a second from `from` for `minutes`, valued by `v(t)`. */
const run = (from: number, minutes: number, v: (t: number) => number): Point[] =>
  Array.from({ length: minutes * 60 }, (_, i) => {
    const t = from + i * 1000;
    return { t, v: v(t) };
  });

/** A seeded uniform generator (mulberry32), for reproducible noise. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('memory trend over a soak', () => {
  it('recovers the slope of a noiseless line with a zero-width interval', () => {
    const r = trend([run(0, 10, (t) => 200 + (12 * t) / HOUR)]);
    expect(r.slope).toBeCloseTo(12, 9);
    expect(r.ci95).toBeLessThan(1e-9);
    expect(r.minutes).toBe(10);
  });

  it('fits one slope across restarts, each run at its own level', () => {
    // Memory starts afresh after a kill: one line through both runs would see a fall of 200.
    const first = run(0, 10, (t) => 400 + (6 * t) / HOUR);
    const second = run(15 * MIN, 10, (t) => 200 + (6 * t) / HOUR);
    expect(trend([first, second]).slope).toBeCloseTo(6, 9);
    expect(trend([[...first, ...second]]).slope).toBeLessThan(-100);
  });

  it('skips missing values and leaves out minutes with half their samples missing', () => {
    const points = run(0, 10, (t) => 100 + (30 * t) / HOUR).map((p, i) =>
      // Minute 3 answered only a third of the time; elsewhere a few NaNs.
      Math.floor(i / 60) === 3
        ? i % 3 === 0
          ? { t: p.t, v: 1e6 }
          : { t: p.t, v: Number.NaN }
        : i % 17 === 0
          ? { t: p.t, v: Number.NaN }
          : p,
    );
    const r = trend([points]);
    expect(r.minutes).toBe(9);
    expect(r.slope).toBeCloseTo(30, 6);
  });

  it('says it cannot tell with fewer than two minutes per run', () => {
    expect(trend([run(0, 1, () => 5), run(10 * MIN, 1, () => 5)]).slope).toBeNaN();
  });

  it('its 95 % interval covers the true slope about 95 % of the time under independent noise', () => {
    const random = rng(20261201);
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    let covered = 0;
    const trials = 400;
    for (let k = 0; k < trials; k++) {
      // Two 10-minute runs, true slope 5 MB/hour, 30 MB of noise on every sample.
      const noisy = (from: number, level: number): Point[] => run(from, 10, (t) => level + (5 * t) / HOUR + 30 * gauss());
      const r = trend([noisy(0, 250), noisy(20 * MIN, 230)]);
      if (Math.abs(r.slope - 5) <= r.ci95) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.91);
    expect(covered / trials).toBeLessThan(0.98);
  });
});
