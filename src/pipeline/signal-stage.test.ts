import { describe, expect, it } from 'vitest';
import type { EmpEvent, Signal } from '../core/events.ts';
import { seriesBar } from '../core/market.ts';
import { generateSignals } from '../signals/index.ts';
import { simulateBars } from '../sources/simulator/index.ts';
import { SignalStage } from './signal-stage.ts';

describe('SignalStage', () => {
  it('emits on closed bars exactly the signals the batch engine finds; open bars emit nothing', () => {
    const { bars } = simulateBars({ symbol: 'X-USD', timeframe: '1m', count: 3000, seed: 7 });
    const stage = new SignalStage('trend_following');
    const events: EmpEvent[] = [];
    for (let i = 0; i < bars.close.length; i++) {
      const b = seriesBar(bars, i, 'X-USD', '1m', false);
      stage.onBar(b, (e) => events.push(e));
      stage.onBar({ ...b, final: true }, (e) => events.push(e));
    }
    const live = events.filter((e): e is Signal => e.type === 'signal');
    const batch = generateSignals(bars, { strategy: 'trend_following', confirmations: [{ label: '×5', bars: 5 }] });
    expect(live.length).toBeGreaterThan(0);
    expect(live.map((s) => [s.ts, s.side, s.confidence])).toEqual(batch.map((h) => [h.time, h.side, h.confidence]));
  });
});
