import { describe, expect, it } from 'vitest';
import { Rng } from '../core/random.ts';
import { plantedSeries } from './family.ts';
import { familyCase } from './family-eval.ts';
import { volumeEvidence } from './volume-evidence.ts';

/** The gate the adaptive classifier uses (its `volumeEvidence` default). */
const GATE = 4;

/** Returns and log volumes of consecutive `width`-bar windows of planted series, and whether each window holds two regimes of 50 bars or more. */
function windows(id: string, width: number, seeds: number): { r: Float64Array; lv: Float64Array; twoRegimes: boolean }[] {
  const model = familyCase(id).model;
  const out: { r: Float64Array; lv: Float64Array; twoRegimes: boolean }[] = [];
  for (let seed = 100; seed < 100 + seeds; seed++) {
    const { bars, regime } = plantedSeries(model, 4 * width + 1, seed);
    for (let w = 0; w < 4; w++) {
      const lo = 1 + w * width;
      const r = Float64Array.from({ length: width }, (_, i) =>
        Math.log((bars.close[lo + i] as number) / (bars.close[lo + i - 1] as number)),
      );
      const lv = Float64Array.from({ length: width }, (_, i) => Math.log(bars.volume[lo + i] as number));
      const counts = new Map<string, number>();
      for (let i = lo; i < lo + width; i++) counts.set(regime[i] as string, (counts.get(regime[i] as string) ?? 0) + 1);
      out.push({ r, lv, twoRegimes: [...counts.values()].filter((x) => x >= 50).length >= 2 });
    }
  }
  return out;
}

/** Plain correlation of log volume with log |return|, times √n (the gate this statistic replaced). */
function correlationZ(r: Float64Array, lv: Float64Array): number {
  const n = r.length;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const x = Math.log(Math.abs(r[i] as number) + 1e-5);
    const y = lv[i] as number;
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
  const cov = sxy / n - (sx / n) * (sy / n);
  return (cov / Math.sqrt((sxx / n - (sx / n) ** 2) * (syy / n - (sy / n) ** 2))) * Math.sqrt(n);
}

describe('volumeEvidence', () => {
  it('where volume wanders on its own (persistent, regime-free) it is about standard normal, though the plain correlation is not', () => {
    // Regime-switching returns (persistent volatility) against an AR(1) log volume (φ = 0.97)
    // that ignores them: 480 windows of 1,000 bars from two parameterisations.
    const null_ = [...windows('daily-vol-noise', 1000, 60), ...windows('fx-hourly-vol-noise', 1000, 60)];
    const t = null_.map((w) => volumeEvidence(w.r, w.lv, w.r.length, 0.01));
    const share = (xs: number[], above: number): number => xs.filter((x) => x > above).length / xs.length;
    // One-sided 5 % under N(0, 1); the AR(1) is estimated, so some slack (0.12 is 5 binomial sd above 0.05).
    expect(share(t, 1.645)).toBeLessThan(0.12);
    expect(Math.max(...t)).toBeLessThan(GATE);
    // The correlation's √n scaling ignores both series' persistence: it passes 1.645 far more often.
    expect(
      share(
        null_.map((w) => correlationZ(w.r, w.lv)),
        1.645,
      ),
    ).toBeGreaterThan(2 * share(t, 1.645));
  });

  it('where volume follows the regime’s volatility, a window that has shown two regimes passes the gate', () => {
    for (const [id, width] of [
      ['daily', 500],
      ['fx-daily', 500],
      ['hourly', 1000],
    ] as const) {
      const two = windows(id, width, 40).filter((w) => w.twoRegimes);
      expect(two.length).toBeGreaterThan(60);
      const passed = two.filter((w) => volumeEvidence(w.r, w.lv, w.r.length, 0.01) >= GATE).length;
      expect(passed / two.length).toBeGreaterThan(0.95);
    }
  });

  it('is scale-free in returns and volumes, negative where volume falls as volatility rises, 0 where nothing varies', () => {
    const [w] = windows('daily', 500, 1);
    if (!w) throw new Error('no window');
    const t = volumeEvidence(w.r, w.lv, 500, 0.01);
    const r1000 = w.r.map((x) => 1000 * x);
    const lv1000 = w.lv.map((x) => x + Math.log(1000));
    expect(volumeEvidence(r1000, lv1000, 500, 10)).toBeCloseTo(t, 9);
    expect(
      volumeEvidence(
        w.r,
        w.lv.map((x) => -x),
        500,
        0.01,
      ),
    ).toBeCloseTo(-t, 9);
    expect(volumeEvidence(w.r, new Float64Array(500).fill(13), 500, 0.01)).toBe(0);
    const rng = new Rng(5);
    const lv = Float64Array.from({ length: 500 }, () => rng.normal());
    expect(volumeEvidence(new Float64Array(500), lv, 500, 0.01)).toBe(0);
    expect(volumeEvidence(w.r, w.lv, 2, 0.01)).toBe(0);
  });
});
