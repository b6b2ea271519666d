import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitMarkovSwitchingAr, markovSwitchingArLogLikelihood } from './markov-switching.ts';

// Made by scripts/hamilton-reference.py with Debian's python3-statsmodels.
const ref = JSON.parse(readFileSync(new URL('../../test/fixtures/hamilton-statsmodels.json', import.meta.url), 'utf8')) as {
  data: number[];
  p00: number;
  p11: number;
  mu: number[];
  ar: number[];
  sigma2: number;
  logLikelihood: number;
  filtered1: number[];
  smoothed1: number[];
};

describe('Hamilton (1989): two-regime Markov-switching AR(4) of US real GNP growth', () => {
  const fit = fitMarkovSwitchingAr(ref.data, { regimes: 2, order: 4 });
  const maxDiff = (a: number[], b: number[]): number => Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number))));

  it('estimates within 1e-3 of statsmodels MarkovAutoregression', () => {
    expect(fit.converged).toBe(true);
    const p = fit.params;
    expect(Math.abs(((p.trans[0] as number[])[0] as number) - ref.p00)).toBeLessThan(1e-3);
    expect(Math.abs(((p.trans[1] as number[])[1] as number) - ref.p11)).toBeLessThan(1e-3);
    expect(maxDiff(p.mu, ref.mu)).toBeLessThan(1e-3);
    expect(maxDiff(p.ar, ref.ar)).toBeLessThan(1e-3);
    expect(Math.abs(p.sigma2 - ref.sigma2)).toBeLessThan(1e-3);
    expect(Math.abs(fit.logLikelihood - ref.logLikelihood)).toBeLessThan(1e-3);
  });

  it('filtered and smoothed recession probabilities within 1e-3 of statsmodels at every quarter', () => {
    expect(fit.filtered.length).toBe(ref.filtered1.length);
    expect(
      maxDiff(
        fit.filtered.map((r) => r[1] as number),
        ref.filtered1,
      ),
    ).toBeLessThan(1e-3);
    expect(
      maxDiff(
        fit.smoothed.map((r) => r[1] as number),
        ref.smoothed1,
      ),
    ).toBeLessThan(1e-3);
  });

  it("agrees with Hamilton's published table (to its rounding)", () => {
    // Hamilton (1989), Table I: μ0 = −0.358, μ1 = 1.164, φ = (0.014, −0.058, −0.247, −0.213),
    // σ = 0.769, q = P(stay in recession) = 0.755, p = P(stay in expansion) = 0.904.
    const p = fit.params;
    expect(p.mu[0]).toBeCloseTo(-0.358, 2);
    expect(p.mu[1]).toBeCloseTo(1.164, 2);
    expect(p.ar[0]).toBeCloseTo(0.014, 2);
    expect(p.ar[1]).toBeCloseTo(-0.058, 2);
    expect(p.ar[2]).toBeCloseTo(-0.247, 2);
    expect(p.ar[3]).toBeCloseTo(-0.213, 2);
    expect(Math.sqrt(p.sigma2)).toBeCloseTo(0.769, 2);
    expect((p.trans[0] as number[])[0]).toBeCloseTo(0.755, 2);
    expect((p.trans[1] as number[])[1]).toBeCloseTo(0.904, 2);
  });

  it('the fit is a maximum: nudging any parameter lowers the likelihood', () => {
    const base = markovSwitchingArLogLikelihood(ref.data, fit.params);
    const nudged = [
      { ...fit.params, mu: [(fit.params.mu[0] as number) + 0.02, fit.params.mu[1] as number] },
      { ...fit.params, sigma2: fit.params.sigma2 * 1.02 },
      { ...fit.params, ar: fit.params.ar.map((v, i) => (i === 2 ? v + 0.02 : v)) },
    ];
    for (const q of nudged) expect(markovSwitchingArLogLikelihood(ref.data, q)).toBeLessThan(base);
  });
});
