import { describe, expect, it } from 'vitest';
import { Rng } from '../core/random.ts';
import { ExpandingQuantile } from './quantile.ts';

describe('ExpandingQuantile', () => {
  it('tracks the exact expanding quantile to within one bin, through a change of scale', () => {
    const rng = new Rng(1);
    for (const q of [0.1, 0.5, 0.9]) {
      const eq = new ExpandingQuantile(q, -10, 10, 0.01);
      const xs: number[] = [];
      for (let i = 0; i < 5000; i++) {
        const x = rng.normal() * (i > 2500 ? 2 : 1) + (i > 4000 ? 1 : 0);
        xs.push(x);
        eq.add(x);
        if (i % 97 === 0) {
          const sorted = [...xs].sort((a, b) => a - b);
          const exact = sorted[Math.floor(q * (sorted.length - 1))] as number;
          expect(Math.abs(eq.value() - exact)).toBeLessThanOrEqual(0.01);
        }
      }
    }
  });

  it('NaN before any value; values outside the range land in the end bins; non-finite values are ignored', () => {
    const eq = new ExpandingQuantile(0.5, 0, 1, 0.1);
    expect(eq.value()).toBeNaN();
    eq.add(Number.NaN);
    expect(eq.count).toBe(0);
    for (const x of [-5, -5, -5]) eq.add(x);
    expect(eq.value()).toBeCloseTo(0.05, 12);
    for (const x of [50, 50, 50, 50]) eq.add(x);
    expect(eq.value()).toBe(1);
  });
});
