import { describe, expect, it } from 'vitest';
import { Rng } from '../core/random.ts';
import { BocpdDetector, type ChangePoint } from './bocpd.ts';

/** ln Γ by Stirling's series after shifting the argument up (independent of the module's Lanczos). */
function lnGammaStirling(x: number): number {
  let shift = 0;
  while (x < 10) {
    shift -= Math.log(x);
    x += 1;
  }
  return shift + (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5);
}

/**
 * Exact run-length posterior, no truncation, written from the definition: the predictive of x
 * for a run is the ratio of Normal-Gamma evidences after and before adding x.
 */
function exactPosterior(xs: number[], hazard: number): number[] {
  const logZ = (k: number, a: number, b: number): number => lnGammaStirling(a) - a * Math.log(b) - 0.5 * Math.log(k);
  let runs = [{ p: 1, mu: 0, k: 1, a: 1, b: 1 }];
  for (const x of xs) {
    const grown = runs.map((r) => {
      const k = r.k + 1;
      const mu = (r.k * r.mu + x) / k;
      const a = r.a + 0.5;
      const b = r.b + (r.k * (x - r.mu) ** 2) / (2 * k);
      const pred = Math.exp(logZ(k, a, b) - logZ(r.k, r.a, r.b) - 0.5 * Math.log(2 * Math.PI));
      return { w: r.p * pred, next: { p: 0, mu, k, a, b } };
    });
    const cp = grown.reduce((s, g) => s + g.w * hazard, 0);
    runs = [{ p: cp, mu: 0, k: 1, a: 1, b: 1 }, ...grown.map((g) => ({ ...g.next, p: g.w * (1 - hazard) }))];
    const z = runs.reduce((s, r) => s + r.p, 0);
    for (const r of runs) r.p /= z;
  }
  return runs.map((r) => r.p);
}

describe('Bayesian online change-point detection', () => {
  it('run-length posterior equals an exact, untruncated computation from the definition', () => {
    const rng = new Rng(9);
    const xs = Array.from({ length: 120 }, (_, i) => (i < 60 ? rng.normal() : 2 + 0.5 * rng.normal()));
    const d = new BocpdDetector({ expectedRun: 50, maxRun: 200 });
    for (const x of xs) d.update(x);
    const exact = exactPosterior(xs, 1 / 50);
    for (let r = 0; r < exact.length; r++) expect(Math.abs((d.runProbabilities[r] as number) - (exact[r] as number))).toBeLessThan(1e-9);
  });

  it('finds each planted change (variance up, mean shift with variance down, mean back, both) and nothing else', () => {
    const rng = new Rng(3);
    const segs: [number, number][] = [
      [0, 1],
      [0, 3],
      [1.5, 1],
      [0, 1],
      [-1, 0.5],
    ];
    const d = new BocpdDetector();
    const found: ChangePoint[] = [];
    for (const [m, s] of segs)
      for (let k = 0; k < 300; k++) {
        const c = d.update(m + s * rng.normal());
        if (c) found.push(c);
      }
    expect(found.map((c) => c.start)).toHaveLength(4);
    for (const [j, c] of found.entries()) {
      const truth = 300 * (j + 1);
      expect(Math.abs(c.start - truth)).toBeLessThanOrEqual(5);
      expect(c.detectedAt - truth).toBeLessThanOrEqual(30);
      expect(c.detectedAt).toBeGreaterThanOrEqual(truth);
    }
  });

  it('no false alarms on 10,000 stationary draws; probabilities stay a distribution once runs are truncated', () => {
    const rng = new Rng(4);
    const d = new BocpdDetector({ maxRun: 100 });
    let alarms = 0;
    for (let i = 0; i < 10_000; i++) if (d.update(rng.normal())) alarms++;
    expect(alarms).toBe(0);
    expect(Math.abs(d.runProbabilities.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
  });
});
