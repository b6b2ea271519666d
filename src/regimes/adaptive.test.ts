import { describe, expect, it } from 'vitest';
import type { BarSeries } from '../core/market.ts';
import { Rng } from '../core/random.ts';
import { REGIMES, type Regime } from '../core/regime.ts';
import { AdaptiveRegimeClassifier } from './adaptive.ts';
import { FAMILY_HELDOUT_SEEDS, plantedSeries } from './family.ts';
import { familyCase, runClassifier } from './family-eval.ts';
import { ProfileGridFilter } from './profile-grid.ts';

const run = (s: BarSeries): Regime[] => runClassifier(s, new AdaptiveRegimeClassifier());

/** The same series with every log return multiplied by k (drift and volatility scaled together). */
function scaledReturns(s: BarSeries, k: number): BarSeries {
  const close = new Float64Array(s.close.length);
  close[0] = s.close[0] as number;
  for (let i = 1; i < close.length; i++) close[i] = (close[i - 1] as number) * ((s.close[i] as number) / (s.close[i - 1] as number)) ** k;
  return { ...s, close, open: close, high: close, low: close };
}

describe('AdaptiveRegimeClassifier', () => {
  const daily = plantedSeries(familyCase('daily-close-only').model, 2500, FAMILY_HELDOUT_SEEDS[0] as number).bars;

  it('multiplying every price by 1,000 changes no label', () => {
    const big = { ...daily, close: daily.close.map((x) => x * 1000) };
    expect(run(big)).toEqual(run(daily));
  });

  it('scaling volatility and drift together by 3 changes fewer than 2 % of labels', () => {
    const a = run(daily);
    const b = run(scaledReturns(daily, 3));
    let diff = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
    expect(diff / a.length).toBeLessThan(0.02);
  });

  it('is causal: truncating the input changes no earlier label or probability', () => {
    const full = new AdaptiveRegimeClassifier();
    const cut = new AdaptiveRegimeClassifier();
    const m = 1700;
    for (let i = 0; i < daily.close.length; i++) {
      const bar = { close: daily.close[i] as number, time: daily.time[i] as number };
      const a = full.update(bar);
      if (i >= m) continue;
      const b = cut.update(bar);
      expect(b.regime).toBe(a.regime);
      expect(Array.from(b.probabilities)).toEqual(Array.from(a.probabilities));
    }
  });

  it('classifiers sharing the calibration scratch, interleaved bar by bar, give what each gives alone', () => {
    // The hourly series' windows outgrow the daily one's, so the scratch is regrown between the
    // daily classifier's calibrations; any element one calibration left behind and another read
    // would change a probability.
    const hourly = plantedSeries(familyCase('hourly').model, 3000, FAMILY_HELDOUT_SEEDS[1] as number).bars;
    const bar = (s: BarSeries, i: number) => ({ close: s.close[i] as number, volume: s.volume[i] as number, time: s.time[i] as number });
    const alone = (s: BarSeries): number[][] => {
      const c = new AdaptiveRegimeClassifier();
      return Array.from(s.close, (_, i) => Array.from(c.update(bar(s, i)).probabilities));
    };
    const [a, b] = [new AdaptiveRegimeClassifier(), new AdaptiveRegimeClassifier()];
    const pa: number[][] = [];
    const pb: number[][] = [];
    for (let i = 0; i < hourly.close.length; i++) {
      if (i < daily.close.length) pa.push(Array.from(a.update(bar(daily, i)).probabilities));
      pb.push(Array.from(b.update(bar(hourly, i)).probabilities));
    }
    expect(pa).toEqual(alone(daily));
    expect(pb).toEqual(alone(hourly));
  });

  it('a long-running classifier keeps a bounded window of returns (every one it had seen, before)', () => {
    const c = new AdaptiveRegimeClassifier({ maxWindow: 300, windowLimit: 400 });
    const rng = new Rng(5);
    let close = 100;
    for (let i = 0; i < 6000; i++) {
      close *= Math.exp((i % 1000 < 500 ? 0.005 : 0.02) * rng.normal());
      c.update({ close, time: i * 86_400_000 });
    }
    // Room for twice what a calibration reads (windowLimit + the 20-bar trend).
    const kept = (c as unknown as { ret: Float64Array }).ret.length;
    expect(kept).toBe(2 * (400 + 20));
    expect(c.calibration?.window).toBeLessThanOrEqual(400);
    expect(c.calibrated).toBe(true);
  });

  it('a constant series is sideways, and so is one that moves on only a few bars', () => {
    const c = new AdaptiveRegimeClassifier();
    for (let i = 0; i < 600; i++) expect(c.update({ close: 100, time: i * 86_400_000 }).regime).toBe('sideways');
    const d = new AdaptiveRegimeClassifier();
    const labels: Regime[] = [];
    for (let i = 0; i < 600; i++) labels.push(d.update({ close: i % 50 === 0 ? 100.01 : 100 }).regime);
    expect(labels.slice(300).every((x) => x === 'sideways')).toBe(true);
  });

  it('without volume its probabilities are the profile grid’s from the 50th return on (before and after calibrating); with grid "never", its own fit’s', () => {
    const c = new AdaptiveRegimeClassifier();
    const own = new AdaptiveRegimeClassifier({ grid: 'never' });
    const g = new ProfileGridFilter();
    let differ = 0;
    for (let i = 0; i < 600; i++) {
      const bar = { close: daily.close[i] as number, time: daily.time[i] as number };
      const p = Array.from(c.update(bar).probabilities);
      const q = Array.from(own.update(bar).probabilities);
      if (i === 0) continue;
      const want = Array.from(g.update(Math.log((daily.close[i] as number) / (daily.close[i - 1] as number))));
      if (i >= 50) expect(p).toEqual(want);
      if (i >= 250 && q.some((x, j) => Math.abs(x - (want[j] as number)) > 1e-6)) differ++;
    }
    expect(c.calibrated).toBe(true);
    expect(differ).toBeGreaterThan(100);
  });

  it('a series too short to calibrate says so and answers with the template filter (probabilities, no NaN)', () => {
    const c = new AdaptiveRegimeClassifier();
    for (let i = 0; i < 100; i++) {
      const o = c.update({ close: daily.close[i] as number });
      expect(Math.abs(o.probabilities.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
      expect(REGIMES).toContain(o.regime);
    }
    expect(c.calibrated).toBe(false);
    for (let i = 100; i < 400; i++) c.update({ close: daily.close[i] as number });
    expect(c.calibrated).toBe(true);
  });

  it('a gap in time (a month of missing days) is not mistaken for volatility', () => {
    // A calm drifting walk; 30 days are missing in the middle and the price moved over them as it would in 30 days.
    const n = 1200;
    const time = new Float64Array(n);
    const close = new Float64Array(n);
    let p = 100;
    let t = 0;
    let u = 12345;
    const normal = (): number => {
      // Small LCG-based Box-Muller: deterministic, no dependency on the classifier's own RNG.
      u = (u * 1103515245 + 12345) % 2147483648;
      const a = (u + 1) / 2147483649;
      u = (u * 1103515245 + 12345) % 2147483648;
      const b = (u + 1) / 2147483649;
      return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * b);
    };
    for (let i = 0; i < n; i++) {
      const days = i === 800 ? 31 : 1;
      t += days * 86_400_000;
      p *= Math.exp(0.008 * Math.sqrt(days) * normal());
      time[i] = t;
      close[i] = p;
    }
    const c = new AdaptiveRegimeClassifier();
    const labels: Regime[] = [];
    for (let i = 0; i < n; i++) labels.push(c.update({ close: close[i] as number, time: time[i] as number }).regime);
    for (let i = 800; i < 810; i++) expect(['crash', 'high_volatility']).not.toContain(labels[i]);
  });

  it('intraday bars: volatility that follows the clock (3× for 4 hours a day) is not read as regime changes', () => {
    // 200 days of 30-minute bars, one regime throughout, rough between 14:00 and 18:00 every day.
    const rng = new Rng(99);
    const c = new AdaptiveRegimeClassifier();
    let p = 1.2;
    let wild = 0;
    let rough = 0;
    for (let i = 0; i < 200 * 48; i++) {
      const t = Date.UTC(1999, 0, 4) + i * 1_800_000;
      const hour = (t / 3_600_000) % 24;
      const busy = hour >= 14 && hour < 18;
      p *= Math.exp((busy ? 0.003 : 0.001) * rng.normal());
      const o = c.update({ close: p, time: t });
      if (i >= 100 * 48 && busy) {
        rough++;
        if (o.regime === 'high_volatility' || o.regime === 'crash') wild++;
      }
    }
    expect(wild / rough).toBeLessThan(0.1);
  });

  it('uses volume only where it follows the volatility on the series itself', () => {
    const seed = FAMILY_HELDOUT_SEEDS[1] as number;
    const informative = new AdaptiveRegimeClassifier();
    runClassifier(plantedSeries(familyCase('daily').model, 1500, seed).bars, informative);
    expect(informative.calibration?.useVolume).toBe(true);
    const noise = new AdaptiveRegimeClassifier();
    runClassifier(plantedSeries(familyCase('daily-vol-noise').model, 1500, seed).bars, noise);
    expect(noise.calibration?.useVolume).toBe(false);
  });

  it('forecasts: probabilities h bars ahead sum to 1 and settle as h grows; the grid’s own where it answers, the fitted chain’s with grid "never"', () => {
    for (const grid of ['auto', 'never'] as const) {
      const c = new AdaptiveRegimeClassifier({ grid });
      runClassifier(daily, c);
      const f1 = Float64Array.from(c.forecast(1));
      const f2000 = Float64Array.from(c.forecast(2000));
      const f4000 = Float64Array.from(c.forecast(4000));
      for (const f of [f1, f2000, f4000]) expect(Math.abs(f.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
      let d = 0;
      for (let j = 0; j < 6; j++) d += Math.abs((f2000[j] as number) - (f4000[j] as number));
      expect(d).toBeLessThan(0.01);
      // A bar ahead the grid's regimes persist, so its forecast stays near today's probabilities
      // (the fitted chain's is hedged toward its long-run distribution, by 0.2).
      let d1 = 0;
      for (let j = 0; j < 6; j++) d1 += Math.abs((f1[j] as number) - (c.probabilities[j] as number));
      if (grid === 'auto') expect(d1).toBeLessThan(0.05);
    }
  });
});
