import { describe, expect, it } from 'vitest';
import { scoreSimulatedMarket } from '../../src/fusion/scorecard.ts';
import { MarketSimulator } from '../../src/sources/simulator/index.ts';

describe('fusion scorecard on the simulator', () => {
  it('seed 7, one hour with faults: the engine beats the plain median and mean, passes no bad print, drops frozen venues within the staleness limit', () => {
    const ev = scoreSimulatedMarket(new MarketSimulator({ seed: 7, durationMs: 3_600_000 }), 5000, 'simulator seed 7, 1 h');
    const by = (m: string) => ev.methods.find((x) => x.method === m);
    const engine = by('engine (ours)');
    const median = by('median');
    const mean = by('mean');
    expect(engine && median && mean).toBeTruthy();
    expect(engine?.meanBps as number).toBeLessThan(median?.meanBps as number);
    expect(engine?.meanBps as number).toBeLessThan(mean?.meanBps as number);
    expect(engine?.badPrintsPassed).toBe(0);
    // A 95 % interval that is neither empty nor everything.
    expect(engine?.coverage as number).toBeGreaterThan(0.85);
    expect(ev.frozenFollowedMaxMs).toBeLessThanOrEqual(5000);
    expect(ev.protocol).toMatch(/^simulator seed 7, 1 h, 5 venues × 3 instruments/);
  }, 60_000);
});
