import { describe, expect, it } from 'vitest';
import type { SeriesReport } from './report.ts';
import { calibrationVerdict, type SuiteSeries } from './suite.ts';

const spec = (name: string, extra: Partial<SuiteSeries> = {}): SuiteSeries => ({
  name,
  file: `${name}.csv`,
  csv: { timeFormat: 'auto' },
  costBps: 5,
  timeframes: ['1d'],
  ...extra,
});
const card = (signals: number, ece: number, eceFloor: number, eceChance: number, eceTargetChance: number, kind = 'strategy') =>
  ({ kind, signals, ece, eceFloor, eceChance, eceTargetChance }) as SeriesReport['methods'][number];
const report = (...methods: SeriesReport['methods']): SeriesReport => ({ methods }) as SeriesReport;

describe('calibration verdict over the suite', () => {
  it('counts real series only, strategies with ≥ 100 signals only; the all-pairs chance is the product', () => {
    const v = calibrationVerdict([
      { spec: spec('a'), report: report(card(150, 0.04, 0.045, 0.7, 0.8), card(120, 0.07, 0.06, 0.5, 0.75), card(99, 0.2, 0.1, 0.1, 0.1)) },
      {
        spec: spec('b'),
        report: report(card(400, 0.03, 0.02, 0.95, 1), card(500, Number.NaN, Number.NaN, Number.NaN, Number.NaN, 'random')),
      },
      // Neither the control nor the simulated series counts.
      { spec: spec('ttrc', { control: true }), report: report(card(300, 0.09, 0.03, 0.9, 0.9)) },
      { spec: spec('sim', { file: null }), report: report(card(300, 0.09, 0.03, 0.9, 0.9)) },
    ]);
    expect(v.pairs).toBe(3);
    expect(v.atMostTarget).toBe(2);
    // 0.07 is within 0.02 of 0.06; 0.04 and 0.03 are below their floors + 0.02.
    expect(v.nearFloor).toBe(3);
    expect(v.expectedAbove).toBeCloseTo(0.3 + 0.5 + 0.05, 12);
    expect(v.allChance).toBeCloseTo(0.8 * 0.75 * 1, 12);
  });
});
