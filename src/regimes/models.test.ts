import { describe, expect, it } from 'vitest';
import type { Regime } from '../core/regime.ts';
import { simulateBars } from '../sources/simulator/index.ts';
import { scoreRegimes } from './evaluate.ts';
import { HmmRegimeClassifier, smoothedRegimeProbabilities, trainLabelledRegimeHmm, trainRegimeHmm } from './hmm-classifier.ts';
import { fitJumpModel, JumpRegimeClassifier } from './jump-model.ts';
import type { OnlineRegimeClassifier } from './labeler.ts';
import { labelStatesByTruth } from './state-labels.ts';

// Trained on one simulation (seed 101), scored on another (seed 1).
const train = simulateBars({ symbol: 'X-USD', timeframe: '1d', count: 5000, seed: 101 });
const test = simulateBars({ symbol: 'X-USD', timeframe: '1d', count: 5000, seed: 1 });

function run(
  c: OnlineRegimeClassifier,
  close: ArrayLike<number>,
  bars = test.bars,
): { labels: Regime[]; probs: number[][]; changes: number; regimeAlerts: number } {
  const labels: Regime[] = [];
  const probs: number[][] = [];
  let changes = 0;
  let regimeAlerts = 0;
  for (let i = 0; i < close.length; i++) {
    // high/low/volume come along for the OHLCV model; the close-based ones ignore them.
    const o = c.update({
      close: close[i] as number,
      high: bars.high[i] as number,
      low: bars.low[i] as number,
      volume: bars.volume[i] as number,
    });
    labels.push(o.regime);
    probs.push(Array.from(o.probabilities));
    if (o.changed) changes++;
    regimeAlerts += o.alerts.filter((a) => a.kind === 'regime_change' || a.kind === 'crash_onset').length;
  }
  return { labels, probs, changes, regimeAlerts };
}

describe('HMM and jump-model regime classifiers', () => {
  const supervised = trainLabelledRegimeHmm(train.bars, train.regime);
  // The per-bar OHLCV features, trained on a longer simulation as the command line does.
  const big = simulateBars({ symbol: 'X-USD', timeframe: '1d', count: 20_000, seed: 101 });
  const barHmm = trainLabelledRegimeHmm(big.bars, big.regime, 'bar');
  const jump = fitJumpModel(train.bars.close, { lambda: 5, truth: train.regime });
  const cases: [string, () => OnlineRegimeClassifier, number][] = [
    // Measured 93.1 % on this seed (README, "Regimes": 78–93 % over seeds 1–12).
    ['supervised Gaussian HMM on OHLCV features', () => new HmmRegimeClassifier(barHmm), 0.85],
    // Measured on this pair of seeds: 48.6 % and 47.0 % (README, "Regimes").
    ['supervised Gaussian HMM', () => new HmmRegimeClassifier(supervised), 0.42],
    ['jump model (λ = 5)', () => new JumpRegimeClassifier(jump), 0.42],
  ];
  for (const [name, make, floor] of cases) {
    it(`${name}: balanced accuracy well above chance (1/6) on an unseen simulation; probabilities sum to 1; one alert per change`, () => {
      const r = run(make(), test.bars.close);
      expect(scoreRegimes(test.regime, r.labels).balancedAccuracy).toBeGreaterThan(floor);
      for (const p of r.probs) expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
      expect(r.regimeAlerts).toBe(r.changes);
    });
    it(`${name}: causal, truncating the input does not change earlier outputs`, () => {
      const full = run(make(), test.bars.close);
      const cut = run(make(), test.bars.close.subarray(0, 2500));
      expect(cut.labels).toEqual(full.labels.slice(0, 2500));
      expect(cut.probs).toEqual(full.probs.slice(0, 2500));
    });
  }

  it('a larger jump penalty gives fewer switches', () => {
    const loose = fitJumpModel(train.bars.close, { lambda: 1, truth: train.regime });
    const tight = fitJumpModel(train.bars.close, { lambda: 100, truth: train.regime });
    const switches = (m: typeof loose): number => run(new JumpRegimeClassifier(m, { margin: 0, minDwell: 1 }), test.bars.close).changes;
    expect(switches(tight)).toBeLessThan(switches(loose));
  });

  it('unsupervised Baum-Welch HMM: six named states, one per regime; smoothed probabilities are distributions', () => {
    const hmm = trainRegimeHmm(train.bars.close.subarray(0, 2000), { restarts: 1 });
    expect([...hmm.stateLabels].sort()).toEqual(['bear', 'bull', 'crash', 'high_volatility', 'recovery', 'sideways']);
    const sm = smoothedRegimeProbabilities(hmm, { close: test.bars.close.subarray(0, 500) });
    for (const p of sm.slice(30)) expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
  });

  it('naming states by a labelled series uses shares, so a rare regime can win a state', () => {
    // State 0 holds most bull bars; state 1 holds all 3 crash bars and a few bull bars.
    const states = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 3, 4, 5];
    const truth: Regime[] = [
      'bull',
      'bull',
      'bull',
      'bull',
      'bull',
      'bull',
      'bull',
      'bull',
      'bull',
      'bull',
      'crash',
      'crash',
      'crash',
      'bear',
      'bear',
      'sideways',
      'high_volatility',
      'recovery',
    ];
    expect(labelStatesByTruth(states, truth, 6)).toEqual(['bull', 'crash', 'bear', 'sideways', 'high_volatility', 'recovery']);
  });
});
