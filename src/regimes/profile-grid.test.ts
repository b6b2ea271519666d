import { describe, expect, it } from 'vitest';
import { Rng } from '../core/random.ts';
import { REGIMES, type Regime } from '../core/regime.ts';
import { scoreRegimes } from './evaluate.ts';
import { oracleFilter, type PlantedModel, plantedSeries } from './family.ts';
import { ProfileGridFilter } from './profile-grid.ts';

const K = REGIMES.length;
const at = (r: Regime): number => REGIMES.indexOf(r);

/**
 * One grid point's model written out from the definitions the filter documents, as a dense
 * transition matrix (independent of the filter's O(6) transition step): the regimes' volatilities
 * on the template's log profile with the wildest `spread` × the calmest, drifts from the per-day
 * Sharpe ratios, calm regimes staying `stay` bars and the brief ones a tenth of that, leaving
 * uniformly to the regimes allowed (recovery only from crash or high volatility), a crash half
 * the time into recovery.
 */
function pointModel(scale: number, spread: number, stay: number): PlantedModel {
  const template: Record<Regime, number> = { sideways: 0.6, bull: 0.85, bear: 1.2, recovery: 1.6, high_volatility: 2.5, crash: 3.5 };
  const sharpe: Record<Regime, number> = { bull: 0.1, bear: -0.1, sideways: 0, high_volatility: 0, crash: -0.3, recovery: 0.2 };
  const sigma = Float64Array.from(REGIMES, (r) => scale * spread ** (Math.log(template[r] / 0.6) / Math.log(3.5 / 0.6)));
  const mu = Float64Array.from(REGIMES, (r, j) => sharpe[r] * (sigma[j] as number));
  const trans = new Float64Array(K * K);
  const brief = new Set<Regime>(['recovery', 'high_volatility', 'crash']);
  REGIMES.forEach((from, i) => {
    const s = 1 - 1 / Math.max(2, brief.has(from) ? stay / 10 : stay);
    const targets = REGIMES.filter((to) => to !== from && (to !== 'recovery' || from === 'crash' || from === 'high_volatility'));
    for (const to of targets) {
      const share = from === 'crash' ? (to === 'recovery' ? 0.5 : 0.5 / (targets.length - 1)) : 1 / targets.length;
      trans[i * K + at(to)] = (1 - s) * share;
    }
    trans[i * K + i] = s;
  });
  return { mu, sigma, trans, volume: 'none', barMs: 86_400_000 };
}

/** Forward filter of a dense model from equal probabilities, per bar (the reference). */
function denseFilter(m: PlantedModel, returns: readonly number[]): Float64Array[] {
  let p = new Float64Array(K).fill(1 / K);
  return returns.map((r) => {
    const next = new Float64Array(K);
    let total = 0;
    for (let j = 0; j < K; j++) {
      let prior = 0;
      for (let i = 0; i < K; i++) prior += (p[i] as number) * (m.trans[i * K + j] as number);
      const z = (r - (m.mu[j] as number)) / (m.sigma[j] as number);
      next[j] = (prior * Math.exp(-0.5 * z * z)) / (m.sigma[j] as number);
      total += next[j] as number;
    }
    p = next.map((x) => x / total);
    return p;
  });
}

function returns(n: number, seed: number, sd = 0.01): number[] {
  const rng = new Rng(seed);
  // Calm, then a rough stretch, then calm: every regime gets some weight somewhere.
  return Array.from({ length: n }, (_, t) => sd * (t > n / 3 && t < n / 2 ? 3 : 1) * rng.normal());
}

