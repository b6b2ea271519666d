import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EmpEvent, RegimeState } from '../../src/core/events.ts';
import type { Bar } from '../../src/core/market.ts';
import { parseConfig } from '../../src/pipeline/config.ts';
import { LivePipeline } from '../../src/pipeline/live-pipeline.ts';
import { defaultParts, simulatorSource } from '../../src/pipeline/parts.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';

describe('history at start', () => {
  it('replays a day of simulated 1-minute bars through bars and analysis before going live, continuous with it, and reuses them on restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emp-hist-'));
    const cfg = parseConfig({
      instruments: ['BTC-USD', 'EUR-USD'],
      simulator: { seed: 5, speed: 60, transport: 'memory', historyMs: 86_400_000 },
      store: { dataDir: dir },
      analysis: { timeframes: ['1m', '1h'], regimeTimeframe: '1m' },
    });
    const events: EmpEvent[] = [];
    const p = await LivePipeline.open(cfg, await simulatorSource(cfg, console), defaultParts(cfg));
    p.bus.subscribe({}, (e) => events.push(e));
    const t0 = Date.now();
    await p.start();
    // The history is in before the first live record: a day of closed 1-minute bars per instrument.
    const closed = (sym: string, tf: string): Bar[] =>
      events.filter((e): e is Bar => e.type === 'bar' && e.final && e.symbol === sym && e.timeframe === tf);
    for (const sym of ['BTC-USD', 'EUR-USD']) {
      const m1 = closed(sym, '1m');
      expect(m1.length).toBeGreaterThanOrEqual(1438);
      for (let i = 1; i < m1.length; i++) expect((m1[i] as Bar).ts - (m1[i - 1] as Bar).ts).toBe(60_000);
      expect((m1[m1.length - 1] as Bar).ts).toBeGreaterThanOrEqual(Math.floor(t0 / 60_000) * 60_000 - 120_000);
      // Hours aggregate the minutes: each closed hour's range holds its minutes'.
      const h1 = closed(sym, '1h');
      expect(h1.length).toBeGreaterThanOrEqual(23);
      const h = h1[5] as Bar;
      const inside = m1.filter((b) => b.ts >= h.ts && b.ts < h.ts + 3_600_000);
      expect(inside.length).toBe(60);
      expect(h.high).toBe(Math.max(...inside.map((b) => b.high)));
      expect(h.low).toBe(Math.min(...inside.map((b) => b.low)));
      expect(h.open).toBe((inside[0] as Bar).open);
      expect(h.close).toBe((inside[59] as Bar).close);
    }
    // The analysis ran on it: regimes with informative probabilities, indicator values.
    const regimes = events.filter((e): e is RegimeState => e.type === 'regime' && e.symbol === 'BTC-USD');
    expect(regimes.length).toBeGreaterThan(1000);
    const last = regimes[regimes.length - 1] as RegimeState;
    expect(Math.max(...Object.values(last.probabilities))).toBeGreaterThan(0.3);
    expect(events.some((e) => e.type === 'indicators')).toBe(true);
    // Live prices go on from the history's last close (the simulator starts where it ended).
    const m1 = closed('BTC-USD', '1m');
    const lastClose = (m1[m1.length - 1] as Bar).close;
    await new Promise<void>((resolve, reject) => {
      const end = Date.now() + 10_000;
      const check = (): void => {
        const f = events.find((e) => e.type === 'fused' && e.symbol === 'BTC-USD');
        if (f && f.type === 'fused') {
          expect(Math.abs(f.price / lastClose - 1)).toBeLessThan(0.01);
          resolve();
        } else if (Date.now() > end) reject(new Error('no live fused price'));
        else setTimeout(check, 20);
      };
      check();
    });
    await p.stop();

    // Restart on the same store: the stored minutes are reused, only the gap since is generated.
    const store = new SqliteStore(join(dir, 'emp.sqlite'));
    const before = await store.bars({ symbol: 'BTC-USD', timeframe: '1m', limit: 100_000 });
    await store.close();
    expect(before.length).toBeGreaterThanOrEqual(1438);
    const events2: EmpEvent[] = [];
    const p2 = await LivePipeline.open(cfg, await simulatorSource(cfg, console), defaultParts(cfg));
    p2.bus.subscribe({}, (e) => events2.push(e));
    await p2.start();
    await p2.stop();
    const replayed = events2.filter((e): e is Bar => e.type === 'bar' && e.final && e.symbol === 'BTC-USD' && e.timeframe === '1m');
    expect(replayed.length).toBeLessThan(10);
  }, 60_000);
});
