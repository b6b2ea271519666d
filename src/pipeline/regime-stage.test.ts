import { describe, expect, it } from 'vitest';
import type { EmpEvent, RegimeState } from '../core/events.ts';
import { type Bar, type BarSeries, seriesBar } from '../core/market.ts';
import { REGIMES } from '../core/regime.ts';
import { AdaptiveRegimeClassifier, adaptiveState, classifySeries, trendAndVolatility } from '../regimes/index.ts';
import { simulateBars } from '../sources/simulator/index.ts';
import { RegimeStage } from './regime-stage.ts';

const bar = (s: BarSeries, i: number): Bar => seriesBar(s, i, 'X-USD', '1m');

/** The regime events of a stage fed bars [from, to) live. */
function live(stage: RegimeStage, s: BarSeries, from: number, to: number): RegimeState[] {
  const out: EmpEvent[] = [];
  for (let i = from; i < to; i++) stage.onBar(bar(s, i), (e) => out.push(e));
  return out.filter((e): e is RegimeState => e.type === 'regime');
}

describe('RegimeStage', () => {
  const { bars: s } = simulateBars({ symbol: 'X-USD', timeframe: '1m', count: 1500, seed: 7 });
  let all: RegimeState[] | undefined;
  /** The events of one stage fed the whole series live (made once, read by several tests). */
  const allLive = (): RegimeState[] => {
    all ??= live(new RegimeStage(), s, 0, s.close.length);
    return all;
  };

  it('every event: the label is the regime its probabilities support, or `held` says why; the forecast and axes beside it', () => {
    const events = allLive();
    expect(events).toHaveLength(s.close.length);
    let held = 0;
    events.forEach((e, i) => {
      const p = REGIMES.map((r) => e.probabilities[r]);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      // `supported` is the probabilities' maximum, found here independently.
      expect(e.probabilities[e.supported]).toBe(Math.max(...p));
      // Never a silent contradiction: the label agrees with them, or a hold reason is given.
      if (e.regime === e.supported) expect(e.held).toBeUndefined();
      else {
        expect(['smoothing', 'margin', 'dwell']).toContain(e.held);
        held++;
      }
      if (e.trend !== null) expect(Math.abs(e.trend)).toBeLessThanOrEqual(1);
      expect([null, 'low', 'normal', 'high']).toContain(e.volatilityRegime);
      // Calibrated from the 250th return on (bar i has i returns): the README's threshold.
      expect(e.calibrated).toBe(i >= 250);
      if (e.calibrated) {
        expect(e.fallback).toBeUndefined();
        expect(e.forecast?.horizons).toEqual([1, 5, 20]);
        for (let k = 0; k < 3; k++) expect(REGIMES.reduce((a, r) => a + (e.forecast?.probabilities[r][k] as number), 0)).toBeCloseTo(1, 9);
      } else {
        expect(e.fallback).toMatch(
          /fewer than 250 returns: not calibrated on this series yet .* the profile-grid filter answered from the 50th return/,
        );
        expect(e.forecast).toBeUndefined();
      }
    });
    // Hysteresis happens on this series (so the branch above is exercised), and the axes fill in.
    expect(held).toBeGreaterThan(0);
    expect(events.filter((e) => e.volatilityRegime === 'high').length).toBeGreaterThan(0);
    expect(events.slice(20).every((e) => e.trend !== null && e.volatilityRegime !== null)).toBe(true);
  });

  it('says what `emp regimes --format json` says for the same bars, under the same names', () => {
    const events = allLive();
    const batch = classifySeries(s, () => new AdaptiveRegimeClassifier());
    const axes = trendAndVolatility(s.close);
    const state = adaptiveState(batch.classifier);
    expect(events.map((e) => e.regime)).toEqual(batch.regime);
    for (const r of REGIMES) expect(events.map((e) => e.probabilities[r])).toEqual(batch.probabilities[r]);
    expect(events.map((e) => e.volatilityRegime)).toEqual(axes.volatilityRegime);
    events.forEach((e, i) => {
      const t = axes.trend[i] as number;
      if (Number.isNaN(t)) expect(e.trend).toBeNull();
      else expect(e.trend).toBe(Math.round(t * 1e4) / 1e4); // as the JSON rounds it
    });
    const last = events[events.length - 1] as RegimeState;
    expect(state?.calibrated).toBe(true);
    expect(last.calibrated).toBe(true);
    expect(last.forecast).toEqual(state?.forecast);
  });

  it('warmed from ≥ 250 stored bars, its first live event is calibrated, and the same as if it had seen them live', () => {
    const warmed = new RegimeStage();
    for (let i = 0; i < 250; i++) warmed.warm(bar(s, i));
    const first = live(warmed, s, 250, 251)[0] as RegimeState;
    expect(first.calibrated).toBe(true);
    expect(first.forecast).toBeDefined();
    expect(first).toEqual(allLive()[250]);
    // Fewer than 250 returns: the stated fallback, not a silent guess.
    const short = new RegimeStage();
    for (let i = 0; i < 200; i++) short.warm(bar(s, i));
    const early = live(short, s, 200, 201)[0] as RegimeState;
    expect(early.calibrated).toBe(false);
    expect(early.fallback).toMatch(/fewer than 250 returns/);
  });

  it('restored from its last checkpoint and warmed from the same stored bars, it goes on exactly as the uninterrupted stage', () => {
    // The uninterrupted stage's checkpoints, as the pipeline stores them, up to a restart at bar 1200.
    const before = new RegimeStage();
    let stored: { ts: number; body: string } | undefined;
    for (let i = 0; i < 1200; i++) {
      before.onBar(bar(s, i), () => {});
      stored = before.checkpoint() ?? stored;
    }
    if (!stored) throw new Error('no calibration in 1200 bars');
    const restarted = new RegimeStage();
    restarted.restore(stored.ts, stored.body);
    for (let i = 0; i < 1200; i++) restarted.warm(bar(s, i));
    // The same probabilities, labels, forecasts and next calibrations: the warm-up filtered the
    // stored bars with the calibration in force, and the schedule went on from the checkpoint.
    expect(live(restarted, s, 1200, s.close.length)).toEqual(allLive().slice(1200));
  });

  it('with fat tails (config analysis.regimeTails) it reads its own probabilities, and restores only a checkpoint written with the same tails', () => {
    expect(() => new RegimeStage({ tails: 2 })).toThrow(/above 2/);
    const fat = new RegimeStage({ tails: 5 });
    const events: RegimeState[] = [];
    let stored: { ts: number; body: string } | undefined;
    for (let i = 0; i < 700; i++) {
      fat.onBar(bar(s, i), (e) => {
        if (e.type === 'regime') events.push(e);
      });
      if (i < 600) stored = fat.checkpoint() ?? stored;
    }
    if (!stored) throw new Error('no calibration in 600 bars');
    // The t reading is in the grid: other probabilities than the Gaussian stage's on the same bars.
    const gaussian = allLive();
    expect(events.filter((e, i) => e.probabilities.bull !== gaussian[i]?.probabilities.bull).length).toBeGreaterThan(600);
    const body = stored.body;
    expect(JSON.parse(body).grid.tails).toEqual([null, 5]);
    // Restored into a stage configured otherwise, the grid would go on with the old tails: refused.
    expect(() => new RegimeStage().restore(stored.ts, body)).toThrow(/reads tails Gaussian and t\(5\), this stage Gaussian$/);
    expect(() => new RegimeStage({ tails: 8 }).restore(stored.ts, body)).toThrow(/this stage Gaussian and t\(8\)/);
    const gaussianBefore = new RegimeStage();
    let gaussianStored: { ts: number; body: string } | undefined;
    for (let i = 0; i < 600; i++) {
      gaussianBefore.onBar(bar(s, i), () => {});
      gaussianStored = gaussianBefore.checkpoint() ?? gaussianStored;
    }
    const gBody = gaussianStored?.body ?? '';
    expect(() => new RegimeStage({ tails: 5 }).restore(0, gBody)).toThrow(/reads tails Gaussian, this stage Gaussian and t\(5\)/);
    // The same tails: it goes on exactly as the uninterrupted stage.
    const restarted = new RegimeStage({ tails: 5 });
    restarted.restore(stored.ts, body);
    for (let i = 0; i < 600; i++) restarted.warm(bar(s, i));
    expect(live(restarted, s, 600, 700)).toEqual(events.slice(600));
  });

  it('a stored checkpoint it cannot read is refused with an error (the pipeline then warms without it)', () => {
    expect(() => new RegimeStage().restore(0, 'not json')).toThrow();
    expect(() => new RegimeStage().restore(0, '{"fit":{}}')).toThrow();
    const before = new RegimeStage();
    for (let i = 0; i < 300; i++) before.onBar(bar(s, i), () => {});
    const body = before.checkpoint()?.body ?? '{}';
    const cp = JSON.parse(body);
    cp.fit.trans = cp.fit.trans.slice(1);
    expect(() => new RegimeStage().restore(0, JSON.stringify(cp))).toThrow(/expected 36 finite numbers/);
    // Well-formed but impossible values: each would make the filter's probabilities NaN.
    const good = JSON.parse(body);
    const edited = (edit: (fit: Record<string, unknown>) => void): string => {
      const c = structuredClone(good);
      edit(c.fit);
      return JSON.stringify(c);
    };
    expect(() => new RegimeStage().restore(0, JSON.stringify(good))).not.toThrow();
    expect(() =>
      new RegimeStage().restore(
        0,
        edited((f) => (f.trendVariance = -1)),
      ),
    ).toThrow(/trend variance/);
    expect(() =>
      new RegimeStage().restore(
        0,
        edited((f) => (f.scale = -0.01)),
      ),
    ).toThrow(/scale/);
    expect(() =>
      new RegimeStage().restore(
        0,
        edited((f) => ((f.variance as number[])[2] = -1)),
      ),
    ).toThrow(/return variance/);
    expect(() =>
      new RegimeStage().restore(
        0,
        edited((f) => ((f.volumeVariance as number[])[0] = 0)),
      ),
    ).toThrow(/volume variance/);
    expect(() =>
      new RegimeStage().restore(
        0,
        edited((f) => ((f.trans as number[])[7] = 0.5)),
      ),
    ).toThrow(/transition row 1/);
    expect(() =>
      new RegimeStage().restore(
        0,
        edited((f) => ((f.stationary as number[])[0] = -0.1)),
      ),
    ).toThrow(/stationary/);
  });

  it('open bars and bars at or before the last one emit nothing', () => {
    const st = new RegimeStage();
    const out: EmpEvent[] = [];
    st.onBar({ ...bar(s, 0), final: false }, (e) => out.push(e));
    st.onBar(bar(s, 1), (e) => out.push(e));
    st.onBar(bar(s, 1), (e) => out.push(e));
    st.onBar(bar(s, 0), (e) => out.push(e));
    expect(out.filter((e) => e.type === 'regime')).toHaveLength(1);
  });
});
