import { describe, expect, it } from 'vitest';
import { Rng } from '../core/random.ts';
import { trendAndVolatility } from './trend.ts';

function walk(n: number, drift: (i: number) => number, vol: (i: number) => number, seed = 7): Float64Array {
  const rng = new Rng(seed);
  const c = new Float64Array(n);
  c[0] = 100;
  for (let i = 1; i < n; i++) c[i] = (c[i - 1] as number) * Math.exp(drift(i) + vol(i) * rng.normal());
  return c;
}

describe('trend and volatility regime', () => {
  it('trend follows the drift: positive in a steady rise, negative in a steady fall, in −1..1', () => {
    const c = walk(
      600,
      (i) => (i < 300 ? 0.004 : -0.004),
      () => 0.01,
    );
    const { trend } = trendAndVolatility(c);
    const mean = (a: number, b: number) => Array.from(trend.subarray(a, b)).reduce((s, x) => s + x, 0) / (b - a);
    expect(mean(100, 300)).toBeGreaterThan(0.5);
    expect(mean(400, 600)).toBeLessThan(-0.5);
    for (const x of trend) if (!Number.isNaN(x)) expect(Math.abs(x)).toBeLessThanOrEqual(1);
  });

  it('is scale-free: the same moves at 1,000× the price give the same trend', () => {
    const c = walk(
      500,
      () => 0.002,
      () => 0.01,
    );
    const a = trendAndVolatility(c).trend;
    const b = trendAndVolatility(c.map((x) => x * 1000)).trend;
    for (let i = 0; i < c.length; i++) if (!Number.isNaN(a[i] as number)) expect(b[i]).toBeCloseTo(a[i] as number, 9);
  });

  it('volatility regime: high in a stretch 3× as volatile as the series, low in one a third as volatile', () => {
    const c = walk(
      1500,
      () => 0,
      (i) => (i >= 1000 && i < 1200 ? 0.03 : i >= 1300 ? 0.003 : 0.01),
    );
    const { volatilityRegime } = trendAndVolatility(c);
    const share = (a: number, b: number, v: string) => volatilityRegime.slice(a, b).filter((x) => x === v).length / (b - a);
    expect(share(1030, 1200, 'high')).toBeGreaterThan(0.9);
    expect(share(1330, 1500, 'low')).toBeGreaterThan(0.9);
  });
});
