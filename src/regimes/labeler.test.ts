import { describe, expect, it } from 'vitest';
import { labelSeries, type RegimeAlert, RegimeLabeler } from './labeler.ts';

// REGIMES order: bull, bear, sideways, high_volatility, crash, recovery.
const p = (bull: number, bear: number, sideways: number): number[] => [bull, bear, sideways, 0, 0, 0];

describe('RegimeLabeler: the label the probabilities support, and why it is held', () => {
  it('names the hold: margin, then dwell, then smoothing; agrees when the label follows', () => {
    const l = new RegimeLabeler({ margin: 0.15, minDwell: 3 });
    const alerts: RegimeAlert[] = [];
    expect(l.step(p(0.1, 0.1, 0.8), 1, alerts)).toEqual({ regime: 'sideways', changed: false, supported: 'sideways' });
    // Bull leads by less than the margin.
    expect(l.step(p(0.5, 0, 0.4), 1, alerts)).toMatchObject({ regime: 'sideways', supported: 'bull', held: 'margin' });
    // Bull leads by the margin, but sideways has lasted 3 bars only now.
    const l2 = new RegimeLabeler({ margin: 0.15, minDwell: 5 });
    expect(l2.step(p(0.8, 0, 0.2), 1, alerts)).toMatchObject({ regime: 'sideways', supported: 'bull', held: 'dwell' });
    // Averaged over 10 bars, sideways still leads after one bar favouring bull.
    const l3 = new RegimeLabeler({ smoothing: 10 });
    for (let i = 0; i < 20; i++) l3.step(p(0, 0, 1), 1, alerts);
    expect(l3.step(p(1, 0, 0), 1, alerts)).toMatchObject({ regime: 'sideways', supported: 'bull', held: 'smoothing' });
    const out = l.step(p(0.9, 0, 0.1), 1, alerts);
    expect(out).toEqual({ regime: 'bull', changed: true, supported: 'bull' });
  });

  it('labelSeries labels a whole series by the rule: a change waits for the dwell, then follows the lead', () => {
    // Six bars (REGIMES order): sideways, sideways, bull, bull, bear, bear — each far ahead of the rest.
    const bars = [p(0, 0, 1), p(0, 0, 1), p(1, 0, 0), p(1, 0, 0), p(0, 1, 0), p(0, 1, 0)];
    const probs = Float64Array.from(bars.flat());
    // Dwell 3: sideways has lasted 3 bars at bar 2, so bull takes it; bull has lasted 2 at bar 4, 3 at bar 5.
    expect(labelSeries(probs, { margin: 0.15, minDwell: 3 })).toEqual(['sideways', 'sideways', 'bull', 'bull', 'bull', 'bear']);
    // Dwell 1: every lead is taken at once.
    expect(labelSeries(probs, { margin: 0.15, minDwell: 1 })).toEqual(['sideways', 'sideways', 'bull', 'bull', 'bear', 'bear']);
  });
});
