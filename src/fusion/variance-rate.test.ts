import { describe, expect, it } from 'vitest';
import { Rng } from '../core/random.ts';
import { VarianceRate } from './variance-rate.ts';

/** A random walk with `qPerSec` bps² a second, seen once a second through noise of `noiseVar` bps². */
function run(seed: number, qPerSec: number, noiseVar: number, seconds: number, jumpAt = -1): VarianceRate {
  const rng = new Rng(seed);
  const v = new VarianceRate();
  let logp = Math.log(100);
  for (let t = 0; t < seconds; t++) {
    logp += (Math.sqrt(qPerSec) / 1e4) * rng.normal();
    if (t === jumpAt) logp += 0.01;
    const seen = Math.exp(logp) * (1 + (Math.sqrt(noiseVar) / 1e4) * rng.normal());
    v.observe(t * 1000, seen, noiseVar);
  }
  return v;
}

describe('VarianceRate', () => {
  it('recovers the rate of a random walk seen through noise as large as a second of its moves', () => {
    for (const seed of [1, 2, 3, 4]) {
      const est = run(seed, 0.5, 0.5, 3600).rate * 1000;
      expect(est).toBeGreaterThan(0.5 * 0.7);
      expect(est).toBeLessThan(0.5 * 1.3);
    }
  });

  it('a 1 % jump does not make the market look several times faster', () => {
    const calm = run(9, 0.5, 0.5, 1800).rate;
    const jumped = run(9, 0.5, 0.5, 1800, 1500).rate;
    expect(jumped / calm).toBeLessThan(2);
  });
});
