import { describe, expect, it } from 'vitest';
import { Rng } from '../core/random.ts';
import { filterHmm, fitGaussianHmm, HmmFilter, smoothHmm } from './hmm.ts';

/** Two planted states: quiet N(0.5, 1²) and wild N(−1, 3²), sticky (stay 0.97 / 0.9). */
function planted(n: number, seed: number): { x: Float64Array; s: number[] } {
  const rng = new Rng(seed);
  const x = new Float64Array(n);
  const s: number[] = [];
  let st = 0;
  for (let t = 0; t < n; t++) {
    if (rng.next() > (st === 0 ? 0.97 : 0.9)) st = 1 - st;
    s.push(st);
    x[t] = st === 0 ? 0.5 + rng.normal() : -1 + 3 * rng.normal();
  }
  return { x, s };
}

describe('Gaussian HMM (Baum-Welch)', () => {
  const { x, s } = planted(4000, 5);
  const fit = fitGaussianHmm(x, 1, { states: 2, seed: 1 });
  const m = fit.model;
  const quiet = (m.variance[0] as number) < (m.variance[1] as number) ? 0 : 1;
  const wild = 1 - quiet;

  it('recovers the planted means, variances and transition probabilities', () => {
    expect(m.mean[quiet]).toBeCloseTo(0.5, 1);
    expect(m.mean[wild] as number).toBeGreaterThan(-1.4);
    expect(m.mean[wild] as number).toBeLessThan(-0.6);
    expect(Math.sqrt(m.variance[quiet] as number)).toBeCloseTo(1, 1);
    expect(Math.abs(Math.sqrt(m.variance[wild] as number) - 3)).toBeLessThan(0.2);
    expect(Math.abs((m.trans[quiet * 2 + quiet] as number) - 0.97)).toBeLessThan(0.02);
    expect(Math.abs((m.trans[wild * 2 + wild] as number) - 0.9)).toBeLessThan(0.04);
  });

  it('smoothed states match the planted ones better than filtered ones, both far above chance', () => {
    const acc = (probs: Float64Array): number =>
      s.filter((st, t) => ((probs[t * 2 + wild] as number) > 0.5 ? 1 : 0) === st).length / s.length;
    const filtered = acc(filterHmm(m, x).probabilities);
    const smoothed = acc(smoothHmm(m, x));
    expect(filtered).toBeGreaterThan(0.85);
    expect(smoothed).toBeGreaterThanOrEqual(filtered);
  });

  it('Baum-Welch never lowers the likelihood: more iterations, no worse fit', () => {
    const short = fitGaussianHmm(x, 1, { states: 2, seed: 1, restarts: 1, maxIterations: 3 });
    const long = fitGaussianHmm(x, 1, { states: 2, seed: 1, restarts: 1, maxIterations: 50 });
    expect(long.logLikelihood).toBeGreaterThanOrEqual(short.logLikelihood - 1e-9);
  });

  it('the streaming filter equals the batch filter, and is causal (truncation changes nothing earlier)', () => {
    const batch = filterHmm(m, x).probabilities;
    const f = new HmmFilter(m);
    for (let t = 0; t < 4000; t++) {
      const p = f.update(x.subarray(t, t + 1));
      expect(Math.abs((p[0] as number) - (batch[t * 2] as number))).toBeLessThan(1e-12);
    }
    const cut = filterHmm(m, x.subarray(0, 1000)).probabilities;
    expect(Array.from(cut)).toEqual(Array.from(batch.subarray(0, 2000)));
  });
});
