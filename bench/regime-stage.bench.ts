import { seriesBar } from '../src/core/market.ts';
import { RegimeStage } from '../src/pipeline/regime-stage.ts';
import { simulateBars } from '../src/sources/simulator/index.ts';

/**
 * The live regime stage (the adaptive classifier, trend and volatility axes, forecast) on
 * simulated 1-minute bars: its cost over a start-up's history (2,880 bars: two days) and a long
 * one, the typical bar, and the slowest (a calibration, which blocks its event-loop turn).
 */
export default async function run(): Promise<void> {
  console.log('regime stage: simulated 1-minute bars through RegimeStage.onBar, one instrument');
  console.log('| bars | seed | total ms | median µs per bar | slowest bar ms |');
  console.log('|---|---|---|---|---|');
  for (const count of [2880, 20_000])
    for (const seed of [1, 2, 3]) {
      const s = simulateBars({ symbol: 'X-USD', timeframe: '1m', count, seed }).bars;
      const stage = new RegimeStage();
      const each = new Float64Array(count);
      const emit = (): void => {};
      for (let i = 0; i < count; i++) {
        const bar = seriesBar(s, i, 'X-USD', '1m');
        const t = performance.now();
        stage.onBar(bar, emit);
        each[i] = performance.now() - t;
      }
      const total = each.reduce((a, b) => a + b, 0);
      const sorted = Float64Array.from(each).sort();
      console.log(
        `| ${count} | ${seed} | ${total.toFixed(0)} | ${((sorted[count >> 1] as number) * 1000).toFixed(0)} | ${(sorted[count - 1] as number).toFixed(0)} |`,
      );
    }
}