describe('ProfileGridFilter', () => {
  it('one grid point is the forward filter of the model its definitions describe (dense matrix, computed independently)', () => {
    const r = returns(400, 7);
    const g = new ProfileGridFilter({ levels: [0, 0, 1], spreads: [5], stays: [40] });
    const got = r.map((x) => Float64Array.from(g.update(x)));
    // Before the anchor (50 returns): equal probabilities. Then the filter from the first return, in units of the anchor.
    for (let t = 0; t < 49; t++) for (let j = 0; j < K; j++) expect(got[t]?.[j]).toBe(1 / K);
    const abs = r
      .slice(0, 50)
      .map(Math.abs)
      .sort((a, b) => a - b);
    const scale = (abs[25] as number) / 0.6745;
    const want = denseFilter(pointModel(scale, 5, 40), r);
    for (let t = 49; t < r.length; t++) for (let j = 0; j < K; j++) expect(got[t]?.[j]).toBeCloseTo(want[t]?.[j] as number, 10);
  });

  it('multiplying every return by 1,000 changes no probability', () => {
    const r = returns(800, 11);
    const a = new ProfileGridFilter();
    const b = new ProfileGridFilter();
    for (const x of r) {
      const pa = a.update(x);
      const pb = b.update(1000 * x);
      for (let j = 0; j < K; j++) expect(pb[j]).toBeCloseTo(pa[j] as number, 9);
    }
  });

  it('on series drawn from one of its grid points, once it has seen a few regimes it labels as well as that point’s own filter (the oracle)', () => {
    // Level, spread and durations unknown to it; the oracle knows them and the first regime.
    // Bayes over the grid pays while it learns them (the first 2,000 bars: 0–6 points on these
    // seeds) and then converges on the oracle.
    const model = pointModel(0.012, 5, 160);
    const gaps = [1, 2, 3].map((seed) => {
      const { bars, regime: truth } = plantedSeries(model, 8000, seed);
      const g = new ProfileGridFilter();
      const labels: Regime[] = [];
      for (let t = 0; t < bars.close.length; t++) {
        const r = Math.log((bars.close[t] as number) / (t === 0 ? 100 : (bars.close[t - 1] as number)));
        const p = g.update(r);
        let best = 0;
        for (let j = 1; j < K; j++) if ((p[j] as number) > (p[best] as number)) best = j;
        labels.push(REGIMES[best] as Regime);
      }
      const oracle = oracleFilter(model, bars).regime;
      const later = (x: Regime[]): number => scoreRegimes(truth.slice(2000), x.slice(2000)).balancedAccuracy;
      expect(later(oracle)).toBeGreaterThan(0.55);
      return later(oracle) - later(labels);
    });
    for (const gap of gaps) expect(gap).toBeLessThan(0.04);
    expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeLessThan(0.02);
  });

  it('its state goes through JSON and goes on exactly; a state that does not fit the grid is refused', () => {
    const r = returns(900, 5);
    const a = new ProfileGridFilter();
    for (const x of r.slice(0, 600)) a.update(x);
    const saved = JSON.parse(JSON.stringify(a.state()));
    const b = ProfileGridFilter.restore(saved);
    expect(Array.from(b.probabilities)).toEqual(Array.from(a.probabilities));
    for (const x of r.slice(600)) expect(Array.from(b.update(x))).toEqual(Array.from(a.update(x)));
    expect(new ProfileGridFilter().state()).toBeNull();
    // A return that is not a finite number (a bad price upstream) is skipped, not filtered.
    const before = Array.from(b.probabilities);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) expect(Array.from(b.update(bad))).toEqual(before);
    expect(() => ProfileGridFilter.restore({ ...saved, logLik: saved.logLik.slice(1) })).toThrow(/grid points/);
    expect(() => ProfileGridFilter.restore({ ...saved, scale: -1 })).toThrow(/scale/);
    expect(() => ProfileGridFilter.restore({ ...saved, p: saved.p.map(() => 2) })).toThrow(/probability/);
    expect(() => ProfileGridFilter.restore({ ...saved, points: [...saved.points].reverse() })).toThrow(/indices/);
    expect(() => ProfileGridFilter.restore({ ...saved, points: saved.points.map((g: number) => g + 100_000) })).toThrow(/indices/);
  });

  it('dropping the points 100 nats behind changes no probability, and most points go once regimes have been seen', () => {
    // The reference is the same grid keeping every point (exact Bayes over it).
    const model = pointModel(0.01, 7, 80);
    for (const seed of [1, 2]) {
      const { bars } = plantedSeries(model, 3000, seed);
      const exact = new ProfileGridFilter({ prune: Number.POSITIVE_INFINITY });
      const pruned = new ProfileGridFilter();
      for (let t = 1; t < bars.close.length; t++) {
        const r = Math.log((bars.close[t] as number) / (bars.close[t - 1] as number));
        const a = exact.update(r);
        const b = pruned.update(r);
        for (let j = 0; j < K; j++) expect(Math.abs((b[j] as number) - (a[j] as number))).toBeLessThan(1e-12);
      }
      const kept = pruned.state()?.points?.length ?? Number.NaN;
      const all = exact.state()?.points?.length ?? Number.NaN;
      expect(all).toBe(2322);
      expect(kept).toBeLessThan(0.25 * all);
    }
  });

  it('a state written before pruning (every point, no index list) goes on exactly', () => {
    const r = returns(900, 9);
    const a = new ProfileGridFilter({ prune: Number.POSITIVE_INFINITY });
    for (const x of r.slice(0, 500)) a.update(x);
    const s = a.state();
    if (!s?.points) throw new Error('no state');
    // Every point listed, in order: the former layout with the index list left out.
    expect(s.points).toEqual(Array.from({ length: 2322 }, (_, g) => g));
    const { points: _, ...former } = JSON.parse(JSON.stringify(s));
    const b = ProfileGridFilter.restore(former, { prune: Number.POSITIVE_INFINITY });
    for (const x of r.slice(500)) expect(Array.from(b.update(x))).toEqual(Array.from(a.update(x)));
  });
});
