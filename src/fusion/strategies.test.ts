import { describe, expect, it } from 'vitest';
import { V1Fuser } from './strategies.ts';

const MIN = 60_000;

/** Three sources in conflict: a = 1.1000 (weight 3), b = 1.1010 (weight 1), c = 1.1030 (weight 2). */
function conflicted(method: ConstructorParameters<typeof V1Fuser>[0]): V1Fuser {
  const f = new V1Fuser(method, { weights: { a: 3, c: 2 } });
  f.update('a', 1.1, 10 * MIN + 5_000);
  f.update('b', 1.101, 10 * MIN + 50_000);
  f.update('c', 1.103, 11 * MIN + 1_000);
  return f;
}

describe('V1Fuser', () => {
  it('takes the plain mean when the fresh sources agree within the threshold, whatever the weights', () => {
    const f = new V1Fuser('highest-confidence', { weights: { a: 10 }, conflictThreshold: 0.0005 });
    f.update('a', 1.1, 0);
    f.update('b', 1.1002, 1000);
    f.update('c', 1.1004, 2000);
    // Range 0.0004 ≤ 0.0005: (1.1 + 1.1002 + 1.1004) / 3 = 1.1002.
    expect(f.value(3000, 5000)).toBeCloseTo(1.1002, 12);
    expect(f.conflict).toBe(false);
    expect(f.fresh).toBe(3);
    expect(f.slots.map((s) => s.used)).toEqual([true, true, true]);
  });

  it('weighted-average resolves a conflict with the fixed weights', () => {
    const f = conflicted('weighted-average');
    // (3·1.1 + 1·1.101 + 2·1.103) / 6 = 6.607 / 6.
    expect(f.value(11 * MIN + 2_000, 5 * MIN)).toBeCloseTo(6.607 / 6, 12);
    expect(f.conflict).toBe(true);
  });

  it('highest-confidence takes the heaviest fresh source, and ties average', () => {
    const f = conflicted('highest-confidence');
    expect(f.value(11 * MIN + 2_000, 5 * MIN)).toBeCloseTo(1.1, 12);
    expect(f.slots.filter((s) => s.used).map((s) => s.source)).toEqual(['a']);
    // a ages out after 2 minutes: c (weight 2) is the heaviest left.
    expect(f.value(10 * MIN + 5_000 + 2 * MIN + 1, 2 * MIN)).toBeCloseTo(1.103, 12);
    // Default weights, all equal: the tie is the mean of the tied sources.
    const g = new V1Fuser('highest-confidence');
    g.update('x', 100, 0);
    g.update('y', 102, 0);
    expect(g.value(0, 1000)).toBeCloseTo(101, 12);
  });

  it('most-recent compares minute-floored times: same-minute quotes tie and are weight-averaged', () => {
    const f = conflicted('most-recent');
    // c is in minute 11, a and b in minute 10: c wins.
    expect(f.value(11 * MIN + 2_000, 5 * MIN)).toBeCloseTo(1.103, 12);
    // A quote from b in minute 11 too: b and c tie on the floored time → (1·1.1015 + 2·1.103) / 3.
    f.update('b', 1.1015, 11 * MIN + 59_000);
    expect(f.value(11 * MIN + 59_500, 5 * MIN)).toBeCloseTo((1.1015 + 2 * 1.103) / 3, 12);
    // With the floor off, b's later exact time wins alone.
    const g = new V1Fuser('most-recent', { floorMs: 0 });
    g.update('c', 1.103, 11 * MIN + 1_000);
    g.update('b', 1.1015, 11 * MIN + 59_000);
    expect(g.value(11 * MIN + 59_500, 5 * MIN)).toBeCloseTo(1.1015, 12);
  });

  it('median: odd count takes the middle, even count the mean of the middle two', () => {
    const f = conflicted('median');
    expect(f.value(11 * MIN + 2_000, 5 * MIN)).toBeCloseTo(1.101, 12);
    f.update('d', 1.2, 11 * MIN + 3_000);
    // Sorted 1.1, 1.101, 1.103, 1.2: (1.101 + 1.103) / 2.
    expect(f.value(11 * MIN + 3_000, 5 * MIN)).toBeCloseTo(1.102, 12);
  });

  it('judges freshness on the exact time, not the floored one, and gives NaN when nothing is fresh', () => {
    const f = new V1Fuser('median');
    f.update('a', 10, 59_000);
    // Floored to 0, but the quote is only 2 s old at 61 s: fresh under a 5 s limit.
    expect(f.value(61_000, 5_000)).toBe(10);
    expect(f.value(64_001, 5_000)).toBeNaN();
    expect(f.fresh).toBe(0);
    expect(new V1Fuser('weighted-average').value(0, 1000)).toBeNaN();
  });

  it('a later update of a source replaces its earlier price', () => {
    const f = new V1Fuser('weighted-average', { weights: { a: 2 } });
    f.update('a', 10, 0);
    f.update('b', 20, 0);
    f.update('a', 14, 1000);
    // (2·14 + 1·20) / 3 = 16.
    expect(f.value(1000, 5000)).toBeCloseTo(16, 12);
    expect(f.slots).toHaveLength(2);
  });

  it('refuses non-positive weights and negative parameters', () => {
    expect(() => new V1Fuser('median', { weights: { a: 0 } })).toThrow(/weight of "a"/);
    expect(() => new V1Fuser('median', { conflictThreshold: -1 })).toThrow(/conflictThreshold/);
    expect(() => new V1Fuser('median', { floorMs: -5 })).toThrow(/floorMs/);
    expect(() => new V1Fuser('mean' as 'median')).toThrow(/unknown v1 method/);
  });
});
