import { describe, expect, it } from 'vitest';
import { type RegimeAlert, RegimeLabeler } from './labeler.ts';

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
});
