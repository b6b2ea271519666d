import { describe, expect, it } from 'vitest';
import { Rng } from './random.ts';

describe('Rng', () => {
  it('is deterministic by seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });
  it('has the moments of its distributions (n = 200k, 5-sigma tolerances)', () => {
    const r = new Rng(7);
    const n = 200_000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    let se = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
      su += u;
      const z = r.normal();
      sn += z;
      sn2 += z * z;
      se += r.exponential(2);
    }
    expect(Math.abs(su / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(sn / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(sn2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(se / n - 2)).toBeLessThan(5 * (2 / Math.sqrt(n)));
  });
  it('picks by weight', () => {
    const r = new Rng(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[r.pick([1, 2, 0])]!++;
    expect(counts[2]).toBe(0);
    expect(counts[1]! / counts[0]!).toBeGreaterThan(1.85);
    expect(counts[1]! / counts[0]!).toBeLessThan(2.15);
  });
});
