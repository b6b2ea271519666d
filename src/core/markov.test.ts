import { describe, expect, it } from 'vitest';
import { longRunDistribution } from './markov.ts';
import { Rng } from './random.ts';

describe('longRunDistribution', () => {
  /** π P − π, largest absolute entry. */
  const residual = (trans: Float64Array, pi: Float64Array, k: number): number => {
    let worst = 0;
    for (let j = 0; j < k; j++) {
      let v = -(pi[j] as number);
      for (let i = 0; i < k; i++) v += (pi[i] as number) * (trans[i * k + j] as number);
      worst = Math.max(worst, Math.abs(v));
    }
    return worst;
  };

  it('solves a two-state chain exactly (π = (q, p) / (p + q) by hand)', () => {
    const p = 0.0004;
    const q = 0.003;
    const pi = longRunDistribution(Float64Array.of(1 - p, p, q, 1 - q), 2);
    expect(pi[0]).toBeCloseTo(q / (p + q), 14);
    expect(pi[1]).toBeCloseTo(p / (p + q), 14);
  });

  it('is exact on chains far too sticky for a few thousand steps from uniform', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 20; trial++) {
      const k = 6;
      const trans = new Float64Array(k * k);
      for (let i = 0; i < k; i++) {
        // Stays of 50 to 20,000 bars; the leaving mass spread at random.
        const leave = 1 / (50 * 400 ** rng.next());
        const w = Array.from({ length: k }, (_, j) => (j === i ? 0 : rng.next()));
        const sum = w.reduce((a, b) => a + b, 0);
        for (let j = 0; j < k; j++) trans[i * k + j] = j === i ? 1 - leave : (leave * (w[j] as number)) / sum;
      }
      const pi = longRunDistribution(trans, k);
      expect(pi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
      expect(residual(trans, pi, k)).toBeLessThan(1e-15);
    }
  });

  it('falls back to the chain run from uniform where there is no unique answer (two closed classes)', () => {
    const pi = longRunDistribution(Float64Array.of(1, 0, 0, 1), 2);
    expect(Array.from(pi)).toEqual([0.5, 0.5]);
    // A state no other reaches gets nothing in the long run.
    const transient = longRunDistribution(Float64Array.of(0.5, 0.5, 0, 0, 0.9, 0.1, 0, 0.2, 0.8), 3);
    expect(transient[0]).toBe(0);
    expect(transient[1]).toBeCloseTo(2 / 3, 14);
  });
});
