import { describe, expect, it } from 'vitest';
import { Rng } from '../core/random.ts';
import { MixtureCalibrator, WalkForwardCalibrator } from './calibrate.ts';
import { eceFloor, reliability } from './evaluate.ts';

/**
 * A stream of signals, one every 5 bars, whose true probability of being right is known:
 * `truth(side, strength)`. The calibrator sees each outcome once its horizon has passed.
 */
function stream(
  method: 'platt' | 'isotonic',
  truth: (side: 'buy' | 'sell', x: number, k: number) => number,
  n: number,
  seed: number,
  mixture = false,
) {
  const rng = new Rng(seed);
  const cal = mixture ? new MixtureCalibrator({ method, horizon: 5 }) : new WalkForwardCalibrator({ method, horizon: 5 });
  const out: { p: number; truth: number; base: number; y: number }[] = [];
  const pending: { index: number; side: 'buy' | 'sell'; x: number; y: number }[] = [];
  for (let k = 0; k < n; k++) {
    const index = 5 * k;
    // Outcomes resolve at index + horizon: add those that have (the engine does the same).
    while (pending.length && (pending[0] as { index: number }).index + 5 <= index) {
      const q = pending.shift() as { index: number; side: 'buy' | 'sell'; x: number; y: number };
      cal.add(q.index, q.side, q.x, q.y === 1);
    }
    const side = rng.next() < 0.5 ? 'buy' : 'sell';
    const x = rng.next();
    const t = truth(side, x, k);
    const y = rng.next() < t ? 1 : 0;
    out.push({ p: cal.predict(index, side, x), truth: t, base: cal.baseRate(index), y });
    pending.push({ index, side, x, y });
  }
  return out;
}

const brier = (p: number[], y: number[]): number => p.reduce((a, q, k) => a + (q - (y[k] as number)) ** 2, 0) / p.length;

