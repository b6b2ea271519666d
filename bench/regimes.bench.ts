import { readFileSync } from 'node:fs';
import { BocpdDetector } from '../src/regimes/bocpd.ts';
import { HmmRegimeClassifier, trainLabelledRegimeHmm, trainRegimeHmm } from '../src/regimes/hmm-classifier.ts';
import { RegimeClassifier } from '../src/regimes/index.ts';
import { fitJumpModel, JumpRegimeClassifier } from '../src/regimes/jump-model.ts';
import type { OnlineRegimeClassifier } from '../src/regimes/labeler.ts';
import { fitMarkovSwitchingAr } from '../src/regimes/markov-switching.ts';
import { simulateBars } from '../src/sources/simulator/index.ts';

const N = 1_000_000;

export default async function run(): Promise<void> {
  const train = simulateBars({ symbol: 'X-USD', timeframe: '1d', count: 5000, seed: 101 });
  const series = simulateBars({ symbol: 'X-USD', timeframe: '1d', count: N, seed: 1 }).bars;
  const bars = series.close;
  const timed = <T>(f: () => T): [T, number] => {
    const t0 = performance.now();
    const v = f();
    return [v, performance.now() - t0];
  };
  const [sup, supMs] = timed(() => trainLabelledRegimeHmm(train.bars, train.regime));
  const barHmm = trainLabelledRegimeHmm(train.bars, train.regime, 'bar');
  const [, bwMs] = timed(() => trainRegimeHmm(train.bars.close));
  const [jump, jumpMs] = timed(() => fitJumpModel(train.bars.close, { lambda: 5, truth: train.regime }));
  const classifiers: [string, OnlineRegimeClassifier][] = [
    ['filter (template forward filter, 6 regimes)', new RegimeClassifier()],
    ['hmm on closes (6 states × 3 features, forward step)', new HmmRegimeClassifier(sup)],
    ['hmm on OHLCV (6 states × 3 per-bar features, expanding quantiles)', new HmmRegimeClassifier(barHmm)],
    ['jump (6 centroids × 3 features, forward cost)', new JumpRegimeClassifier(jump)],
  ];
  console.log(`regimes: online update over ${N.toLocaleString('en-US')} simulated daily bars (features, model step, labeler)`);
  console.log('| classifier | ns per bar | bars/s |');
  console.log('|---|---|---|');
  for (const [name, c] of classifiers) {
    const [, ms] = timed(() => {
      const bar = { close: 0, high: 0, low: 0, volume: 0 };
      for (let i = 0; i < N; i++) {
        bar.close = bars[i] as number;
        bar.high = series.high[i] as number;
        bar.low = series.low[i] as number;
        bar.volume = series.volume[i] as number;
        c.update(bar);
      }
    });
    console.log(`| ${name} | ${((ms * 1e6) / N).toFixed(0)} | ${Math.round((N / ms) * 1000).toLocaleString('en-US')} |`);
  }
  const zs = Float64Array.from({ length: 200_000 }, (_, i) => Math.log((bars[i + 1] as number) / (bars[i] as number)) * 100);
  for (const maxRun of [100, 400]) {
    const d = new BocpdDetector({ maxRun });
    const [, ms] = timed(() => {
      for (const z of zs) d.update(z);
    });
    console.log(
      `| BOCPD change points, ${maxRun} run lengths kept (200,000 returns) | ${((ms * 1e6) / zs.length).toFixed(0)} | ${Math.round((zs.length / ms) * 1000).toLocaleString('en-US')} |`,
    );
  }
  const ham = JSON.parse(readFileSync(new URL('../test/fixtures/hamilton-statsmodels.json', import.meta.url), 'utf8')) as {
    data: number[];
  };
  const [, hamMs] = timed(() => fitMarkovSwitchingAr(ham.data, { regimes: 2, order: 4 }));
  console.log(
    `fits on 5,000 bars: supervised HMM ${supMs.toFixed(0)} ms, Baum-Welch HMM (4 restarts) ${bwMs.toFixed(0)} ms, jump model (5 restarts) ${jumpMs.toFixed(0)} ms; Hamilton MS-AR(4) on 135 quarters (4 BFGS starts, numerical gradients) ${hamMs.toFixed(0)} ms`,
  );
}
