import { describe, expect, it } from 'vitest';
import { Rng } from '../core/random.ts';
import {
  barStats,
  constantEceChance,
  expectedMaxSharpe,
  normCdf,
  normInv,
  positionReturns,
  probabilisticSharpe,
  reliability,
  scoreSignals,
} from './evaluate.ts';

describe('scorecard pieces', () => {
  it('normal CDF and its inverse at textbook values', () => {
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(1.959963984540054)).toBeCloseTo(0.975, 12);
    expect(normCdf(-1)).toBeCloseTo(0.15865525393145707, 12);
    expect(normCdf(3)).toBeCloseTo(0.9986501019683699, 12);
    expect(normInv(0.975)).toBeCloseTo(1.959963984540054, 9);
    expect(normInv(0.5)).toBeCloseTo(0, 12);
  });

  it('position returns: long then short, costs on the bars a position opens and closes', () => {
    const close = [100, 110, 121, 100, 100];
    const r = positionReturns(
      close,
      [
        { index: 0, side: 'buy', confidence: 0.5 },
        { index: 2, side: 'sell', confidence: 0.5 },
      ],
      2,
      0.001,
    );
    // Bar 1: long +10 % less entry; bar 2: long +10 % less exit; bar 3: short of a fall 121 → 100 less entry; bar 4: flat less exit.
    expect(Array.from(r)).toEqual([0.1 - 0.001, 0.1 - 0.001, -(100 / 121 - 1) - 0.001, -0.001].map((x) => expect.closeTo(x, 12)));
  });

  it('reliability: hand-computed ECE over ten bins', () => {
    const { ece, bins } = reliability([0.15, 0.15, 0.85, 0.85], [0, 1, 1, 1]);
    // Bin 0.1–0.2: stated 0.15, realized 0.5; bin 0.8–0.9: stated 0.85, realized 1.
    expect(ece).toBeCloseTo(0.5 * 0.35 + 0.5 * 0.15, 12);
    expect(bins.map((b) => b.n)).toEqual([2, 2]);
  });

  it('chance of ECE ≤ target for a constant, perfectly calibrated forecast: exact binomial sums, and what simulation gives', () => {
    // Σ C(n,k) pᵏ(1−p)ⁿ⁻ᵏ over |k/n − p| ≤ 0.05, summed exactly with Python's math.comb.
    expect(constantEceChance(100, 0.5, 0.05)).toBeCloseTo(0.7287469759261653, 10);
    expect(constantEceChance(150, 0.53, 0.05)).toBeCloseTo(0.8095596442718798, 10);
    expect(constantEceChance(20, 0.6, 0.05)).toBeCloseTo(0.5053265313785709, 10);
    expect(constantEceChance(10, 0, 0.05)).toBe(1);
    // Thousands of signals: no underflow (the normal approximation gives 1 − 2 · 1e-15).
    expect(constantEceChance(5000, 0.445, 0.05)).toBeCloseTo(1, 9);
    // Through the ECE itself: outcomes drawn at p, a constant forecast of p, ECE counted.
    const rng = new Rng(11);
    const n = 130;
    const p = 0.52;
    let pass = 0;
    const draws = 4000;
    for (let d = 0; d < draws; d++) {
      const y = Array.from({ length: n }, () => (rng.next() < p ? 1 : 0));
      if (reliability(new Array<number>(n).fill(p), y).ece <= 0.05) pass++;
    }
    // Binomial sampling error of the share over 4,000 draws is about 0.007.
    expect(Math.abs(pass / draws - constantEceChance(n, p, 0.05))).toBeLessThan(0.025);
  });

  it('deflated Sharpe: the best of 10 skill-less strategies passes 95 % about 5 % of the time; undeflated far more often', () => {
    const rng = new Rng(3);
    const T = 500;
    let deflatedPass = 0;
    let plainPass = 0;
    const runs = 200;
    for (let k = 0; k < runs; k++) {
      const stats = Array.from({ length: 10 }, () => barStats(Float64Array.from({ length: T }, () => rng.normal())));
      const srs = stats.map((s) => s.sr);
      const mean = srs.reduce((a, b) => a + b, 0) / srs.length;
      const v = srs.reduce((a, b) => a + (b - mean) ** 2, 0) / (srs.length - 1);
      const best = stats.reduce((a, b) => (b.sr > a.sr ? b : a));
      if (probabilisticSharpe(best.sr, expectedMaxSharpe(10, v), T, best.skew, best.kurt) > 0.95) deflatedPass++;
      if (probabilisticSharpe(best.sr, 0, T, best.skew, best.kurt) > 0.95) plainPass++;
    }
    // With 10 independent tries the best one clears an undeflated 95 % bar 1 − 0.95¹⁰ ≈ 40 % of the time.
    expect(plainPass / runs).toBeGreaterThan(0.25);
    expect(deflatedPass / runs).toBeLessThan(0.12);
    expect(expectedMaxSharpe(1, 0.01)).toBe(0);
    expect(expectedMaxSharpe(100, 0.01)).toBeGreaterThan(expectedMaxSharpe(10, 0.01));
  });

  it('scorecard: hand-computed returns after costs; coverage counts signals above each threshold', () => {
    const close = [100, 110, 121, 100];
    const time = [0, 86_400_000, 2 * 86_400_000, 3 * 86_400_000];
    const c = scoreSignals(
      'x',
      close,
      time,
      [
        { index: 0, side: 'buy', confidence: 0.6 },
        { index: 1, side: 'sell', confidence: 0.5 },
      ],
      2,
      10,
    );
    // buy 100 → 121: +21 % − 0.2 %; sell 110 → 100: +9.09 % − 0.2 %.
    expect(c.signals).toBe(2);
    expect(c.hitRate).toBe(1);
    expect(c.avgReturnBps).toBeCloseTo(((0.21 - 0.002 + (1 - 100 / 110) - 0.002) / 2) * 1e4, 6);
    expect(c.maxDrawdown).toBe(0);
    const at = (t: number) => c.coverage.find((p) => p.threshold === t);
    expect(at(0)?.signals).toBe(2);
    expect(at(0.55)?.signals).toBe(1);
    expect(at(0.55)?.coverage).toBe(1 / 4);
    expect(at(0.65)?.signals).toBe(0);
  });
});