describe('walk-forward calibrator', () => {
  it('purged and embargoed: an outcome is not used before index + horizon + embargo', () => {
    const a = new WalkForwardCalibrator({ horizon: 5, embargo: 3, minTrain: 1 });
    for (let i = 0; i < 40; i++) a.add(10 * i, 'buy', 0.5, i % 3 === 0);
    // At bar 100, outcomes with index ≤ 92 are usable: indices 0..90, ten of them (4 hits).
    expect(a.baseRate(100)).toBeCloseTo((4 + 1) / (10 + 2), 12);
    // One bar later nothing new is eligible; at bar 108 the signal of bar 100 becomes usable.
    expect(a.baseRate(101)).toBeCloseTo(5 / 12, 12);
    expect(a.baseRate(108)).toBeCloseTo((4 + 1) / (11 + 2), 12);
    expect(a.baseRate(128)).toBeCloseTo((5 + 1) / (13 + 2), 12);
    // A prediction does not depend on outcomes that are not yet eligible.
    const b = new WalkForwardCalibrator({ horizon: 5, embargo: 3 });
    const c = new WalkForwardCalibrator({ horizon: 5, embargo: 3 });
    for (let i = 0; i < 60; i++) {
      b.add(10 * i, i % 2 ? 'buy' : 'sell', (i % 7) / 7, i % 3 === 0);
      c.add(10 * i, i % 2 ? 'buy' : 'sell', (i % 7) / 7, i % 3 === 0);
    }
    c.add(600, 'buy', 0.9, true);
    c.add(605, 'buy', 0.9, true);
    expect(c.predict(607, 'buy', 0.9)).toBe(b.predict(607, 'buy', 0.9));
  });

  for (const method of ['platt', 'isotonic'] as const) {
    it(`${method}: on signals whose strength carries information, calibrated out of sample and at least half the oracle's Brier skill`, () => {
      // True probability rises with strength; for Platt, buys are also right more often (a drifting
      // market). Isotonic reads strength only, so its truth has no side term.
      const sideTerm = method === 'platt' ? 0.05 : 0;
      const truth = (side: 'buy' | 'sell', x: number): number => 0.35 + 0.3 * x + (side === 'buy' ? sideTerm : -sideTerm);
      const r = stream(method, truth, 4000, 1).slice(500);
      const p = r.map((o) => o.p);
      const y = r.map((o) => o.y);
      const ref = brier(
        r.map((o) => o.base),
        y,
      );
      const skill = 1 - brier(p, y) / ref;
      const oracle =
        1 -
        brier(
          r.map((o) => o.truth),
          y,
        ) /
          ref;
      expect(oracle).toBeGreaterThan(0.02);
      expect(skill).toBeGreaterThan(0.5 * oracle);
      // Calibration error within sampling noise: the floor is what the truth itself would show.
      expect(reliability(p, y).ece).toBeLessThan(eceFloor(p) + 0.02);
    });

    it(`${method}: on signals with no information, stays near the base rate (no invented confidence)`, () => {
      const r = stream(method, () => 0.55, 1500, 2).slice(300);
      const p = r.map((o) => o.p);
      for (const q of p) expect(Math.abs(q - 0.55)).toBeLessThan(0.08);
      const y = r.map((o) => o.y);
      expect(
        1 -
          brier(p, y) /
            brier(
              r.map((o) => o.base),
              y,
            ),
      ).toBeGreaterThan(-0.01);
    });
  }

  it('platt, no information: the confidences collapse onto the base rate — their spread is within the base rate’s own sampling error', () => {
    const sd = (xs: number[]): number => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
    };
    // 1,500 signals right 55 % of the time whatever their strength and side; scored from the 300th,
    // when about 298 outcomes are eligible: a base rate estimated from them has a sampling error of
    // √(0.55 · 0.45 / 298) ≈ 0.029. The slopes, fitted to noise, must not add to the spread: the
    // single calibrator's confidences move no more than its walk-forward base rate does.
    const one = stream('platt', () => 0.55, 1500, 2).slice(300);
    const p = one.map((o) => o.p);
    expect(sd(p)).toBeLessThan(Math.sqrt((0.55 * 0.45) / 298));
    expect(sd(p)).toBeLessThan(sd(one.map((o) => o.base)) + 0.001);
    // The mixture's shortest memory (half-life 100 signals) estimates the base rate from an
    // effective (1 + d) / (1 − d) ≈ 289 outcomes (d = 0.5^(1/100)): its spread is bounded by that error.
    const d = 0.5 ** (1 / 100);
    const mixed = stream('platt', () => 0.55, 1500, 2, true)
      .slice(300)
      .map((o) => o.p);
    expect(sd(mixed)).toBeLessThan(Math.sqrt((0.55 * 0.45 * (1 - d)) / (1 + d)));
    // Short streams (150 signals, as on the real daily series): the confidences spread less than the
    // plain walk-forward hit rate (Beta(1, 1)) would, on average over 40 streams.
    let spread = 0;
    let plain = 0;
    for (let seed = 100; seed < 140; seed++) {
      const r = stream('platt', () => 0.55, 150, seed, true);
      spread += sd(r.map((o) => o.p));
      plain += sd(r.map((o) => o.base));
    }
    expect(spread).toBeLessThan(0.8 * plain);
  });

  it('adaptive memory: after the base rate shifts, the mixture follows and the all-past calibrator lags; the mixture does not peek either', () => {
    // Right 65 % of the time for 1,500 signals, then 40 %: momentum that faded.
    const truth = (_side: 'buy' | 'sell', _x: number, k: number): number => (k < 1500 ? 0.65 : 0.4);
    const afterShift = (mixture: boolean) => stream('platt', truth, 2500, 3, mixture).slice(1500);
    const ece = (r: { p: number; y: number }[]) =>
      reliability(
        r.map((o) => o.p),
        r.map((o) => o.y),
      ).ece;
    const mixed = afterShift(true);
    const all = afterShift(false);
    expect(ece(mixed)).toBeLessThan(ece(all));
    // On the last 500 signals the mixture states about the new rate.
    const tail = mixed.slice(-500);
    expect(Math.abs(tail.reduce((a, o) => a + o.p, 0) / tail.length - 0.4)).toBeLessThan(0.05);
    // Outcomes not yet eligible change nothing, in the members or in their weights.
    const a = new MixtureCalibrator({ horizon: 5, embargo: 3 });
    const b = new MixtureCalibrator({ horizon: 5, embargo: 3 });
    for (let i = 0; i < 200; i++) {
      const side = i % 2 ? 'buy' : 'sell';
      const pa = a.predict(10 * i, side, (i % 7) / 7);
      const pb = b.predict(10 * i, side, (i % 7) / 7);
      expect(pa).toBe(pb);
      a.add(10 * i, side, (i % 7) / 7, i % 3 === 0);
      b.add(10 * i, side, (i % 7) / 7, i % 3 === 0);
    }
    b.add(2000, 'buy', 0.9, true);
    b.add(2005, 'buy', 0.9, true);
    expect(b.predict(2007, 'buy', 0.9)).toBe(a.predict(2007, 'buy', 0.9));
  });

  it('a long stream keeps a bounded number of outcomes (at most 20,000) and stays calibrated past them', () => {
    const truth = (side: 'buy' | 'sell', x: number): number => 0.35 + 0.3 * x + (side === 'buy' ? 0.05 : -0.05);
    const rng = new Rng(9);
    const cal = new WalkForwardCalibrator({ method: 'platt', horizon: 5, halfLife: 300 });
    const p: number[] = [];
    const y: number[] = [];
    for (let k = 0; k < 45_000; k++) {
      // Each outcome is known at once here: every one 10 bars old is eligible (horizon + embargo).
      const side = rng.next() < 0.5 ? 'buy' : 'sell';
      const x = rng.next();
      const hit = rng.next() < truth(side, x) ? 1 : 0;
      if (k >= 40_000) {
        p.push(cal.predict(10 * k, side, x));
        y.push(hit);
      }
      cal.add(10 * k, side, x, hit === 1);
    }
    cal.predict(10 * 45_000, 'buy', 0.5);
    expect(cal.keptOutcomes).toBeLessThanOrEqual(20_000);
    expect(cal.keptOutcomes).toBeGreaterThanOrEqual(10_000);
    expect(reliability(p, y).ece).toBeLessThan(eceFloor(p) + 0.02);
  });

  it('adaptive memory on a stationary stream: still calibrated within sampling noise', () => {
    const truth = (side: 'buy' | 'sell', x: number): number => 0.35 + 0.3 * x + (side === 'buy' ? 0.05 : -0.05);
    const r = stream('platt', truth, 3000, 4, true).slice(500);
    const p = r.map((o) => o.p);
    expect(
      reliability(
        p,
        r.map((o) => o.y),
      ).ece,
    ).toBeLessThan(eceFloor(p) + 0.02);
  });
});
